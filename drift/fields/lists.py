"""A setting that is a set of strings — Service.custom_audiences, the network tags of a
NetworkInterface — in the one text a setting's value is (`SettingValue`): each item once,
sorted, joined by `,`, a comma or backslash inside an item escaped (`\\,`, `\\\\`). One item
holding a comma (an audience `https://b.example/?q=1,2`: any string, "the full URL") then
never reads as two, nor two as one (helper-662 F4: the joined text made `fix` write two
audiences for one and its re-check call that clean). A profile's text form (`a,b`) reads the
same escapes; its YAML list form takes each item as it is."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from drift.delimiters import free_delimiter

NONE = ("", "none")


def _escaped(item: str) -> str:
    return item.replace("\\", "\\\\").replace(",", "\\,")


def joined(items: Iterable[Any]) -> str:
    """The compared text of `items`: a set (their order means nothing; blank ones dropped,
    each stripped), sorted, each item escaped."""
    return ",".join(_escaped(i) for i in sorted({str(x).strip() for x in items if str(x).strip()}))


def in_order(items: Iterable[str]) -> str:
    """`items` joined as `joined` joins them, in their order and each as often as given (what
    an output shows of a compared text whose items were masked one by one)."""
    return ",".join(_escaped(i) for i in items)


def items(text: Any) -> list[str]:
    """The items a compared text (`joined`) or a profile's `a,b` holds: split at each comma
    not escaped, `\\,` and `\\\\` read as a comma and a backslash (any other backslash kept
    as it is)."""
    out: list[str] = []
    current: list[str] = []
    chars = iter(str(text))
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            current.append(nxt if nxt in (",", "\\") else char + nxt)
        elif char == ",":
            out.append("".join(current))
            current = []
        else:
            current.append(char)
    out.append("".join(current))
    return [i for i in out if i]


def same_text(value: Any) -> str:
    """A compared text again (`Field.normalise`): its items, joined."""
    return joined(items(value))


def profile_list(value: Any, what: str) -> str:
    """A profile's list: a YAML list (each item as it is), `a,b` (`\\,` for a comma inside
    one), or none; `what` names the items in the error."""
    if isinstance(value, list):
        return joined(value)
    if isinstance(value, dict | bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected {what}: a list, comma-separated text, or none")
    text = str(value).strip()
    return "" if text in NONE else same_text(text)


def gcloud_list(flag: str, value: Any, split: Callable[[Any], list[str]] = items) -> str:
    """`--FLAG=a,b` for gcloud, the items of a compared text: where an item holds a comma (or
    the list would start with `^`), gcloud's alternate delimiter syntax, `--FLAG=^;^a,b;c`,
    so that gcloud takes each item whole ("In order to include commas in your arguments,
    specify an alternate delimiter using the following syntax: ^DELIM^flag value, with
    comma", `gcloud topic escaping`). Empty where no delimiter is left (`no_delimiter`).
    `split`: how `value` holds its items (`words` for an ordered list)."""
    held = split(value)
    delim = free_delimiter(held)
    if delim is None:
        return ""
    text = delim.join(held)
    prefix = "" if delim == "," and not text.startswith("^") else f"^{delim}^"
    return f"{flag}={prefix}{text}"


def no_delimiter(value: Any, split: Callable[[Any], list[str]] = items) -> str:
    """Why gcloud's list syntax cannot carry the items of `value` ("": it can): they hold
    every delimiter drift would give it (`drift.delimiters.free_delimiter`)."""
    if free_delimiter(split(value)) is not None:
        return ""
    return (
        "cannot take these items as a list: they hold every delimiter of gcloud's "
        "`^DELIM^` syntax drift tries, so any would split one"
    )


def ordered(words: Iterable[Any]) -> str:
    """The compared text of a list whose order and repeats mean something (a container's
    `command`, `args`): each item as it is, in order, escaped as `joined` escapes it; two
    such lists are the same only item by item. An item that would not read back as itself is
    written in double quotes (`_quoted`): an empty one, `""` (an empty text is no item at
    all), the one item `none` (alone, `none` is no list: the image's own), one that is
    itself in quotes, and one with a space (a tab, a newline) at either end (a profile's
    text is stripped: the first or last item would lose it, and `drift init`'s profile
    report drift on the untouched container; helper-719); `words` reads them back."""
    held = [str(w) for w in words]
    return ",".join(_quoted(w) if _odd(w, held) else _escaped(w) for w in held)


def _odd(word: str, held: list[str]) -> bool:
    return (
        not word
        or held == [NONE[1]]
        or (len(word) > 1 and word[0] == word[-1] == '"')
        or word != word.strip()
    )


def _quoted(word: str) -> str:
    return '"' + _escaped(word).replace('"', '\\"') + '"'


def words(text: Any) -> list[str]:
    """The items of an ordered list's text (`ordered`) or a profile's `a,b`: as `items`
    splits them, and an item in double quotes (not escaped) is what they hold, `\\"` a quote
    there; "" is no item."""
    return [w or "" for w in _split(str(text))] if str(text) else []


def _split(text: str) -> list[str | None]:
    """`words`, None for an item with nothing written (`a,,b`, `a,`; `""` is written)."""
    out: list[str | None] = []
    current: list[tuple[str, bool]] = []  # each character, and whether it was escaped
    chars = iter(text)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            current += [(nxt, True)] if nxt in (",", "\\", '"') else [(char, True), (nxt, True)]
        elif char == ",":
            out.append(_word(current))
            current = []
        else:
            current.append((char, False))
    return [*out, _word(current)]


def _word(chars: list[tuple[str, bool]]) -> str | None:
    if len(chars) > 1 and chars[0] == chars[-1] == ('"', False):
        chars = chars[1:-1]
    elif not chars:
        return None
    return "".join(c for c, _ in chars)


def profile_words(value: Any, what: str) -> str:
    """A profile's ordered list (`ordered`): a YAML list (each item as it is, an empty one
    and `none` too), `a,b` (`\\,` for a comma inside one, `""` for an empty item, `"none"`
    for the one word none), or none; `what` names the items in the error. An item with
    nothing written (`a,,b`, `a,`) is refused: a stray comma, or an empty item unsaid."""
    if isinstance(value, list):
        return ordered(value)
    if isinstance(value, dict | bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected {what}: a list, comma-separated text, or none")
    text = str(value).strip()
    if text in NONE:
        return ""
    if None in _split(text):
        raise ValueError(
            f"{what}: an item with nothing written (a stray comma?): write an empty one as "
            '"" (in quotes), or give a list'
        )
    return ordered(words(text))
