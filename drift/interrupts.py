"""What the interrupt that stopped a command is called: "Ctrl-C", or the signal drift takes as
one (SIGTERM from `docker stop` or a cancelled CI job, SIGHUP from a closed terminal:
`drift.cli.signals.like_ctrl_c`), so that what is said and recorded while the command still
cleans up (a journal's note, a line) names it as the final line does."""

from __future__ import annotations

_received: list[str] = []


def interrupt_name() -> str:
    """The signal taken as Ctrl-C since the command began, by its name; else "Ctrl-C"."""
    return _received[0] if _received else "Ctrl-C"


def received(name: str) -> None:
    _received.append(name)


def forget() -> None:
    """The command is over: the next one's interrupt is its own."""
    _received.clear()
