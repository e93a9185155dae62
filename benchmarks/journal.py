"""`make bench`, a year of journal: `drift fix staging --yes`, `drift rollback CHANGE --yes` and
`drift check staging` on the demo's world, as a user times them (whole processes, median of
RUNS), with a journal of ENTRIES entries against the same with an empty one. An on-call team's
journal grows by one entry per workload per fix (13-20 KB each) and is never pruned. The
entries are made by the journal's own writer: a real fix and a real rollback on the sandbox,
their entries recorded again under older change ids (`Journal.record`, checksums and all)."""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.measure import REPO, Process, child_env, drift_command, timed

ENTRIES = 2000
RUNS = 3
APART = dt.timedelta(hours=8, minutes=45)
"""Between two copied changes: a year of ENTRIES entries, two workloads a fix."""
COMMANDS = ("fix", "rollback", "check")
Measured = dict[str, dict[str, list[Process]]]
"""Per journal (`empty`, then ENTRIES) and command, its runs."""
# Targets (here, in the benchmark's output; never in timed tests).
ADDED = {"fix": 0.3, "rollback": 1.8, "check": 0.3}
"""CPU seconds (user + system) a journal of ENTRIES entries may add to each command over an
empty one: the journal's cost is the process's own (each entry decoded and judged), where a
wall on a shared 2-core machine moves by seconds between two runs of the same command (as
measured before this bench's targets were met: check +4.7 s, then +0.6 s). `fix` and
`check` read only the entries of the changes whose canaries they meet and the newest entry of
each service a fix writes (`drift.fix.journalview`): listing the directory is what grows, so
300 ms is room for noise, no more. `rollback` judges the change against every later change
of its workloads, which any entry of theirs may be, so it reads their entries once (here every
change is of both services the demo's fix writes: all 2,000, 1.1-1.3 s of CPU decoded and
judged) and, under its locks, only the files whose bytes changed since (`Journal.again`:
0.2 s to read and hash the rest): 1.8 s leaves room for noise; main read every entry twice
(+2.3 s)."""


def _run(argv: Sequence[str], env: dict[str, str], cwd: Path, expect: int) -> Process:
    return timed([*drift_command(), *argv], env, cwd, expect=(expect,))


def _seed(env: dict[str, str], cwd: Path) -> list[Any]:
    """The entries of one real fix and its rollback, as the journal holds them."""
    from drift.fix.journal import Journal

    _run(["fix", "staging", "--yes"], env, cwd, 0)
    _run(["rollback", "--yes"], env, cwd, 0)
    return [e for e in Journal(cwd / ".drift" / "journal").entries() if not e.problem]


def _year(seed: list[Any], directory: Path, entries: int) -> None:
    """`entries` entries in `directory`: the seed's, recorded again under older change ids,
    promoted and rolled back alike (each canary renamed after its change)."""
    from drift.fix.journal import Journal

    journal = Journal(directory).open()
    first = dt.datetime.now(dt.UTC) - APART * (entries // len(seed) + 1)
    made = 0
    while made < entries:
        when = first + APART * made
        change = f"{when:%Y%m%d-%H%M%S}-{made % 0xFFFFF:05x}"
        for one in seed:
            entry = copy.deepcopy(one)
            was, entry.change_id, entry.source = entry.change_id, change, ""
            entry.canary_revision = entry.canary_revision.replace(was, change)
            entry.tag = entry.tag.replace(was, change)
            journal.record(entry, entry.state, "recorded again for the benchmark")
            made += 1


def _journal(cwd: Path, template: Path | None) -> Path:
    journal = cwd / ".drift" / "journal"
    shutil.rmtree(journal, ignore_errors=True)
    if template is not None:
        shutil.copytree(template, journal)  # modes kept: 0600 entries, a 0700 directory
        os.sync()  # its 40 MB written out before the clock starts, not during the fix
    return journal


def _change(journal: Path, before: set[str]) -> str:
    made = {p.name.split("--", 1)[0] for p in journal.glob("*.json")} - before
    if len(made) != 1:
        raise SystemExit(f"the fix recorded {len(made)} changes, not 1: {sorted(made)}")
    return made.pop()


def measure_journal(runs: int = RUNS, entries: int = ENTRIES) -> Measured:
    """Per journal (`empty`, `ENTRIES`) and command, its runs (the first round not kept)."""
    from drift.sandbox import Sandbox, mint_test_jwt

    out: dict[str, dict[str, list[Process]]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="drift-bench-") as tmp,
        Sandbox() as sandbox,  # no latency: the journal's cost is the machine's, not the API's
    ):
        where = Path(tmp)
        cwd, year = where / "work", where / "year"
        cwd.mkdir()
        shutil.copytree(REPO / "profiles", cwd / "profiles")
        env = child_env(sandbox.environ())
        jwt = sandbox.secret_value("acme-chat-staging", "jwt-secret-staging")
        env["ACME_TEST_JWT"] = mint_test_jwt(jwt)  # what the demo's probe of api sends
        sandbox.reset()
        _year(_seed(env, cwd), year, entries)
        journals = {"empty": None, f"{entries:,}": year}
        for _ in range(runs + 1):  # the first round warms the caches: not counted
            for name, template in journals.items():  # interleaved: a busy moment hits both
                sandbox.reset()
                journal = _journal(cwd, template)
                before = {p.name.split("--", 1)[0] for p in journal.glob("*.json")}
                fixed = _run(["fix", "staging", "--yes"], env, cwd, 0)
                change = _change(journal, before)
                rolled = _run(["rollback", change, "--yes"], env, cwd, 0)
                checked = _run(["check", "staging"], env, cwd, 1)  # drifted again: `since` read
                for command, done in zip(COMMANDS, (fixed, rolled, checked), strict=True):
                    out.setdefault(name, {}).setdefault(command, []).append(done)
    return {name: {c: done[1:] for c, done in commands.items()} for name, commands in out.items()}


def rows(measured: Measured) -> list[list[str]]:
    """The targets' rows of the report: the CPU the journal adds to each command, medians
    (and the walls', which a busy machine moves)."""
    (_, none), (size, full) = measured.items()
    out = []
    for command in COMMANDS:
        cpu = [statistics.median(p.cpu for p in one[command]) for one in (full, none)]
        wall = [statistics.median(p.wall for p in one[command]) for one in (full, none)]
        added = cpu[0] - cpu[1]
        out.append(
            [
                f"journal of {size} entries: the CPU it adds to {command}",
                f"{added * 1000:,.0f} ms",
                f"≤ {ADDED[command] * 1000:,.0f} ms (CPU {cpu[0] * 1000:,.0f} against "
                f"{cpu[1] * 1000:,.0f} ms; wall {wall[0] * 1000:,.0f} against "
                f"{wall[1] * 1000:,.0f} ms; medians of {len(full[command])})",
                "PASS" if added <= ADDED[command] else "MISS",
            ]
        )
    return out


def main() -> None:
    import argparse
    import time

    parser = argparse.ArgumentParser(prog="python -m benchmarks.journal", description=__doc__)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--entries", type=int, default=ENTRIES)
    args = parser.parse_args()
    started = time.perf_counter()
    for row in rows(measure_journal(args.runs, args.entries)):
        print("  ".join(row))
    print(f"took {time.perf_counter() - started:.0f} s")
    print(f"(median of {args.runs} runs each, python -m benchmarks.journal)")


if __name__ == "__main__":
    main()
