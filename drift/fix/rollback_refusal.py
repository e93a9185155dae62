"""What `drift rollback` says when it refuses (`rollback_check.check` found someone's change
since drift's last write), and the commands it names as the ways on. Each command names the
change and the `--service` selection given: a bare `drift rollback --force` rolls back the
latest change, all its workloads — not the change refused, nor only the workloads selected
(helper-752 F1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from drift.fix.journal import Entry
from drift.fix.rollback_check import Checked, who
from drift.kinds import Kind, workload_key
from drift.textsafe import visible


def forced(change: str, selected: Sequence[Entry] | None = None, live: str = "") -> str:
    """`drift rollback C --force`, with a `--service` for each workload of `selected` (None:
    no selection was given, every workload of the change left to roll back): what a way on
    names, so the command does what the sentence promises of it. `live`: the flags that
    rebuild the change from the live services (`drift.fix.recover.again`), where its
    journal does not hold it — without them the command finds no change (helper-753)."""
    return f"`drift rollback {visible(change)}{_selection(selected or ())}{_live(live)} --force`"


def unforced(change: str, past: str, names: Sequence[str] = ()) -> str:
    """The way on where the command `forced` names with `live` would be refused too, run now
    (`drift.fix.recover.refused_again`, `past`: a deploy since the canary): no `--force` is
    named, and what is said is what that rerun finds, with the command it names if any;
    `names`: the services it is said of, where the change has others."""
    of = f" of {', '.join(names)}" if names else ""
    now = f"drift cannot roll {visible(change)} back from the live service{of} now"
    return f"{now}, `--force` or not: {visible(past)}"


def _live(live: str) -> str:
    return f" {visible(live)}" if live else ""


def _selection(entries: Sequence[Entry]) -> str:
    """` --service KEY` for each workload of `entries`, as a command names them."""
    return visible("".join(f" --service {workload_key(Kind(e.kind), e.service)}" for e in entries))


def as_now(names: Sequence[str]) -> str:
    """What a `--force` rerun rebuilt from the live services restores from: the workloads
    `names` as they are now, someone's change since included (helper-760)."""
    return f"from {', '.join(names)} as {'it is' if len(names) == 1 else 'they are'} now"


def the_rest(
    stopped: list[Checked], checked: list[Checked], change: str, live: str = ""
) -> list[str]:
    """How to roll back the workloads of `checked` that nothing of `stopped` holds back (none:
    []); `live` as `forced` takes it."""
    free = [c.entry for c in checked if all(c is not r for r in stopped)]
    if not free:
        return []
    return [
        f"`drift rollback {visible(change)}{_selection(free)}{_live(live)}` rolls back the rest"
    ]


def refusal(
    refused: list[Checked],
    checked: list[Checked],
    change: str,
    selected: bool = False,
    live: str = "",
    past: Mapping[str, str] | None = None,
) -> str:
    """Why the rollback is refused, and the ways on: the changes to roll back first, the
    workloads nobody changed since (`--service`), `--force` (of `change`, and of the workloads
    `checked` where `selected`: a `--service` selection was given; `live` as `forced` takes
    it; `past`: by service, for each workload of `refused` this rollback rebuilt from the
    live services, why that command would be refused too — for those it is not named:
    `rebuilt_again`). Those the journal holds beside them (an earlier rollback from here
    journaled them, finished or not) are the journal's: their own `--force` restores from its
    entries, and is said as the journal's is (helper-771 R1, R2)."""
    said = "; ".join(visible(c.since.blocks + (f", {c.doing}" if c.doing else "")) for c in refused)
    ways = [f"{who(c.entry)}: {visible(c.trapped)}" for c in refused if c.trapped]
    ways += the_rest(refused, checked, change, live)
    force = forced(change, [c.entry for c in checked] if selected else None, live)
    if all(c.since.by_rollback is not None for c in refused):
        # nothing of the change is live: `--force` would only re-apply the earlier change
        return f"{said}: nothing was changed" + (f" ({'; '.join(ways)})" if ways else "")
    past = past or {}
    held = [c for c in refused if c.entry.service not in past] if live else []
    if held:  # the journal's, beside those rebuilt now: a `--force` of their own
        now = [c for c in refused if all(c is not h for h in held)]
        ways = rebuilt_again(now, checked, change, live, past, selected) if now else []
        ways += [f"{who(c.entry)}: {visible(c.trapped)}" for c in held if c.trapped]
        clause, way = _judged(held, held, forced(change, [c.entry for c in held]))
        ways += [way, *the_rest(refused, checked, change, live)]
        of = f"of {', '.join(who(c.entry) for c in held)}, " if now and clause else ""
        return _refused(said, f"{of}{clause}", ways)
    stuck = any(past.get(c.entry.service) for c in refused)
    if stuck or (live and not any(c.since.ours or c.back or c.doing for c in refused)):
        # rebuilt again from the live services, theirs is part of what it puts back
        ways = rebuilt_again(refused, checked, change, live, past, selected)
        return _refused(said, "", ways + the_rest(refused, checked, change, live))
    clause, way = _judged(refused, checked, force)
    return _refused(said, clause, [*ways, way])


def _refused(said: str, clause: str, ways: list[str]) -> str:
    return (
        f"{said}: " + (f"{clause}; " if clause else "") + f"nothing was changed ({'; '.join(ways)})"
    )


def _judged(refused: list[Checked], checked: list[Checked], force: str) -> tuple[str, str]:
    """What the journal says of `refused` (what `force`, of `checked`, would undo of theirs),
    and that way on."""
    if all(c.since.ours for c in refused):
        return "", f"{force} restores anyway, undoing that change too"
    if all(c.back for c in refused):  # put back by that write: nothing written to them
        return put_back_said([c.entry for c in refused]), f"{force} {_forced_back(checked)}"
    doing = [who(c.entry) for c in refused if c.doing]
    on = f": on {', '.join(doing)} it would supersede the deploy in progress" if doing else ""
    return FORCED_UNDOES, f"{force} restores anyway{on}"


def rebuilt_again(
    refused: list[Checked],
    checked: list[Checked],
    change: str,
    live: str,
    past: Mapping[str, str],
    selected: bool = False,
) -> list[str]:
    """The ways on of a change rebuilt from the live services, where `refused` were changed
    since: for those a rerun would refuse too (`past`: what it finds of each, a deploy since
    the canary) none but what that rerun says (with the command that lets theirs serve, where
    one does); `--force` of the others, from them as they are now (theirs is part of what it
    puts back) — of those alone (`--service`) where the change has more (what it says is all
    it writes: beside one a rerun refuses, a rerun is refused as a whole). The workloads
    nobody changed since are the caller's (`the_rest`)."""
    stuck = [c for c in refused if past.get(c.entry.service)]
    rest = [c for c in refused if all(c is not s for s in stuck)]
    ways = [f"{who(c.entry)}: {visible(c.trapped)}" for c in rest if c.trapped]
    if stuck:  # the gcloud command the check would name is in what the rerun says, if any
        names = [who(c.entry) for c in stuck] if len(checked) > 1 else []
        ways.append(unforced(change, "; ".join(past[c.entry.service] for c in stuck), names))
    if rest:
        whole = len(rest) == len(checked) and not selected
        force = forced(change, None if whole else [c.entry for c in rest], live)
        ways.append(f"{force} restores anyway, {as_now([who(c.entry) for c in rest])}")
    return ways


def _forced_back(checked: list[Checked]) -> str:
    """What `--force` does where every workload refused serves what served before already:
    writes nothing to those back, rolls back the change's others (helper-747 F1)."""
    writes = [who(c.entry) for c in checked if not c.back]
    if not writes:
        return "records the change as rolled back, writing nothing"
    back = ", ".join(who(c.entry) for c in checked if c.back)
    return f"writes nothing to {back} (as before already) and rolls back {', '.join(writes)}"


FORCED_UNDOES = (
    "rolling back would undo what of their change the lines above list (the rest of it stays)"
)
"""What a forced rollback does to someone else's change: it writes what each workload's lines
list (`differences`: a service's template, traffic and the service-level parts drift's change
set; a job's or pool's fields), and keeps the rest of theirs — a label they added, a
service-level setting drift never set (revfix60 F3)."""


def put_back_said(entries: list[Entry]) -> str:
    """Why a rollback refused over someone else's write (`since.blocks`) would not write: their
    write left each workload of `entries` as it was before the change (`Checked.back`,
    `Restored.back`). A service serves what served before; a job or pool runs what ran, it
    serves nothing; several are "they", and a service beside a job or pool is said apart
    (helper-752 F4)."""
    services = [who(e) for e in entries if e.kind == Kind.SERVICE.value]
    others = [who(e) for e in entries if e.kind != Kind.SERVICE.value]
    one = len(entries) == 1
    if services and others:
        was = (
            f"{_does(services, 'serve')} what served before the change already and "
            f"{_does(others, 'run')} what ran before it"
        )
    else:
        does, did = ("serve", "served") if services else ("run", "ran")
        was = f"{'it' if one else 'they'} {_verb(does, one)} what {did} before the change already"
    wrote, them = (
        ("that write put it back", "it") if one else ("those writes put them back", "them")
    )
    return (
        f"yet {was} ({wrote}), so rolling {them} back would write nothing to {them} and undo "
        "nothing of theirs"
    )


def _does(names: list[str], verb: str) -> str:
    """`app serves`, `app, web serve`."""
    return f"{', '.join(names)} {_verb(verb, len(names) == 1)}"


def _verb(verb: str, one: bool) -> str:
    return f"{verb}s" if one else verb


def put_back_left(
    entry: Entry,
    change: str,
    unwritten: str = "nothing was written",
    selected: Sequence[Entry] | None = None,
    live: str = "",
) -> str:
    """A workload nothing was written to, as someone else's write put it back (`Restored.back`):
    that, what it runs, and what `--force` of `change` (`forced`: of `selected` alone, where a
    `--service` selection was given) does to it (writes nothing, records it rolled back) — a
    rollback's refusal at write time and `drift fix`'s own put-back's (`drift.fix.workload`:
    `unwritten`, its put-back's, as its update was written); `live` as `forced` takes it."""
    name, force = who(entry), forced(change, selected, live)
    return (
        f"{put_back_said([entry])}; {unwritten} to {name} ({force} records {name} as rolled "
        "back, writing nothing to it)"
    )
