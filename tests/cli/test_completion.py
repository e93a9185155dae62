"""Shell completion: `--install-completion` / `--show-completion` exist, and the script they
install completes commands, environments (never a base profile) and each command's own
formats, without importing a Google library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cliutil import REPO, drift

# typer asks shellingham which shell runs it; a test names the shell instead
NO_DETECTION = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}


def complete(line: str) -> list[str]:
    """What bash completion offers for the last word of `line` (as the installed script asks)."""
    words = line.split(" ")
    done = drift(
        env={
            "_DRIFT_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(len(words) - 1),
        }
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout.split()


def test_help_offers_completion() -> None:
    text = drift("--help").stdout
    assert "--install-completion" in text and "--show-completion" in text


def test_show_completion_prints_the_script() -> None:
    done = drift("--show-completion", "bash", env=NO_DETECTION)
    assert done.returncode == 0
    assert "_DRIFT_COMPLETE=complete_bash" in done.stdout
    assert "complete -o default -F _drift_completion drift" in done.stdout


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("drift ch", ["check"]),
        ("drift profiles ", ["validate", "schema"]),
        ("drift check ", ["e2e", "staging"]),  # base is extended, not an environment
        ("drift fix s", ["staging"]),
        ("drift check staging --format ", ["table", "json", "github", "sarif", "markdown"]),
        ("drift plan staging --format ", ["table", "json", "gcloud", "yaml"]),
    ],
)
def test_completion_offers(line: str, offered: list[str]) -> None:
    assert complete(line) == offered


def test_completion_of_an_unreadable_directory_offers_nothing() -> None:
    assert complete("drift check --profiles /nonexistent/profiles ") == []


def test_completion_imports_no_google_library() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "drift"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(REPO),
            "_DRIFT_COMPLETE": "complete_bash",
            "COMP_WORDS": "drift check ",
            "COMP_CWORD": "2",
        },
    )
    assert done.stdout.split() == ["e2e", "staging"]
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    assert not [m for m in imported if m.startswith(("google", "grpc"))]


def files_under(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("shell", "written", "said"),
    [
        ("zsh", [".zfunc/_drift", ".zshrc"], "changed {home}/.zshrc: it loads completions"),
        (
            "bash",
            [".bash_completions/drift.sh", ".bashrc"],
            "changed {home}/.bashrc: it sources {home}/.bash_completions/drift.sh",
        ),
        ("fish", [".config/fish/completions/drift.fish"], "no start-up file changed"),
    ],
)
def test_install_completion_for_the_shell_named(
    tmp_path: Path, shell: str, written: list[str], said: str
) -> None:
    """The shell named is the one installed (typer's option took no value: `zsh` after it was
    never read, and the shell running drift got it, its rc file changed), and the output says
    each file changed."""
    done = drift("--install-completion", shell, env={"HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert files_under(tmp_path) == written
    assert f"{shell} completion installed in {tmp_path}/{written[0]}" in done.stdout
    assert said.format(home=tmp_path) in done.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--install-completion", "bogus"), "--install-completion: no completion for shell"),
        (("--install-completion", "zsh", "extra"), "--install-completion takes one shell, not 2"),
        (("--show-completion", "bogus"), "--show-completion: no completion for shell"),
    ],
)
def test_a_shell_there_is_no_completion_for_is_refused(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    done = drift(*args, env={"HOME": str(tmp_path)})
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"drift: error: {said}")
    assert "bash, zsh, fish, powershell, pwsh" in done.stderr
    assert "Traceback" not in done.stderr
    assert files_under(tmp_path) == []


def test_show_completion_for_the_shell_named(tmp_path: Path) -> None:
    done = drift("--show-completion", "zsh", env={"HOME": str(tmp_path)})
    assert done.returncode == 0
    assert done.stdout.startswith("#compdef drift")
    assert files_under(tmp_path) == []


def test_help_says_the_completion_options_take_a_shell() -> None:
    text = drift("--help").stdout
    assert "--install-completion [SHELL]" in text and "--show-completion [SHELL]" in text


def test_install_completion_for_powershell_says_the_policy_it_changes(tmp_path: Path) -> None:
    """helper-613 M8: typer's install runs `Set-ExecutionPolicy Unrestricted -Scope
    CurrentUser` before it appends the script to the profile; it was done unsaid. A stand-in
    pwsh records what it is asked and answers the profile's path."""
    import os
    import stat

    bin_dir, home = tmp_path / "bin", tmp_path / "home"
    bin_dir.mkdir()
    home.mkdir()
    profile = home / "Microsoft.PowerShell_profile.ps1"
    calls = tmp_path / "calls.log"
    pwsh = bin_dir / "pwsh"
    pwsh.write_text(
        f'#!/bin/sh\necho "$*" >> {calls}\ncase "$*" in *profile*) echo "{profile}";; esac\n'
    )
    pwsh.chmod(pwsh.stat().st_mode | stat.S_IXUSR)
    env = {"HOME": str(home), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = drift("--install-completion", "pwsh", env=env)
    assert done.returncode == 0, done.stderr
    assert "Set-ExecutionPolicy Unrestricted -Scope CurrentUser" in calls.read_text()
    said = " ".join(done.stdout.split())
    assert f"changed {profile} (the pwsh profile): the script is appended to it" in said, said
    assert (
        "ran `Set-ExecutionPolicy Unrestricted -Scope CurrentUser`, which on Windows sets" in said
    ), said
