"""Write YAML scalars by hand that read back as the very same string, in YAML 1.2 (drift) and
1.1 (many editors and tools): plain when that is unambiguous, double-quoted otherwise."""

from __future__ import annotations

import re

from drift.textsafe import LEGACY_COMMAND, hidden, visible

# Characters a plain scalar may hold here; ':' only inside (never `: ` or a trailing ':'),
# '@' never first (a reserved indicator: `@x` does not parse as a plain scalar).
_PLAIN = re.compile(r"[A-Za-z0-9_./+=-](?:[A-Za-z0-9_./@+=,-]|:(?=[A-Za-z0-9_./@+=-]))*")
# What a YAML 1.1 or 1.2 reader would turn into a bool, null, number or date.
_TYPED = re.compile(
    r"(?:y|n|yes|no|true|false|on|off|null|~|=)"
    r"|[-+]?[0-9_]*\.?[0-9._]*(?:e[-+]?[0-9]+)?"
    r"|[-+]?0[xob][0-9a-f_]*"
    r"|[-+]?\.(?:inf|nan)"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*",
    re.IGNORECASE,
)
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def scalar(text: str, *, flow: bool = False) -> str:
    """`text` as a YAML scalar; `flow` for inside `{...}` (no `,` in plain form)."""
    if _PLAIN.fullmatch(text) and not _TYPED.fullmatch(text) and not (flow and "," in text):
        if not text.startswith("-") and not text.endswith((".", "-")):
            return text
    return quoted(text)


def quoted(text: str) -> str:
    """A double-quoted scalar; anything not plainly printable is escaped: every character
    `drift.textsafe.hidden` names (controls, line separators, lone surrogates, and the
    invisible format characters: a bidi override such as U+202E would show a reviewer of the
    committed line its text reordered, a tag character would not show at all), and the
    noncharacters YAML refuses. YAML's `\\uXXXX` and `\\UXXXXXXXX` read back as the very
    same character, in YAML 1.1 and 1.2 alike. A runner's legacy command prefix `##[` (run
    anywhere in a line of a log that prints the profile) is written `##\\x5b`, the same `[`
    to a YAML parser, as `drift plan --format yaml` writes it (helper-849 F3)."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif hidden(ch) or code in (0xFFFE, 0xFFFF):
            out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out).replace(LEGACY_COMMAND, "##\\x5b")


IMPLICIT_KEY_MAX = 1024
"""YAML 1.2 §7.4.2 (and 1.1): an implicit key is "restricted to a single line" and "limited to
1024 Unicode characters"; a longer one (Cloud Run takes variable names up to 32,768) is written
as an explicit `? KEY` entry."""


def entry(pad: str, key: str, value: str, note: str = "") -> list[str]:
    """`KEY: VALUE` as lines at `pad` (with `# note`), the key as a scalar; explicit (`? KEY`,
    then `: VALUE`) where the key is too long to be an implicit one."""
    said = f"  {comment(note)}" if note else ""
    written = scalar(key)
    if len(written) <= IMPLICIT_KEY_MAX:
        return [f"{pad}{written}: {value}{said}"]
    return [f"{pad}? {written}", f"{pad}: {value}{said}"]


def comment(text: str) -> str:
    """`text` as a `# …` line: one line whatever it holds (a line break in live text would end
    the comment and write a key the workload never had), every hidden character written
    visibly (`drift.textsafe.visible`)."""
    return f"# {visible(text)}"
