"""helper-731: what the masker, the journal and a report compute of a value (its encodings, its
escaped forms, whether it is shown) is computed once and remembered by the value itself: a value
learned later, or another of the same length or under another name, is never answered from what
an earlier one gave."""

from __future__ import annotations

import base64
import json

from drift import redact
from drift.credentials import hidden_plain
from drift.echoes import REMEMBERED_MAX, encodings

VERSION = "projects/p/secrets/s/versions/1"


def _base64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def test_each_value_has_its_own_encodings() -> None:
    first, other = "first-secret-0001", "other-secret-0002"  # the same length
    assert dict(encodings(first))["base64"] == _base64(first)
    assert dict(encodings(other))["base64"] == _base64(other)
    assert dict(encodings(first))["base64"] == _base64(first)  # asked again
    long = "k" * REMEMBERED_MAX + "-tail"  # not remembered: computed each time, the same
    assert dict(encodings(long))["base64"] == _base64(long)


def test_a_value_learned_after_a_scrub_is_scrubbed_too() -> None:
    redact.register("first\nsecret-0001")
    assert "secret-0001" not in redact.scrub(json.dumps({"k": "first\nsecret-0001"}))
    redact.register("later\nsecret-0002")  # learned once the first pattern was compiled
    scrubbed = redact.scrub(json.dumps({"k": "later\nsecret-0002"}))  # as JSON escapes it
    assert "secret-0002" not in scrubbed
    assert scrubbed == json.dumps({"k": redact.MASK})


def test_a_value_given_again_is_still_masked_and_another_too() -> None:
    for value in ("first-secret-0001", "first-secret-0001", "other-secret-0002"):
        redact.register(value)
    said = "got first-secret-0001 and other-secret-0002"
    assert redact.mask(said) == "got *** and ***"


def test_a_piece_shorter_in_its_other_normal_form_is_withheld() -> None:
    """A password of four accented letters written decomposed (8 code points) is 4 composed:
    shorter than `SEARCH_MIN`, yet a form of the payload the journal withholds."""
    piece = "e\u0301" * 4
    redact.register_payload(json.dumps({"password": piece}).encode(), VERSION)
    found = redact.secret_pieces("\u00e9" * 4)
    assert found is not None and found[0][0] == VERSION
    assert redact.secret_pieces("abc") is None


def test_whether_a_value_is_shown_is_asked_of_its_name_and_value() -> None:
    assert hidden_plain("DB_PASSWORD", "hunter2")  # however short, by its name
    assert not hidden_plain("DB_HOST", "hunter2")  # the same value under another name
    assert not hidden_plain("DB_PASSWORD", "true")
    long = "--db-password=" + "Xy7" * REMEMBERED_MAX  # not remembered: the same answer
    assert hidden_plain("ARGS", long) and not hidden_plain("ARGS", "-v " * REMEMBERED_MAX)
