"""A restoration write (a service's, a job's or a pool's) that the server answered as drift's
own — its operation's response, the workload as the write left it, names the generation read
back, one past what drift read — and that reads back otherwise than drift sent: the server
landed it altered (review 856 F2: a server merging a message drift's request leaves out keeps
it, `mask_message: merged` in the sandbox). Never someone else's write, never "nothing was
written" (`drift.fix.restored.theirs`): the fields that differ from what was sent are named,
never their values. One written over by someone else before drift read it back (two or more
generations on, the answer still naming the one past what drift read: `landed_mine`) is said so —
landed, not as sent by the answer, then theirs — never "may have landed before that"."""

from __future__ import annotations

from typing import Any

from drift.diff.differences import template_differences
from drift.fields.access import template_of
from drift.fix.journal import Write
from drift.fix.readback import kept_beside
from drift.fix.routing import next_generation, past_next
from drift.kinds import Kind
from drift.live.api import written_since

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


def landed_mine(answer: Any, now: Any, write: Write) -> Any:
    """drift's write as the server stored it, when its answer proves it landed altered (the
    caller judged it not as sent): `now` where the answer names it (`answered`); the answer
    itself (the workload as the write left it) where it names the generation one past what
    drift read and `now` is past it, written over by someone else since; else None."""
    if answered(answer, now, write):
        return now
    if answer is not None and past_next(now, write):
        return answer if int(answer.generation) == write.generation_before + 1 else None
    return None


def mine_words(kind: Kind, name: str, sent: Any, landed: Any, now: Any, ours: Any = ()) -> str:
    """How `landed_mine` (`landed`) is said: altered as read back, or altered by the answer and
    then written over (`now`: who wrote since, `ours` the client drift's writes name)."""
    if landed is now:
        return altered_words(kind, name, sent, now)
    since = written_since(int(landed.generation), now, ours=ours)
    return (
        f"{altered_words(kind, name, sent, landed, answer=True)}, then {name} was changed by "
        f"someone else ({since}): their change stands"
    )


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


def altered_words(kind: Kind, name: str, sent: Any, now: Any, *, answer: bool = False) -> str:
    """drift's write landed (generation N) but did not come out as sent, in words: a plain
    sentence naming the fields that differ, never their values. `answer`: `now` is the
    server's answer to the write (what it left, read back since written over by someone
    else), not the workload read back."""
    named = differing(kind, sent, now)
    what = _listed(named) if named else "configuration"
    how = "came back in the server's answer" if answer else "reads back"
    how = how if answer or len(named) < 2 else "read back"
    return (
        f"drift's write landed (generation {int(now.generation)}, as the server's answer "
        f"names it) but did not come out as sent: the {kind.noun} {name}'s {what} {how} "
        f"otherwise than drift sent {'them' if len(named) > 1 else 'it'}"
    )


def _listed(names: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
