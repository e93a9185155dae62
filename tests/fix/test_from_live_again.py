"""The flags a `drift rollback C --from-live ENV` refusal's commands carry name the profiles
directory the change was rebuilt from when it is not `./profiles`: without `--profiles`, the
command named read `./profiles` (none there: "profiles directory not found"; another project's
`lab.yaml` there: that project) (helper-761)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from drift.cli.session import Invocation
from drift.fix.recover import again
from drift.profiles.model import Profile

LAB = "project: {}\nregion: us-central1\nservices:\n  app: {{}}\n"


def _lab(folder: Path, project: str) -> None:
    folder.mkdir(parents=True)
    (folder / "lab.yaml").write_text(LAB.format(project))


def _read(profiles: Path | None) -> Profile:
    cli = Invocation(environment="lab", profiles=profiles)
    return cli.profile(cli.settings())


@pytest.mark.parametrize("given", ["ops/profiles", "my ops/profiles"])
def test_the_command_named_reads_the_profiles_the_change_was_rebuilt_from(
    given: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lab(tmp_path / given, "ours")
    _lab(tmp_path / "profiles", "another")
    monkeypatch.chdir(tmp_path)
    flags = shlex.split(again(_read(Path(given)), stopped=False))
    assert flags == ["--from-live", "lab", "--profiles", given]
    assert _read(Path(flags[flags.index("--profiles") + 1])).project == "ours"


def test_the_profiles_here_need_no_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _lab(tmp_path / "profiles", "ours")
    monkeypatch.chdir(tmp_path)
    assert again(_read(None), stopped=True) == "--from-live lab --stopped"
