"""Where the journal lives (SPEC invariant 5, issue 22): `.drift/journal/` beside the
project's configuration — the directory of the pyproject.toml holding `[tool.drift]`, else the
parent of the profiles directory — so every command finds it from any subdirectory;
`DRIFT_JOURNAL_DIR` and `--journal` override it; `.drift/.gitignore` (`*`) comes with it; and
`.drift` being a file is one clear error (issue 21 item 15)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from drift.fix.journal import Journal
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.cliutil import REPO, drift
from tests.fix.conftest import updates


def project(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "profiles", root / "deploy" / "profiles")
    (root / "pyproject.toml").write_text('[tool.drift]\nprofiles_dir = "deploy/profiles"\n')
    return root


def test_found_from_any_subdirectory(sandbox: Sandbox, tmp_path: Path) -> None:
    root = project(tmp_path)
    deep, other = root / "services" / "web" / "src", root / "docs"
    deep.mkdir(parents=True)
    other.mkdir()
    env = sandbox.environ()
    done = drift("fix", "e2e", "--yes", "--service", "web", env=env, cwd=deep)
    assert done.returncode == 0, done.stdout + done.stderr
    journal = root / ".drift" / "journal"
    (entry,) = Journal(journal).entries()
    assert f"recorded in {journal}" in done.stdout
    assert (root / ".drift" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not (deep / ".drift").exists()
    listed = drift("rollback", "--list", env=env, cwd=other)
    assert listed.returncode == 0 and entry.change_id in listed.stdout, listed.stdout
    rolled = drift("rollback", "--yes", env=env, cwd=other)
    assert rolled.returncode == 0 and "restored web" in rolled.stdout, rolled.stdout


def test_beside_the_profiles_without_a_project_file(sandbox: Sandbox, tmp_path: Path) -> None:
    profiles = tmp_path / "ops" / "profiles"
    shutil.copytree(REPO / "profiles", profiles)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = ("--profiles", str(profiles))
    done = drift("fix", "e2e", "--yes", "-s", "web", *args, env=sandbox.environ(), cwd=elsewhere)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(Journal(tmp_path / "ops" / ".drift" / "journal").entries()) == 1
    listed = drift("rollback", "--list", *args, env=sandbox.environ(), cwd=elsewhere)
    assert "web" in listed.stdout and "promoted" in listed.stdout, listed.stdout


def test_the_environment_and_the_option_override_it(sandbox: Sandbox, tmp_path: Path) -> None:
    root = project(tmp_path)
    chosen = tmp_path / "journals" / "staging"
    args = ("fix", "e2e", "--yes", "-s", "web", "--journal", str(chosen))
    done = drift(*args, env=sandbox.environ(), cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(Journal(chosen).entries()) == 1 and not (root / ".drift" / "journal").exists()
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(chosen)}
    listed = drift("rollback", "--list", env=env, cwd=root)
    assert "promoted" in listed.stdout, listed.stdout


def test_drift_being_a_file_is_one_clear_error(sandbox: Sandbox, tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / ".drift").write_text("not a directory\n")
    for args in (("fix", "e2e", "--yes", "-s", "web"), ("rollback", "--list")):
        done = drift(*args, env=sandbox.environ(), cwd=root)
        assert done.returncode == 2, done.stdout + done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith("drift: error: cannot ") and f"{root / '.drift'} is a file" in line
        assert "internal error" not in line and "Traceback" not in done.stderr
    assert updates(sandbox) == []


def test_check_and_history_refuse_a_journal_option_that_is_no_directory(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """revown23 3: `check`/`history --journal FILE` was passed over in silence (exit 1 and 0
    as without it: canary_record says nothing of a journal it cannot read) while fix and
    rollback refuse it: the option is refused before anything is read, exit 2, naming the
    path, for every command that takes it. A file on the way is refused too."""
    afile = tmp_path / "journal-file"
    afile.write_text("not a directory\n")
    sandbox.clear_calls()
    commands = (["check", "staging"], ["history", "staging", "-s", "web"], ["rollback", "--list"])
    for command in commands:
        for given in (afile, afile / "journal"):
            done = drift(*command, "--journal", str(given), env=sandbox.environ(), cwd=REPO)
            assert done.returncode == 2, (command, done.stdout + done.stderr)
            assert f"{afile} is a file, not a directory" in done.stderr, done.stderr
            assert "Traceback" not in done.stderr
    assert sandbox.calls == []  # refused before anything was read


def test_a_journal_option_that_does_not_exist_is_no_error_for_check_and_history(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Nothing was recorded there: check and history run as without a journal (check's exit
    is its findings', 1 for staging's drift) and create nothing."""
    missing = tmp_path / "nowhere" / "journal"
    for command, code in ((["check", "staging"], 1), (["history", "staging", "-s", "web"], 0)):
        done = drift(*command, "--journal", str(missing), env=sandbox.environ(), cwd=REPO)
        assert done.returncode == code, (command, done.stdout + done.stderr)
    assert not (tmp_path / "nowhere").exists()


def test_settings_from_a_subdirectory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The project's [tool.drift] applies from any subdirectory: its paths are relative to
    its pyproject.toml; a pyproject.toml without [tool.drift] on the way is passed over."""
    root = project(tmp_path)
    deep = root / "services" / "web"
    deep.mkdir(parents=True)
    (root / "services" / "pyproject.toml").write_text("[project]\nname = 'web'\n")
    for key in [k for k in os.environ if k.startswith("DRIFT_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(deep)
    settings = load_settings()
    # named from the working directory (SPEC Findings: location.file relative to it)
    assert settings.profiles_dir == Path("../../deploy/profiles")
    assert settings.profiles_dir.resolve() == (root / "deploy" / "profiles").resolve()
    assert settings.journal() == root / ".drift" / "journal"
    monkeypatch.setenv("DRIFT_JOURNAL_DIR", str(tmp_path / "elsewhere"))
    assert load_settings().journal() == tmp_path / "elsewhere"


@pytest.mark.parametrize(
    ("command", "code", "says"),
    [
        (["rollback", "--list"], 0, "unknown (entry refused: unreadable"),
        (["rollback", "--yes"], 2, "20261129-000000-abcd.json is unreadable"),
    ],
)
def test_a_journal_file_nested_too_deeply_is_one_clear_error(
    tmp_path: Path, command: list[str], code: int, says: str
) -> None:
    """A crafted journal file (JSON nested 100,000 deep) is named, no traceback: listed as
    refused, exit 2 when its change is the one rolled back."""
    journal = tmp_path / "journal"
    journal.mkdir()
    crafted = journal / "20261129-000000-abcd.json"
    crafted.write_text("[" * 100_000 + "]" * 100_000)
    crafted.chmod(0o600)  # the user's own (another's is refused unread: test_journal_trust)
    done = drift(*command, "--journal", str(journal), cwd=tmp_path)
    assert done.returncode == code, done.stdout + done.stderr
    assert says in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("how", "names"),
    [
        ("env", "DRIFT_JOURNAL_DIR is empty: it names no directory"),
        ("blank", "DRIFT_JOURNAL_DIR is empty: it names no directory"),
        ("option", "invalid value for '--journal': '' names no directory"),
        ("pyproject", "[tool.drift] journal_dir is empty: it names no directory"),
    ],
)
def test_an_empty_journal_setting_is_a_usage_error_naming_it(
    sandbox: Sandbox, tmp_path: Path, how: str, names: str
) -> None:
    """CI's `DRIFT_JOURNAL_DIR: ${{ vars.JOURNAL_DIR }}` with the variable undefined is "",
    which `Path` reads as the working directory: the journal (whole service configurations)
    and a `.gitignore` of `*` landed in a repository's root, and git then ignored every new
    file there. It names no directory: exit 2 naming where it came from, before anything is
    read or written (taking it for the default would split the record of changes between
    two journals: `drift rollback` where the variable is set would not find the change)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    env = sandbox.environ()
    args = ["fix", "staging", "-s", "web", "--yes", "--profiles", str(REPO / "profiles")]
    if how in ("env", "blank"):
        env["DRIFT_JOURNAL_DIR"] = "" if how == "env" else "  "
    elif how == "option":
        args += ["--journal", ""]
    else:
        (repo / "pyproject.toml").write_text('[tool.drift]\njournal_dir = ""\n')
    done = drift(*args, env=env, cwd=repo)
    assert done.returncode == 2, done.stdout + done.stderr
    assert names in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in repo.iterdir()) == (
        ["pyproject.toml"] if how == "pyproject" else []
    )
    assert updates(sandbox) == []


@pytest.mark.parametrize("how", ["env", "option"])
def test_an_empty_profiles_setting_is_a_usage_error_naming_it(tmp_path: Path, how: str) -> None:
    """`DRIFT_PROFILES_DIR=` read as the working directory said "staging.yaml does not
    exist (available: none)": the empty value is what to fix, and the message says so."""
    env, args = {}, ["check", "staging"]
    if how == "env":
        env["DRIFT_PROFILES_DIR"] = ""
    else:
        args += ["--profiles", ""]
    done = drift(*args, env=env, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    said = "DRIFT_PROFILES_DIR is empty" if how == "env" else "'--profiles': '' names no"
    assert said in done.stderr, done.stderr


def test_a_journal_named_in_a_directory_drift_did_not_make_gets_no_gitignore(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """`--journal .` in a repository's root: the entries go where they are told, but the
    `.gitignore` of `*` goes only into `.drift/` or a directory drift creates — never into
    one someone else made, where git would then ignore every new file."""
    repo = tmp_path / "repo"
    repo.mkdir()
    args = ["fix", "staging", "-s", "web", "--yes", "--profiles", str(REPO / "profiles")]
    done = drift(*args, "--journal", ".", env=sandbox.environ(), cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(Journal(repo).entries()) == 1
    assert not (repo / ".gitignore").exists()
    fresh = Journal(tmp_path / "made" / "journal").open().directory  # drift makes it: its own
    assert (fresh / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_fix_that_changes_nothing_leaves_no_journal(sandbox: Sandbox, tmp_path: Path) -> None:
    """Declined (no terminal: "no") or a dry run: nothing was changed, nothing recorded, so
    no `.drift/journal/` appears in the checkout; only a write that needs it makes it (revci)."""
    root = project(tmp_path)
    declined = drift("fix", "e2e", "-s", "web", env=sandbox.environ(), cwd=root)
    assert declined.returncode == 4, declined.stdout + declined.stderr
    assert "declined: nothing was changed" in declined.stdout
    dry = drift("fix", "e2e", "-s", "web", "--dry-run", env=sandbox.environ(), cwd=root)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert not (root / ".drift").exists()
    assert [u for u in updates(sandbox) if not u.validate_only] == []  # the dry run validated
    # a journal someone made stays, and what drift recorded in it too
    (root / ".drift").mkdir()
    again = drift("fix", "e2e", "-s", "web", env=sandbox.environ(), cwd=root)
    assert again.returncode == 4 and (root / ".drift").is_dir()
    assert not (root / ".drift" / "journal").exists()
    done = drift("fix", "e2e", "-s", "web", "--yes", env=sandbox.environ(), cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(Journal(root / ".drift" / "journal").entries()) == 1


@pytest.mark.parametrize("command", ["check", "history"])
def test_every_command_that_reads_the_journal_takes_the_option(
    sandbox: Sandbox, tmp_path: Path, command: str
) -> None:
    """check and history read the journal (whether a drift canary ever served decides `since`,
    `last_good` and "a fix may still be running"), but only fix and rollback took --journal:
    a team that keeps it with `--journal DIR` got them from the revisions' shape alone (SPEC
    invariant 5: `--journal` overrides the location "so every command finds it")."""
    profiles = ("--profiles", str(REPO / "profiles"))
    chosen = tmp_path / "journals" / "staging"
    done = drift(command, "e2e", *profiles, "--journal", str(chosen), env=sandbox.environ())
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert not chosen.exists()  # read, never made by a command that only reads
    empty = drift(command, "e2e", *profiles, "--journal", "", env=sandbox.environ())
    assert empty.returncode == 2
    assert "invalid value for '--journal': '' names no directory" in empty.stderr, empty.stderr


def test_a_journal_setting_that_is_no_directory_is_refused_from_every_source(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """`DRIFT_JOURNAL_DIR` or `[tool.drift] journal_dir` naming a file (or a path through one)
    was passed over in silence by check and history, as `--journal FILE` was before it was
    refused: refused alike, exit 2, naming the source and the file, before anything is read."""
    root = project(tmp_path)
    afile = root / "journal-file"
    afile.write_text("not a directory\n")
    config = root / "pyproject.toml"
    for source in ("env", "config"):
        env = sandbox.environ()
        if source == "env":
            env["DRIFT_JOURNAL_DIR"] = str(afile / "journal")
        else:
            config.write_text(
                '[tool.drift]\nprofiles_dir = "deploy/profiles"\njournal_dir = "journal-file"\n'
            )
        for command in (["check", "staging"], ["history", "staging", "-s", "web"]):
            sandbox.clear_calls()
            done = drift(*command, env=env, cwd=root)
            assert done.returncode == 2, (source, command, done.stdout + done.stderr)
            said = done.stderr
            assert f"{afile} is a file, not a directory" in said or (
                source == "config" and "journal-file is a file, not a directory" in said
            ), said
            assert ("DRIFT_JOURNAL_DIR" if source == "env" else "[tool.drift] journal_dir") in said
            assert "Traceback" not in said and sandbox.calls == []


def test_a_gitignore_cut_short_by_a_full_disk_is_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An older drift wrote `.drift/.gitignore` in place (create, then write) and only when
    it was missing: a full disk (ENOSPC after the create: seen on a small tmpfs) or a kill
    between the two left it EMPTY, and no later run wrote it again, so the journal's entries
    (service configurations) became files `git add -A` commits (revupgrade F3). It is now
    written whole (a temporary file renamed over it), and written again whenever it does not
    ignore everything."""
    import errno

    from drift.errors import JournalError
    from drift.fix.journalfiles import GITIGNORE, create

    journal = tmp_path / "repo" / ".drift" / "journal"
    real = Path.write_text

    def full_disk(self: Path, data: str, *args: object, **kwargs: object) -> int:
        self.touch()  # created, then the write finds no room (as Path.write_text did it)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    try:
        create(journal)
    except JournalError:
        pass  # said, nothing written: fine so far
    monkeypatch.setattr(Path, "write_text", real)
    create(journal)  # the next run, the disk has room again
    ignore = tmp_path / "repo" / ".drift" / ".gitignore"
    assert ignore.read_text() == GITIGNORE
    for left in ("", GITIGNORE[:20]):  # what an older drift's cut-short write left
        ignore.write_text(left)
        create(journal)
        assert ignore.read_text() == GITIGNORE, repr(left)


def test_a_users_own_lines_in_drifts_gitignore_are_kept(tmp_path: Path) -> None:
    """A `.drift/.gitignore` with a user's lines but no `*`: their lines stay, drift's follow
    (the last pattern that matches wins: `*`); one that ignores everything is left as it is."""
    from drift.fix.journalfiles import GITIGNORE, create

    journal = tmp_path / ".drift" / "journal"
    ignore = tmp_path / ".drift" / ".gitignore"
    ignore.parent.mkdir()
    ignore.write_text("notes.txt")
    create(journal)
    assert ignore.read_text() == "notes.txt\n" + GITIGNORE
    ignore.write_text("# ours\n*\n!README\n")
    create(journal)
    assert ignore.read_text() == "# ours\n*\n!README\n"


def test_listing_a_journal_that_is_not_there_says_so(tmp_path: Path) -> None:
    """revinput60 F4: `rollback --list --journal /mistyped` listed "no change recorded", as
    for a journal with nothing in it: a mistyped name read as an empty history. It says no
    journal is there (still exit 0: a project where no fix has run yet is no error)."""
    from drift.fix.rollback import list_changes

    listed = list_changes(load_settings(journal_dir=tmp_path / "mistyped"))
    assert listed.summary() == (
        f"no change recorded in {tmp_path / 'mistyped'} (no journal is there: `drift fix` "
        "writes one when it changes something; one elsewhere: --journal DIR or "
        "DRIFT_JOURNAL_DIR)"
    )
    (tmp_path / "empty").mkdir()
    listed = list_changes(load_settings(journal_dir=tmp_path / "empty"))
    assert listed.summary() == f"no change recorded in {tmp_path / 'empty'}"
