"""Live `compare` pairs one revision per service (the one taking most traffic, or most
instances of a worker pool), but what another reachable revision names of the other
environment needs no pair to be found: e2e's api sending 10 % of its traffic (a worker
pool: 10 % of its instances; a tag: its own URL) to a revision that reads staging's secret
is `value.foreign`, said with the revision. main: "equivalent", exit 0, with a note that the
revision was not compared."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift.sandbox import Sandbox
from tests.cliutil import drift

STAGING = "project: acme-staging\nregion: us-central1\n{kind}:\n  api: {{}}\n"
E2E = "project: acme-e2e\nregion: europe-west1\n{kind}:\n  api: {{}}\n"
FOREIGN = {"secret": "projects/acme-staging/secrets/signing-key"}
IMAGE = "us-docker.pkg.dev/acme/apps/api:1.0.0"


def _scenario(kind: str, older: dict[str, Any], split: list[dict[str, Any]]) -> dict[str, Any]:
    """staging's and e2e's api (a service or a worker pool), e2e's with an older revision
    (`older`: its env) that `split` still reaches. Fake values."""
    splits = "traffic" if kind == "services" else "instance_splits"

    def api(environment: str) -> dict[str, Any]:
        if kind == "services":
            return {"template": {"image": IMAGE, "env": {"ENVIRONMENT": environment}}}
        container = {"name": "app", "image": IMAGE}
        container["env"] = [{"name": "ENVIRONMENT", "value": environment}]
        return {"instances": 1, "template": {"containers": [container]}}

    e2e = api("e2e")
    if kind == "services":
        e2e["history"] = [{"image": IMAGE, "env": {"ENVIRONMENT": "e2e", **older}}]
    else:
        env = [
            {"name": n, "value": v} if isinstance(v, str) else _ref(n, v) for n, v in older.items()
        ]
        e2e["history"] = [{"containers": [{"name": "app", "image": IMAGE, "env": env}]}]
    e2e[splits] = split
    secret = {"signing-key": {"versions": ["fake-signing-key-staging-5d7f9b1c"]}}
    return {
        "projects": {
            "acme-staging": {
                "number": 700000000001,
                "region": "us-central1",
                "secrets": secret,
                kind: {"api": api("staging")},
            },
            "acme-e2e": {"number": 800000000002, "region": "europe-west1", kind: {"api": e2e}},
        }
    }


def _ref(name: str, ref: dict[str, str]) -> dict[str, Any]:
    return {"name": name, "valueSource": {"secretKeyRef": {**ref, "version": "latest"}}}


def _compare(tmp_path: Path, kind: str, scenario: dict[str, Any]) -> dict[str, Any]:
    section = "services" if kind == "services" else "worker_pools"
    (tmp_path / "staging.yaml").write_text(STAGING.format(kind=section))
    (tmp_path / "e2e.yaml").write_text(E2E.format(kind=section))
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(scenario))
    with Sandbox(tmp_path / "scenario.yaml") as sandbox:
        done = drift(
            "compare", "staging", "e2e", "--live", "--profiles", str(tmp_path), "-f", "json",
            "--no-secret-values", env=sandbox.environ(),
        )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    document["exit_code"] = done.returncode
    return document


TEN = [{"revision": 1, "percent": 10}, {"revision": 2, "percent": 90}]
TAG = [{"revision": 2, "percent": 100}, {"revision": 1, "percent": 0, "tag": "old"}]
SPLITS = {
    "a 10 % traffic split": ("services", TEN),
    "a tag at 0 %": ("services", TAG),
    "a 10 % instance split": ("worker_pools", TEN),
}


@pytest.mark.parametrize("how", SPLITS)
def test_a_foreign_secret_in_another_reachable_revision_is_found(tmp_path: Path, how: str) -> None:
    kind, split = SPLITS[how]
    document = _compare(tmp_path, kind, _scenario(kind, {"SIGNING_KEY": FOREIGN}, split))
    [found] = document["differences"]
    assert (found["kind"], found["target"], found["side"]) == (
        "value.foreign", "env.SIGNING_KEY", "b"
    ), how  # fmt: skip
    assert found["message"].startswith("SIGNING_KEY in e2e's revision api-00001-"), found
    assert found["message"].endswith("references a secret of staging's project acme-staging")
    assert (found["a"], found["b"]) == (None, "secret acme-staging/signing-key:latest")
    assert document["status"] == "different" and document["exit_code"] == 1
    not_values, note = sorted(document["notes"], key=lambda n: not n.startswith("secret"))
    assert note.endswith("(only looked at for what names the other environment)"), note
    assert not_values.startswith("secret values were not compared (--no-secret-values)")


def test_the_same_reference_in_the_compared_revision_is_said_once(tmp_path: Path) -> None:
    """Both revisions read staging's secret: the compared one's finding says it; the other
    revision adds nothing. A revision that names nothing of staging adds nothing either."""
    split = SPLITS["a 10 % traffic split"][1]
    scenario = _scenario("services", {"SIGNING_KEY": FOREIGN}, split)
    scenario["projects"]["acme-e2e"]["services"]["api"]["template"]["env"]["SIGNING_KEY"] = FOREIGN
    document = _compare(tmp_path, "services", scenario)
    found = [(d["kind"], d["target"], d["message"]) for d in document["differences"]]
    assert found == [
        ("env.only_in", "env.SIGNING_KEY", "SIGNING_KEY is only in e2e"),
        (
            "value.foreign",
            "env.SIGNING_KEY",
            "SIGNING_KEY in e2e references a secret of staging's project acme-staging",
        ),
    ]
    plain = _scenario("services", {"LEVEL": "debug"}, split)
    document = _compare(tmp_path, "services", plain)
    assert document["differences"] == [], document
    # its 10 % holds another variable than the revision compared: not compared (exit 3)
    assert [u["target"] for u in document["unverified"]] == ["revision"], document
    assert document["exit_code"] == 3


def test_a_setting_of_another_revision_naming_the_other_project_is_foreign(
    tmp_path: Path,
) -> None:
    """The 10 % revision runs as an account of staging's project."""
    scenario = _scenario("services", {}, SPLITS["a 10 % traffic split"][1])
    older = scenario["projects"]["acme-e2e"]["services"]["api"]["history"][0]
    older["service_account"] = "runner@acme-staging.iam.gserviceaccount.com"
    document = _compare(tmp_path, "services", scenario)
    [found] = document["differences"]
    assert (found["kind"], found["target"], found["side"]) == (
        "value.foreign", "setting.service_account", "b"
    )  # fmt: skip
    assert " in e2e's revision api-00001-" in found["message"], found
    assert found["message"].endswith("names staging's project acme-staging")
    assert (found["a"], found["b"]) == (None, "runner@acme-staging.iam.gserviceaccount.com")
