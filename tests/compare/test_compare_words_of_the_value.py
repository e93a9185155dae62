"""Words of a value that are not an environment's name although they spell one (helper-618 F3,
F4): the root of a Linux path (`/dev/shm`, `/dev/stdout`: the device tree, where Cloud Run's
in-memory filesystem is, run/docs/container-contract#filesystem), and a word both
environments keep in the same place of values otherwise made their own
(`gs://<own project>-dataflow/staging`: Dataflow's staging location). The other environment's
name in a host, or in a value equal on both sides, is still foreign."""

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
        ("/dev", False),
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


# -- F3: a word both keep in the same place -----------------------------------------------

STAGING, PROD = ("staging", "shop-staging"), ("prod", "shop-prod")


def _both_ways(tmp_path: Path, staging: dict[str, str], prod: dict[str, str]) -> set[str]:
    """`compare staging prod` and `compare prod staging`, told apart by environment, not side:
    what each found, as kind, target and the environment it is said of ("" for both)."""
    found = []
    for first, second in (
        ((*STAGING, staging), (*PROD, prod)),
        ((*PROD, prod), (*STAGING, staging)),
    ):
        sides = {"a": first[0], "b": second[0], "None": ""}
        rows = _compare(tmp_path, (first, second))
        found.append({r.rsplit(" ", 1)[0] + " " + sides[r.rsplit(" ", 1)[1]] for r in rows})
    assert found[0] == found[1]
    return found[0]


def test_a_word_kept_in_the_same_place_is_no_other_environment_s(tmp_path: Path) -> None:
    """Dataflow's staging location and an ETL's staging dataset, each in its own project
    (main: `value.foreign` "… in prod names staging", exit 1)."""
    staging = {
        "DATAFLOW_STAGING_LOCATION": "gs://shop-staging-dataflow/staging",
        "BQ_STAGING_DATASET": "shop_staging.staging",
        "STAGING_TOPIC": "projects/shop-staging/topics/staging-rows",
    }
    prod = {
        "DATAFLOW_STAGING_LOCATION": "gs://shop-prod-dataflow/staging",
        "BQ_STAGING_DATASET": "shop_prod.staging",
        "STAGING_TOPIC": "projects/shop-prod/topics/staging-rows",
    }
    assert _both_ways(tmp_path, staging, prod) == set()


def test_prod_s_word_kept_in_staging_is_no_other_environment_s(tmp_path: Path) -> None:
    """The other direction: `prod` is a word both keep (a release channel), in staging's
    value; main: `value.foreign` "… in staging names prod"."""
    staging = {"RELEASE_CHANNEL": "gs://shop-staging-builds/prod/latest"}
    prod = {"RELEASE_CHANNEL": "gs://shop-prod-builds/prod/latest"}
    assert _both_ways(tmp_path, staging, prod) == set()


def test_the_other_environment_s_name_is_still_foreign(tmp_path: Path) -> None:
    """Not in the same place, a host's label (where an environment's own name goes), an
    equal value, a project's id: still the other environment's."""
    staging = {
        "API_URL": "https://api.staging.shop.dev",  # staging's own address, copied
        "API_BASE": "https://api.staging.shop.dev/shop-staging/v1",
        "STAGING_PATH": "gs://shop-staging-dataflow/tmp",
        "TOPIC": "projects/shop-staging/topics/shop-staging-events",
        "ENVIRONMENT": "staging",
    }
    prod = {
        "API_URL": "https://api.staging.shop.dev",
        "API_BASE": "https://api.staging.shop.dev/shop-prod/v1",
        "STAGING_PATH": "gs://shop-prod-dataflow/staging",
        "TOPIC": "projects/shop-staging/topics/shop-prod-events",
        "ENVIRONMENT": "staging",
    }
    assert _both_ways(tmp_path, staging, prod) == {
        "value.shared env.API_URL ",  # said once, as shared: it names staging in both
        "value.foreign env.API_BASE prod",
        "value.foreign env.STAGING_PATH prod",
        "value.foreign env.TOPIC prod",
        "value.shared env.ENVIRONMENT ",
    }


def test_staging_s_own_address_in_prod_is_foreign_whatever_staging_has(tmp_path: Path) -> None:
    """prod naming staging's host is foreign when staging has no such word, or its own."""
    for staging_api in ("https://api.shop.dev", "https://api.staging.shop.dev/v2"):
        found = _both_ways(
            tmp_path, {"API_URL": staging_api}, {"API_URL": "https://api.staging.shop.dev"}
        )
        assert found == {"value.foreign env.API_URL prod"}
