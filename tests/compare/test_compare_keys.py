"""`compare` pairs variables and mounts by container and name, never by the name it shows: a
main-container variable named `otel:TOKEN` is not the sidecar otel's `TOKEN`, and a variable
named `mount:/etc/x` is not the mount at `/etc/x`."""

from __future__ import annotations

from pathlib import Path

from drift.compare.run import compare_profiles
from drift.profiles.loader import load_profile
from tests.cliutil import drift

HEAD = "project: {}\nregion: us-central1\nservices:\n  api:\n"
SIDECAR = "    containers:\n      otel:\n        env:\n          TOKEN: {forbidden: true}\n"


def _write(directory: Path, a: str, b: str) -> Path:
    (directory / "a.yaml").write_text(HEAD.format("p-a") + a)
    (directory / "b.yaml").write_text(HEAD.format("p-b") + b)
    return directory


def test_a_variable_named_like_a_sidecars_is_not_the_sidecars(tmp_path: Path) -> None:
    profiles = _write(
        tmp_path, '    env:\n      "otel:TOKEN": {required: true}\n' + SIDECAR, SIDECAR
    )
    done = drift("compare", "a", "b", "--profiles", str(profiles))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "a requires otel:TOKEN on api; b does not name it" in done.stdout
    comparison = compare_profiles(load_profile(profiles, "a"), load_profile(profiles, "b"))
    assert [(d.kind.value, d.target, d.side) for d in comparison.differences] == [
        ("env.unsatisfied", "env.otel:TOKEN", "a")
    ]


def test_a_variable_named_like_a_mount_is_not_the_mount(tmp_path: Path) -> None:
    mount = "    mounts:\n      /etc/x: {secret: tls}\n"
    variable = '    env:\n      "mount:/etc/x": {secret: tls}\n'
    profiles = _write(tmp_path, mount, variable)
    comparison = compare_profiles(load_profile(profiles, "a"), load_profile(profiles, "b"))
    assert sorted((d.kind.value, d.side) for d in comparison.differences) == [
        ("env.unsatisfied", "a"),
        ("env.unsatisfied", "b"),
    ]
