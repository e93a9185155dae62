"""How a SARIF viewer shows a plain text message string with no `arguments`: SARIF 2.1.0
§3.11.5 (`{{` and `}}` are braces; `{n}` a placeholder, a lone brace no text at all) and
§3.11.6 (embedded links), the links found as github/vscode-codeql `sarif-utils.ts`
`parseSarifPlainTextMessage` finds them (an `[` after an even number of backslashes opens
one; `\\[`, `\\]` and `\\\\` are shown as `[`, `]` and `\\` in and out of a link's text),
but to any destination the spec allows, a URI as well as a location id."""

from __future__ import annotations

import re

_LINK = re.compile(r"\[((?:[^\\\[\]]|\\[\\\[\]])*)\]\(([^()\s]*)\)")
_UNESCAPE = re.compile(r"\\([\\\[\]])")
_PIECE = re.compile(r"\{\{|\}\}|\{[0-9]+\}|[{}]|[^{}]+")


def links(text: str) -> list[tuple[str, str]]:
    """The embedded links of a message string: (link text as shown, destination)."""
    found = []
    for start in (i for i, c in enumerate(text) if c == "["):
        backslashes = len(text[:start]) - len(text[:start].rstrip("\\"))
        if backslashes % 2:
            continue  # an escaped bracket
        if match := _LINK.match(text, start):
            found.append((_UNESCAPE.sub(r"\1", match[1]), match[2]))
    return found


def _braces(text: str) -> str:
    out = []
    for piece in _PIECE.findall(text):
        if piece in ("{{", "}}"):
            out.append(piece[0])
        elif piece.startswith("{") or piece == "}":
            raise AssertionError(f"{piece!r} in a SARIF message string: {text!r}")
        else:
            out.append(piece)
    return "".join(out)


def shown(text: str) -> str:
    """A message string without links as a viewer shows it; an AssertionError when it holds
    a link, a placeholder or a lone brace."""
    assert links(text) == [], f"embedded links in a SARIF message string: {text!r}"
    return _UNESCAPE.sub(r"\1", _braces(text))
