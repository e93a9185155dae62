"""A fix that made the journal and recorded nothing removes it (`drift.fix.unmade`); one that
recorded something keeps it whole, its `.gitignore` (`*`: "service configurations, never
commit") included, whatever order the file system lists the directory in (ext4: hash order)
and whatever another fix writes there meanwhile (revown18 F1)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drift.fix.journal import Journal
from drift.fix.journalfiles import GITIGNORE
from drift.fix.unmade import made_only_if_used
from drift.sandbox import Sandbox
from tests.cliutil import REPO, python_code

ENTRY = "20261130-080101-1ef3a--service--api.json"
ORDERS = {"ascending": False, "descending": True}
"""`.gitignore` listed before the entry (ascending) or after it."""

SHIM = """import os
_listdir, _scandir = os.listdir, os.scandir
_reverse = os.environ.get("DRIFT_TEST_LISTING") == "descending"
def listdir(path="."):
    return sorted(_listdir(path), reverse=_reverse)
class _Listing:
    def __init__(self, path="."):
        with _scandir(path) as found:
            self.entries = sorted(found, key=lambda e: e.name, reverse=_reverse)
    def __iter__(self):
        return iter(self.entries)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return None
    def close(self):
        return None
os.listdir, os.scandir = listdir, _Listing
"""
"""Code that makes a drift process list every directory in one order (os.listdir, which
Path.iterdir uses, and os.scandir, which Path.glob uses). drift and the standard library look
both up on `os` when they list (`os.listdir(…)`; no `from os import listdir`), so the code
needs no interpreter start of its own: it runs first in a `python -c` program, forked from the
zygote (`python_code`), before drift's main."""


@pytest.fixture(params=sorted(ORDERS))
def listing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """This process lists every directory sorted one way (os.listdir, which Path.iterdir
    uses, and os.scandir)."""
    reverse = ORDERS[request.param]
    listdir, scandir = os.listdir, os.scandir

    def ordered(path: str | Path = ".") -> list[str]:
        return sorted(listdir(path), reverse=reverse)

    class Listing(list[os.DirEntry[str]]):
        def __init__(self, path: str | Path = ".") -> None:
            with scandir(path) as found:
                super().__init__(sorted(found, key=lambda e: e.name, reverse=reverse))

        def __enter__(self) -> Listing:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(os, "listdir", ordered)
    monkeypatch.setattr(os, "scandir", Listing)
    yield request.param


def first_fix(journal: Path, during: Callable[[], object] = lambda: None) -> None:
    """A first fix into the journal it makes: `.gitignore`, `locks/` (released), an entry."""
    with made_only_if_used(journal):
        journal.mkdir(parents=True)
        (journal / ".gitignore").write_text(GITIGNORE)
        (journal / "locks").mkdir()
        during()


def test_a_first_fix_keeps_its_journal_and_gitignore(listing: str, tmp_path: Path) -> None:
    journal = tmp_path / "journals" / "staging"
    first_fix(journal, lambda: (journal / ENTRY).write_text("{}\n"))
    assert (journal / ENTRY).exists()
    assert (journal / ".gitignore").read_text() == GITIGNORE


def test_a_declined_fix_beside_a_real_one_keeps_the_real_ones_gitignore(
    listing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real fix writes its entry after the declined one judged the journal removable:
    while its `locks/` is removed (nothing is removed before the directory is looked at
    again), and while the journal itself is (its `.gitignore` is put back)."""
    rmdir = os.rmdir
    for during in ("locks", "staging"):
        journal = tmp_path / during / "staging"

        def real_fix_meanwhile(
            path: str | Path, *args: object, during: str = during, journal: Path = journal
        ) -> None:
            if Path(path).name == during:
                (journal / ENTRY).write_text("{}\n")
            rmdir(path)

        monkeypatch.setattr(os, "rmdir", real_fix_meanwhile)
        first_fix(journal)
        assert (journal / ENTRY).exists(), during
        assert (journal / ".gitignore").read_text() == GITIGNORE, during


def test_a_fix_that_recorded_nothing_still_leaves_nothing(listing: str, tmp_path: Path) -> None:
    journal = tmp_path / "repo" / ".drift" / "journal"
    (tmp_path / "repo").mkdir()
    with made_only_if_used(journal):
        Journal(journal).open()
        (journal / "locks").mkdir()
    assert not (tmp_path / "repo" / ".drift").exists()
    kept = tmp_path / "kept" / "journal"  # a file that is not drift's: everything stays
    first_fix(kept, lambda: (kept / "locks" / "notes.txt").write_text("mine\n"))
    assert (kept / ".gitignore").exists() and (kept / "locks" / "notes.txt").exists()


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_a_first_fix_from_the_command_line_keeps_the_gitignore(
    order: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    """`drift fix --journal DIR` (DIR new) in a process that lists directories one way."""
    chosen = tmp_path / "journals" / "staging"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    env = {**base, **sandbox.environ(), "PYTHONPATH": str(REPO)}
    env["DRIFT_TEST_LISTING"] = order
    args = ("fix", "e2e", "--yes", "-s", "web", "--journal", str(chosen))
    done = python_code(f"{SHIM}\nfrom drift.cli import main\nmain()\n", *args, env=env, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(Journal(chosen).entries()) == 1
    assert (chosen / ".gitignore").read_text() == GITIGNORE
