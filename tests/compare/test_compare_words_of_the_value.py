"""Words of a value that are not an environment's name although they spell one (helper-618 F4):
the root of a Linux path (`/dev/shm`, `/dev/stdout`: the device tree, where Cloud Run's
in-memory filesystem is, run/docs/container-contract#filesystem) — an entry of the device tree,
never any `/dev/…` (`/dev/v1`, a bare `/dev`: an API's route, helper-625 F5). A word both
environments keep in the same place is still the other's (helper-625 F3 reverted that rule:
it hid `env=staging` left in prod's values)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.compare.markers import mentions
from tests.cliutil import drift

HEAD = "project: {}\nregion: us-central1\nservices:\n  web:"


def _compare(
    tmp_path: Path,
    envs: tuple[tuple[str, str, dict[str, str]], tuple[str, str, dict[str, str]]],
) -> set[str]:
    """`compare A B` of web with these variables (environment, project, env): kind, target,
    side."""
    for name, project, env in envs:
        lines = "".join(f"\n      {k}: {json.dumps(v)}" for k, v in env.items())
        body = f"\n    env:{lines}\n" if env else " {}\n"
        (tmp_path / f"{name}.yaml").write_text(HEAD.format(project) + body)
    done = drift("compare", envs[0][0], envs[1][0], "--profiles", str(tmp_path), "-f", "json")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    differences = json.loads(done.stdout)["differences"]
    return {f"{d['kind']} {d['target']} {d['side']}" for d in differences}


# -- F4: a Linux path's root ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("/dev/shm", False),
        ("/dev/stdout", False),
        ("/dev/null", False),
        ("/dev", True),  # a bare `/dev`: a route as well (helper-625 F5)
        ("/dev/v1", True),  # an API's route, no entry of the device tree
        ("/dev/shm/metrics", False),
        ("file:///dev/stdout", False),
        ("--log=/dev/stderr", False),
        ("/usr/bin:/dev/fd", False),
        ("gs://shop-assets/dev/x", True),  # a word of a bucket's path: still the environment's
        ("/srv/dev/cache", True),  # not the root
        ("https://api.example.com/dev/v1", True),
        ("/Dev/shm", True),  # Linux is case-sensitive: no device tree
    ],
)
def test_a_linux_path_root_is_no_environment(text: str, named: bool) -> None:
    assert mentions(text, "dev", "TMPDIR") is named


DEVICE_PATHS = {
    "TMPDIR": "/dev/shm",
    "LOG_FILE": "/dev/stdout",
    "PROMETHEUS_MULTIPROC_DIR": "/dev/shm/metrics",
}


def test_device_paths_in_dev_and_prod_are_no_difference(tmp_path: Path) -> None:
    """main: 3 `value.shared` ("TMPDIR names dev in both dev and prod"), exit 1."""
    envs = (("dev", "acme-dev", DEVICE_PATHS), ("prod", "acme-prod", DEVICE_PATHS))
    assert _compare(tmp_path, envs) == set()


def test_a_device_path_in_prod_only_is_not_foreign(tmp_path: Path) -> None:
    envs = (("dev", "acme-dev", {}), ("prod", "acme-prod", DEVICE_PATHS))
    assert _compare(tmp_path, envs) == {f"env.unsatisfied env.{k} b" for k in DEVICE_PATHS}
