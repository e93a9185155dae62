"""Text a person reads: hostile characters shown visibly, the escapes of each output medium
(Markdown, GitHub workflow commands, SARIF messages, a shell word), and counted nouns. gcloud's
list delimiters: `drift.delimiters`."""

from __future__ import annotations

import re
import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\x1b"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def undecodable_line(exc: UnicodeDecodeError) -> int:
    """The line (from 1) of the first byte that is not UTF-8: where an editor shows it."""
    return bytes(exc.object[: exc.start]).count(b"\n") + 1


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),  # before UTF-16LE's, which it starts with
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def unicode_text(raw: bytes) -> str:
    """`raw` decoded as its byte order mark says (the mark dropped), else as UTF-8 (strict:
    `UnicodeDecodeError`, whose `encoding` names what was tried). A JSON document saved by
    Windows PowerShell 5.1 (`>`: UTF-16LE with a BOM; `Out-File -Encoding utf8`: UTF-8 with
    a BOM) is read: RFC 8259 §8.1 lets a parser ignore the mark, and the mark leaves no doubt
    about the encoding (Unicode §23.8)."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(codec)
    return raw.decode("utf-8")


def hidden(char: str) -> bool:
    """A character that moves the cursor, talks to the terminal, reorders or hides text: what
    `visible` escapes, and what a hand-written YAML scalar escapes
    (`drift.onboarding.yamltext`)."""
    category = unicodedata.category(char)
    # Cc: C0, DEL and C1 controls (ESC starts ANSI and OSC sequences); Zl/Zp: line breaks;
    # Cs: a lone surrogate (undecodable bytes), which no terminal can be sent; Cf: invisible
    # formatting, among them the bidi overrides and isolates that reorder what is shown
    # ("Trojan Source"), except the zero-width joiner that emoji sequences need.
    return category in ("Cc", "Zl", "Zp", "Cs") or (category == "Cf" and char != "\u200d")


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


LOOK_ALIKE_NOTE = "note: the values differ only in characters that look alike (shown escaped)"
LOOK_ALIKE_NAMES = "the names differ only in characters that look alike (shown escaped)"

_CONFUSABLE = "АВЕКМНОРСТХІЈЅаеорсухіјѕΑΒΕΖΗΙΚΜΝΟΡΤΥΧο"
_LATIN = "ABEKMHOPCTXIJSaeopcyxijsABEZHIKMNOPTYXo"
_TO_LATIN = str.maketrans(_CONFUSABLE, _LATIN)
"""Cyrillic and Greek letters drawn like a Latin one (Unicode TR39 confusables.txt, e.g.
U+0410 CYRILLIC CAPITAL LETTER A -> U+0041): the common ones, not the whole table."""


_IGNORABLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]"
)


def skeleton(text: str) -> str:
    """What a screen shows of `text`, roughly: NFKC-normalized (`é` one code point or `e`
    and a combining accent; a full-width letter), the Cyrillic and Greek letters drawn like
    Latin ones as those, stripped of white space at its ends."""
    return _IGNORABLE.sub("", unicodedata.normalize("NFKC", text)).translate(_TO_LATIN).strip()


def look_alike(one: str, other: str) -> bool:
    """Two different texts a screen shows the same: they differ only in a space that is not
    U+0020 (a no-break space), in white space at their ends, in their Unicode form (`é` as
    one code point, NFC, or `e` and a combining accent, NFD; a compatibility character such
    as a full-width letter) or in a letter of another script drawn alike (Cyrillic `А`): the
    same `skeleton`."""
    return one != other and skeleton(one) == skeleton(other)


def alike_escaped(text: str) -> str:
    """`text` with every character escaped (`\\u00a0`, `\\u0301`) that a screen shows like
    another or like nothing: a space other than U+0020, a combining mark, a character NFKC
    changes, and the spaces at its ends: for a value that `look_alike`s the other side of a
    difference, which would read the same (revencoding 4)."""
    if text.isascii() and text.strip(" ") == text:  # nothing to escape: the common case
        return text
    core = text.strip(" ")
    head = text[: len(text) - len(text.lstrip(" "))]
    tail = text[len(head) + len(core) :] if core else ""
    shown = "".join(_escape(c) if _alike(c) else c for c in core)
    return "\\x20" * len(head) + shown + "\\x20" * len(tail)


EMPTY_SHOWN = '""'
"""An empty value where a change shows it: not the blank, `-` or `(none)` that read as not
set (helper-662 F1: `- -> -` for setting an empty value)."""


def _edges(text: str) -> str:
    """`text` with the spaces at its ends as `\\x20` (else `x ` reads as `x`), `""` if empty."""
    if not text:
        return EMPTY_SHOWN
    if text.strip(" ") == text:
        return text
    core = text.strip(" ")
    head = len(text) - len(text.lstrip(" "))  # all of it where it is only spaces
    return "\\x20" * head + core + "\\x20" * (len(text) - head - len(core))


def shown_change(before: str | None, after: str | None) -> tuple[str | None, str | None, bool]:
    """The two sides of a change as a person confirming it reads them (a plan, `fix`'s and
    `rollback`'s prompts, `drift history`), as `check` shows a difference: where they differ
    only in characters that look alike, both `alike_escaped`, and True (say
    `LOOK_ALIKE_NOTE`) — else `x -> x` reads as no change (helper-662 F1); an empty value
    `""`; spaces at a value's ends `\\x20`. None (not set) stays None, for the caller's
    own word for it."""
    if before is not None and after is not None and look_alike(before, after):
        return alike_escaped(before) or EMPTY_SHOWN, alike_escaped(after) or EMPTY_SHOWN, True
    return (
        None if before is None else _edges(before),
        None if after is None else _edges(after),
        False,
    )


def _alike(char: str) -> bool:
    if char.isascii():
        return False
    category = unicodedata.category(char)
    if category in ("Zs", "Mn", "Mc", "Me") or char in _CONFUSABLE or _IGNORABLE.match(char):
        return True
    return unicodedata.normalize("NFKC", char) != char


LEGACY_COMMAND = "##["
"""The runner's legacy workflow-command prefix (`##[name props]data`): actions/runner
`ActionCommand.TryParse` finds it anywhere in a line of a step's output and runs the command
it names whenever the line is not a `::` command (`ActionCommandManager.TryProcessCommand`),
`stop-commands`, `add-mask` and `error` among them (docs.github.com, "Workflow commands for
GitHub Actions", "Stopping and starting workflow commands"). drift escapes it wherever it writes
text a runner reads: `##\\[` in text for people, `##\\u005b` in JSON."""


_NOT_PLAIN = re.compile(r"[^\x20-\x7e]")
"""What is not printable ASCII: only such a character can be `hidden` (a key file's text is
ASCII but its line breaks: each looked at alone, not each of its characters)."""


def _shown(text: str) -> str:
    if text.isprintable():  # every character above is "not printable": the common case is fast
        return text
    return _NOT_PLAIN.sub(lambda m: _escape(m[0]) if hidden(m[0]) else m[0], text)


def visible(text: str) -> str:
    """`text` with every control character, line break, bidi override and invisible format
    character written as a visible escape (`\\x1b`, `\\n`, `\\u202e`), and the runner's
    legacy command prefix as `##\\[`: safe on a terminal and in a CI log, one line in a table,
    and nothing hidden from the person reading it."""
    shown = _shown(text)
    return shown.replace(LEGACY_COMMAND, "##\\[") if LEGACY_COMMAND in shown else shown


def json_inert(text: str) -> str:
    """JSON text with `[` after `##` written `\\u005b`: the same document for any JSON
    decoder (inside a string, `\\u005b` is `[`; outside one `##` never occurs), and no legacy
    workflow command for a runner that reads it in a log."""
    return text.replace(LEGACY_COMMAND, "##\\u005b") if LEGACY_COMMAND in text else text


DATA_MARK = "· "
"""What a line drift writes starts with, in its indentation, when its text begins with data
(a finding's or a difference's message begins with its subject, a variable's name from a
live service or a manifest): a CI runner trims a line's leading white space and runs it as a
workflow command when it then starts with `::` (actions/runner ActionCommand.TryParseV2)."""


def data_line(indent: str, text: str) -> str:
    """`text` (`visible`) on a line of its own, under a heading indented by `indent` (at least
    `DATA_MARK` long): `DATA_MARK` in the last columns of the indentation, so that the text
    stays aligned with the lines under it and the line never begins with data."""
    return indent[: -len(DATA_MARK)] + DATA_MARK + visible(text)


def visible_lines(text: str) -> str:
    """`visible` for each line of a multi-line text drift composed itself (its own newlines
    kept)."""
    return "\n".join(visible(line) for line in text.split("\n"))


def prose_lines(text: str) -> str:
    """`visible_lines` for text a person reads (a message, a note, an error with its hint),
    where no line is a workflow command: one that a CI runner would run, leading white space
    trimmed, as it begins with `::` (actions/runner ActionCommand.TryParseV2), has it written
    `\\::`. Such a line only comes from a value quoted in the text that holds a line break
    of its own (a path `nodir\\n::set-output …` from a pull request's pyproject.toml,
    revci61 F1): drift's own workflow commands are never prose."""
    lines = visible_lines(text).split("\n")
    return "\n".join(
        line.replace("::", "\\::", 1) if line.lstrip().startswith("::") else line for line in lines
    )


def md_text(text: str) -> str:
    """Inline Markdown: every special character escaped, and nothing that can end a table row
    or hide text (control characters and line breaks shown visibly). A `$` is put in a span:
    GitHub renders the text between two as math ("Outside a math expression, but on the same
    line, use span tags around the explicit $", docs.github.com, writing mathematical
    expressions), so `$(HOST) … $(PORT)` in a message lost what lay between.

    `[`, `]`, `<` and `>` escaped, a value makes no link, no image (a tracking pixel) and no
    HTML. What GitHub links in the text of what it rendered is cut apart by a span as well
    (`_MD_LINKED`): an `@` (an @mention notifies the person or team, `a@b.example` is a
    mail link), a `#` (`#123`, `owner/repo#123` link an issue), the `:` of `://` and the `.`
    of `www.` (the GFM autolink extension, "Autolinks (extension)", github.github.com/gfm,
    links `https://…` and `www.…` found in text). GitHub finds these in the text nodes of
    the rendered HTML, outside `code`, `pre` and `a` (html-pipeline `MentionFilter`:
    `doc.search('.//text()')`, `IGNORE_PARENTS`): a backslash, gone once rendered, does not
    stop them; a span ends a text node. A code span stops them all (`md_literal`)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", _shown(text))  # `[` escaped: no legacy command either
    escaped = _MD_LINKED.sub(r"<span>\g<0></span>", escaped)
    # where the text begins a list item (`- {text}`), a `-`, `+` or `1.` would begin another,
    # and spaces an indented code block: the first space is a character reference
    if escaped.startswith(" "):
        return "&#32;" + escaped[1:]
    return _MD_LEADING.sub(r"\1\\\2", escaped, count=1)


_MD_LINKED = re.compile(r"[$@#]|:(?=//)|(?<=www)\.", re.IGNORECASE)
_MD_LEADING = re.compile(r"^([0-9]{0,9})([-+.)])")


def md_code(text: str) -> str:
    """A Markdown code span (pipes escaped for tables), or escaped text when it holds a
    backtick."""
    if not text:
        return ""
    shown = visible(text)
    if "`" in shown:
        return md_text(text)
    return "`" + shown.replace("|", "\\|") + "`"


def github_data(text: str) -> str:
    """A workflow command's message, escaped as the runner unescapes it (actions/toolkit
    `command.ts`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A workflow command's property value: the message escapes plus `:` and `,`."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


_SARIF_PLAIN = str.maketrans({"{": "{{", "}": "}}", "[": "\\[", "]": "\\]"})
_SARIF_BACKSLASHES = re.compile(r"\\\\+|\\(?=[\[\]])")
"""The backslashes a reader would take for escapes: a run of two or more, or one before a
bracket (which is escaped itself). A lone `\\` before anything else escapes nothing: kept."""


def sarif_plain(text: str) -> str:
    """`text` as a SARIF plain text message string that shows it as it is: no placeholder,
    no embedded link.

    - Braces doubled: SARIF 2.1.0 §3.11.5 ("Messages with placeholders": a consumer replaces
      `{n}` with `arguments[n]`, and "Within both plain text and formatted message strings,
      the characters "{" and "}" SHALL be represented by the character sequences "{{" and
      "}}" respectively"). A message quotes values (a JSON variable, a template's
      `{{ .Values.x }}`, a pattern's `{3}`) that a viewer would otherwise show with half
      their braces, or take for a placeholder with no argument.
    - `\\`, `[` and `]` escaped with a backslash: §3.11.6 ("Messages with embedded links")
      makes `[link text](link destination)` in a plain text message a link, to a location
      (`(1)`) or to any URI (`(https://…)`), its "escaped link character"s being `\\`, `[`
      and `]`. A live value `[Approve](https://evil.example)` would be a link in the alert.
      The spec lets literal brackets stand unescaped outside a link's text, which leaves
      nothing to tell a value's brackets from a link, so drift escapes all three everywhere,
      as CodeQL writes its messages and as GitHub's readers of them undo it: an `[` preceded
      by an odd number of backslashes starts no link, and `\\[`, `\\]`, `\\\\` are shown as
      `[`, `]`, `\\` (github/vscode-codeql `sarif-utils.ts` `parseSarifPlainTextMessage`,
      `unescapeSarifText`, whose comment says CodeQL always escapes outside links too;
      https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/
      sarif-v2.1.0-errata01-os-complete.html §3.11.6).

    A lone backslash before any other character, as `visible` writes a line break (`\\n`), is no
    escape to either reader and is kept as it is (`_SARIF_BACKSLASHES`): doubled, a file name
    with a line break showed as `x\\\\n` wherever a reader does not undo it, and as `x\\n` in
    every other format.

    drift writes no embedded link and no placeholder of its own: the whole text is escaped."""
    if "\\" in text:
        text = _SARIF_BACKSLASHES.sub(lambda m: m[0] * 2, text)
    return text.translate(_SARIF_PLAIN)


def sarif_message(text: str) -> dict[str, str]:
    """A SARIF message object (or multiformatMessageString) of plain `text` (`sarif_plain`),
    each of its lines `visible`: the text GitHub code scanning shows as the alert's, where a
    bidi override (U+202E) would reorder what a reviewer reads, an ESC or a CR reach a
    terminal, and a live value's line break forge a line (helper-662 F5), as the table,
    Markdown and annotations escape them. The JSON report keeps values whole. A text that
    quotes a live value escapes it before it is joined to drift's own lines
    (`finding_text(…, visible)`), so that its line breaks show as `\\n`."""
    return {"text": sarif_plain(visible_lines(text))}


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 error`, `2 errors`; `many` for irregular plurals (`1 entry`, `2 entries`)."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {many or noun + 's'}"


def md_literal(text: str) -> str:
    """A Markdown code span that shows `text` literally wherever it is rendered: no markup,
    no HTML, and no @mention or #reference (GitHub links neither inside code); control
    characters shown visibly, pipes escaped for a table cell. For text from outside drift in
    a place people are notified from (an issue)."""
    shown = visible(text).replace("|", "\\|")
    if not shown:
        return ""
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    # A span that starts or ends with a backtick needs a space inside its fence; CommonMark
    # strips one space on each side when both are there.
    pad = " " if longest or shown[0] == " " or shown[-1] == " " else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


_SAFE_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
_SHELL_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\x1b": "\\e"}


def _unprintable(char: str) -> bool:
    """A character a terminal acts on or draws invisibly: C0/C1 controls, DEL, format
    characters (bidirectional overrides, zero-width), line and paragraph separators. Not
    `hidden`: a word bash reads back escapes a zero-width joiner too, and a lone surrogate has
    no bytes to write as hexadecimal escapes."""
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def shell_quote(value: str) -> str:
    """One bash word that is exactly `value`: bare when it is plainly safe, single-quoted
    when printable, else ANSI-C quoted (`$'…'`) so hidden characters stay visible."""
    if value and _SAFE_WORD.fullmatch(value):
        return value
    if not any(_unprintable(c) for c in value):
        # `''` (an empty quoted string) splits `##[` where a CI runner would read it as a
        # command (its legacy `##[command]` form, drift.textsafe.LEGACY_COMMAND); bash joins
        # the pieces back into the very same word
        return ("'" + value.replace("'", "'\\''") + "'").replace("##[", "##''[")
    out = []
    for char in value:
        if char in ("\\", "'"):
            out.append("\\" + char)
        elif char == "[" and out[-2:] == ["#", "#"]:
            out.append("\\x5b")  # as above: no `##[` for a runner, the same byte for bash
        elif _unprintable(char):
            # bytes, not \uHHHH: bash expands that only in a UTF-8 locale
            out.append(_SHELL_NAMED.get(char) or "".join(f"\\x{b:02x}" for b in char.encode()))
        else:
            out.append(char)
    return "$'" + "".join(out) + "'"
