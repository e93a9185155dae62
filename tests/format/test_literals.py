"""Many values found at once (`drift.literals`), as the masker uses it: a long value (a key file,
a config, their base64) is found by plain search, with no pattern compiled for it, and with the
same rule as a short one — any run of white space in it matches any run in the text — and a
value that overlaps another is masked whole, not cut where the other one ended."""

from __future__ import annotations

import random
import re
import string

from drift import redact
from drift.literals import COMPILED_MAX, LONG, Literals


def _token(size: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(size))


PEM_BODY = "\n".join(_token(64, k) for k in range(4))
"""A long value with line breaks in it (a PEM body), 259 characters."""


def test_a_long_value_is_found_through_any_white_space_and_only_it_is_masked() -> None:
    redact.register(PEM_BODY)
    for sep in ("\n", "\r\n", " ", "\n    ", "\t"):
        text = f"before: {sep.join(PEM_BODY.splitlines())} :after"
        assert redact.mask(text) == "before: *** :after", sep
    assert redact.scrub(f"x {PEM_BODY} y") == "x *** y"
    squeezed = PEM_BODY.replace("\n", "")  # no break where the value has one: another text
    assert redact.mask(squeezed) == squeezed


def test_a_long_value_is_found_wherever_it_stands_after_squeezed_white_space() -> None:
    """The place found in the squeezed text maps back to the text: the words before and after
    it, and their own runs of white space, stay as they were."""
    redact.register(PEM_BODY)
    text = "a \n\n b\t\t" + PEM_BODY.replace("\n", "\r\n") + "  \n c   " + PEM_BODY + "\n\nd"
    assert redact.mask(text) == "a \n\n b\t\t***  \n c   ***\n\nd"


def test_a_secret_overlapping_the_start_of_a_long_one_leaves_none_of_either() -> None:
    """One alternation took, at a place, the first value that matched there: a short secret
    ending inside a long one was masked and the long one's rest shown (`ZZZZZZZZ` + its first
    8 characters masked, the other 192 in clear)."""
    long = _token(200, 1)
    short = "ZZZZZZZZ" + long[:8]
    redact.register(long)
    redact.register(short)
    masked = redact.mask(f"was ZZZZZZZZ{long} now")
    assert masked == "was *** now"


def test_only_values_shorter_than_long_are_compiled() -> None:
    values = Literals(["a" * LONG, "b" * (LONG - 1)], flexible=True)
    found = values.find("x" + "b" * (LONG - 1) + "y" + "a" * LONG)
    assert sorted((f.start, f.stop) for f in found) == [(1, LONG), (LONG + 1, 2 * LONG + 1)]
    assert Literals(["c" * LONG], flexible=False).find("c" * (LONG - 1)) == []
    assert not Literals([], flexible=True)


def test_every_place_of_a_long_value_is_found() -> None:
    value = _token(LONG + 10, 3)
    found = Literals([value], flexible=False).find(f"{value}-{value}{value}")
    assert [(f.start, f.text == value) for f in found] == [
        (0, True),
        (LONG + 11, True),
        (2 * (LONG + 10) + 1, True),
    ]


def _spans(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The places masked: each found place, joined where they overlap or touch."""
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def test_past_compiled_max_the_index_masks_what_the_alternation_masks() -> None:
    """More values than one alternation should try at each place: each is found through the
    index of its first characters, white space as flexible, and the text masked in the same
    places as by the one pattern of them all (values with line breaks, long ones, ones that
    share their first characters, ones inside others)."""
    rng = random.Random(11)
    values = [_token(rng.randrange(8, 40), k) for k in range(COMPILED_MAX + 20)]
    values += [f"{_token(10, 500)}\n{_token(12, 501)}", _token(300, 502), values[0] + "tail-x1"]
    texts = [
        f"a {values[5]} b {values[-3].replace(chr(10), chr(13) + chr(10) + '   ')} c",
        f"{values[-2][:200]} {values[-2]}{values[-1]} {values[7][:-1]}",
        " ".join(values[k] for k in range(0, 60, 7)),
    ]
    index = Literals(values, flexible=True)
    one = re.compile(
        "|".join(
            r"\s+".join(map(re.escape, v.split()))
            for v in sorted(set(values), key=len, reverse=True)
        )
    )
    for text in texts:
        expected = _spans([m.span() for m in one.finditer(text)])
        assert _spans([(f.start, f.stop) for f in index.find(text)]) == expected, text


def test_a_long_value_mostly_white_space_is_masked_past_compiled_max() -> None:
    """130 spaces between two pairs of letters: 134 characters, 5 once squeezed (shorter than
    the index's first characters): found by the alternation (helper-669 F1)."""
    odd = "ab" + " " * 130 + "cd"
    for others in (0, COMPILED_MAX + 1):
        values = Literals([odd, *(_token(12, k) for k in range(others))], flexible=True)
        assert [(f.start, f.stop) for f in values.find(f"x {odd} y")] == [(2, 2 + len(odd))]


def test_two_short_secrets_overlapping_are_masked_whole() -> None:
    """The alternation's match ends inside another value: that one is found from inside the
    match, and its rest masked too (helper-669 L1)."""
    redact.register("key-1234abcd")
    redact.register("abcd5678zzzz")
    assert redact.mask("x key-1234abcd5678zzzz y") == "x *** y"
    assert redact.scrub("x key-1234abcd5678zzzz y") == "x *** y"
