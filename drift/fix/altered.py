"""A restoration write (a service's, a job's or a pool's) that the server answered as drift's
own — its operation's response, the workload as the write left it, names the generation read
back, one past what drift read — and that reads back otherwise than drift sent: the server
landed it altered (review 856 F2: a server merging a message drift's request leaves out keeps
it, `mask_message: merged` in the sandbox). Never someone else's write, never "nothing was
written" (`drift.fix.restored.theirs`): the fields that differ from what was sent are named,
never their values."""

from __future__ import annotations

from typing import Any

from drift.diff.differences import template_differences
from drift.fields.access import template_of
from drift.fix.journal import Write
from drift.fix.readback import kept_beside
from drift.fix.routing import next_generation
from drift.kinds import Kind

EXECUTION = ("parallelism", "task_count")
"""A job's ExecutionTemplate's own settings, outside its task template."""


def answered(answer: Any, now: Any, write: Write) -> bool:
    """Whether the server's answer to `write` (None: lost, or refused) names the generation
    read back `now`, one past what drift read: `now` is drift's write as the server stored
    it, and nobody's after it ("monotonically increases every time the user modifies the
    desired state"), whatever it holds. A lost answer never proves this (`lost_answer`)."""
    if answer is None or not next_generation(now, write):
        return False
    return int(answer.generation) == int(now.generation)


def differing(kind: Kind, sent: Any, now: Any) -> list[str]:
    """The fields `now` holds otherwise than drift's write `sent`, by name: the template's
    (`template_differences`' lines, their values left out), those a job's or pool's template
    holds outside it (a job's task count, a pool's instance count), and those outside the
    template (a service's traffic, its own settings; labels by key: `kept_beside`)."""
    lines = template_differences(template_of(sent), template_of(now))
    names = [line.split(":", 1)[0] for line in lines]
    if kind is Kind.JOB:  # its ExecutionTemplate's own
        was, read = sent.template, now.template
        names += [f"template.{n}" for n in EXECUTION if getattr(was, n) != getattr(read, n)]
    outside = kept_beside(sent, now)
    names += outside.split("; ") if outside else []
    return list(dict.fromkeys(names))


def altered_words(kind: Kind, name: str, sent: Any, now: Any) -> str:
    """drift's write landed (generation N) but did not come out as sent, in words, naming
    what differs (as `drift.fix.keep_routing` says of a clean-up write)."""
    named = differing(kind, sent, now)
    what = ", ".join(named) if named else "its configuration"
    return (
        f"drift's write landed (generation {int(now.generation)}, as the server's answer "
        f"names it) but did not come out as sent: the {kind.noun} {name} reads back otherwise "
        f"than drift sent in {what}"
    )
