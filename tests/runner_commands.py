"""Which lines of a step's output the GitHub Actions runner runs as workflow commands: a port,
line for line, of actions/runner `src/Runner.Common/ActionCommand.cs` (`TryParseV2`, the
`::name props::data` form, and `TryParse`, the legacy `##[name props]data` form, found anywhere
in a line) and `src/Runner.Worker/ActionCommandManager.cs` (`TryProcessCommand`: the legacy form
whenever the `::` form does not parse; `stop-commands` until its token comes back). Ported by
the revgh review (/tmp/revgh/runner_parse.py); docs.github.com, "Workflow commands for GitHub
Actions", "Stopping and starting workflow commands"."""

from __future__ import annotations

REGISTERED = frozenset(
    {
        "stop-commands",
        "set-env",
        "set-output",
        "save-state",
        "add-mask",
        "add-path",
        "debug",
        "warning",
        "error",
        "notice",
        "group",
        "endgroup",
        "echo",
        "add-matcher",
        "remove-matcher",
    }
)
Command = tuple[str, dict[str, str], str]

_DATA = [("\r", "%0D"), ("\n", "%0A"), ("%", "%25")]
_PROPERTY = [("\r", "%0D"), ("\n", "%0A"), (":", "%3A"), (",", "%2C"), ("%", "%25")]
_LEGACY = [(";", "%3B"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D"), ("%", "%25")]


def _unescape(text: str, pairs: list[tuple[str, str]]) -> str:
    for token, escaped in pairs:
        text = text.replace(escaped, token)
    return text


def _head(
    info: str, registered: set[str], separator: str, pairs: list[tuple[str, str]]
) -> tuple[str, dict[str, str]] | None:
    """The command's name and properties from what precedes its data (`name k=v,k=v`), or None
    when the name is not a registered command."""
    name, space, rest = info.partition(" ")
    if name.lower() not in registered:
        return None
    properties: dict[str, str] = {}
    if space:
        for pair in (rest.strip() if separator == "," else rest).split(separator):
            key, sep, value = pair.partition("=")
            if sep and key and value:
                properties[key] = _unescape(value, pairs)
    return name, properties


def parse_v2(line: str, registered: set[str]) -> Command | None:
    message = line.lstrip()
    if not message.startswith("::"):
        return None
    end = message.find("::", 2)
    head = _head(message[2:end], registered, ",", _PROPERTY) if end >= 0 else None
    return None if head is None else (*head, _unescape(message[end + 2 :], _DATA))


def parse_legacy(line: str, registered: set[str]) -> Command | None:
    start = line.find("##[")
    close = line.find("]", start) if start >= 0 else -1
    head = _head(line[start + 3 : close], registered, ";", _LEGACY) if close >= 0 else None
    return None if head is None else (*head, _unescape(line[close + 1 :], _LEGACY))


def commands(text: str) -> list[Command]:
    """The commands the runner would process from `text`, in order (honouring stop-commands)."""
    registered = set(REGISTERED)
    stopped: str | None = None
    found: list[Command] = []
    for line in text.splitlines():
        command = parse_v2(line, registered) or parse_legacy(line, registered)
        if command is None:
            continue
        name = command[0].lower()
        if stopped is not None:
            if name == stopped.lower():
                registered.discard(stopped.lower())
                stopped = None
                found.append(("resume", {}, ""))
            continue
        if name == "stop-commands":
            stopped = command[2]
            registered.add(stopped.lower())
        found.append(command)
    return found
