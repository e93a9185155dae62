"""A setting that is a set of strings — Service.custom_audiences, the network tags of a
NetworkInterface — in the one text a setting's value is (`SettingValue`): each item once,
sorted, joined by `,`, a comma or backslash inside an item escaped (`\\,`, `\\\\`). One item
holding a comma (an audience `https://b.example/?q=1,2`: any string, "the full URL") then
never reads as two, nor two as one (helper-662 F4: the joined text made `fix` write two
audiences for one and its re-check call that clean). A profile's text form (`a,b`) reads the
same escapes; its YAML list form takes each item as it is."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drift.textsafe import free_delimiter

NONE = ("", "none")


def _escaped(item: str) -> str:
    return item.replace("\\", "\\\\").replace(",", "\\,")


def joined(items: Iterable[Any]) -> str:
    """The compared text of `items`: a set (their order means nothing; blank ones dropped,
    each stripped), sorted, each item escaped."""
    return ",".join(_escaped(i) for i in sorted({str(x).strip() for x in items if str(x).strip()}))


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


def gcloud_list(flag: str, value: Any) -> str:
    """`--FLAG=a,b` for gcloud, the items of a compared text: where an item holds a comma (or
    the list would start with `^`), gcloud's alternate delimiter syntax, `--FLAG=^;^a,b;c`,
    so that gcloud takes each item whole ("In order to include commas in your arguments,
    specify an alternate delimiter using the following syntax: ^DELIM^flag value, with
    comma", `gcloud topic escaping`). Empty where no delimiter is left (`no_delimiter`)."""
    held = items(value)
    delim = free_delimiter(held)
    if delim is None:
        return ""
    text = delim.join(held)
    prefix = "" if delim == "," and not text.startswith("^") else f"^{delim}^"
    return f"{flag}={prefix}{text}"


def no_delimiter(value: Any) -> str:
    """Why gcloud's list syntax cannot carry the items of `value` ("": it can): they hold
    every delimiter drift would give it (`drift.textsafe.free_delimiter`)."""
    if free_delimiter(items(value)) is not None:
        return ""
    return (
        "cannot take these items as a list: they hold every delimiter of gcloud's "
        "`^DELIM^` syntax drift tries, so any would split one"
    )


def ordered(words: Iterable[Any]) -> str:
    """The compared text of a list whose order and repeats mean something (a container's
    `command`, `args`): each item as it is, in order, escaped as `joined` escapes it; two
    such lists are the same only item by item."""
    return ",".join(_escaped(str(w)) for w in words)


def profile_words(value: Any, what: str) -> str:
    """A profile's ordered list (`ordered`): a YAML list (each item as it is), `a,b` (`\\,`
    for a comma inside one), or none; `what` names the items in the error."""
    if isinstance(value, list):
        return ordered(value)
    if isinstance(value, dict | bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected {what}: a list, comma-separated text, or none")
    text = str(value).strip()
    return "" if text in NONE else ordered(items(text))
