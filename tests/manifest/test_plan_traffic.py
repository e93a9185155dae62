"""What a plan's revision serves: the revision a deploy creates gets only the share of type
LATEST (run v2 `traffic_target.proto`, TrafficTarget.type_: "the Service's latest ready
Revision"; a worker pool's InstanceSplit alike). When named revisions keep the rest (the usual
Terraform no-traffic deploy: a named revision at 100 %, LATEST at 0 % with a tag; or a split),
a note names them and the share of the revision checked; when LATEST has it all, nothing is
said."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan
from tests.manifest.test_check_manifest import POOL_PROFILE, pool_plan

REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"
LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
SAID = "google_cloud_run_v2_service.api: traffic stays on "


def target(kind: str, percent: int, revision: str = "", tag: str = "") -> dict[str, Any]:
    return {"type": kind, "revision": revision, "percent": percent, "tag": tag}


def notes(tmp: Path, traffic: Any, revision: str = "", unknown: Any = None) -> str:
    """The notes of a check of api with `traffic`, its template naming `revision` if any, and
    `unknown` as what `after_unknown` marks of the traffic."""
    data = plan()
    api = known_api(data)
    api["change"]["after"]["traffic"] = traffic
    if unknown is not None:
        api["change"]["after_unknown"]["traffic"] = unknown
    if revision:
        api["change"]["after"]["template"][0]["revision"] = revision
    data["resource_changes"] = [api]
    done = check_offline(tmp, data, API_ONLY, "-f", "json")
    report = json.loads(done.stdout)
    # api is clean; a revision the traffic keeps is not read offline: not verified, exit 3
    # (helper-544 F3), each named with its share
    kept = {
        t["revision"]: t["percent"]
        for t in traffic or []
        if t and t.get("percent") and t.get("revision") and t["revision"] != revision
    }
    # and so is one it keeps reachable only through a tag at 0 % (helper-600 F1)
    tagged = {
        t["revision"]: t["tag"]
        for t in traffic or []
        if t and not t.get("percent") and t.get("tag") and t.get("revision")
        and t["revision"] != revision and t["revision"] not in kept
    }  # fmt: skip
    if unknown is not None:
        kept, tagged = {}, {}
    unverified = {u["target"]: u["reason"] for u in report["unverified"]}
    assert unverified == {
        **{
            f"revision.{name}": f"serves {p} % of the traffic once deployed (the manifest keeps "
            "it there); not read (--offline)"
            for name, p in kept.items()
        },
        **{
            f"revision.{name}": f"reachable through tag {tag} once deployed (the manifest keeps "
            "it, at 0 %); not read (--offline)"
            for name, tag in tagged.items()
        },
    }, unverified
    exit_code = 3 if kept or tagged else 0
    assert done.returncode == exit_code, (done.returncode, done.stdout, done.stderr)
    return " ".join(" ".join(report["notes"]).split())


@pytest.mark.parametrize(
    ("traffic", "said"),
    [
        (  # the no-traffic deploy: the new revision is reached only through its tag
            [target(REVISION, 100, "api-00007-xyz"), target(LATEST, 0, tag="canary")],
            "api-00007-xyz; what is checked is the revision the deploy creates for api, "
            "which gets no traffic",
        ),
        (
            [target(REVISION, 90, "api-00007-xyz"), target(LATEST, 10)],
            "api-00007-xyz (90 %); what is checked is the revision the deploy creates for "
            "api, which gets only 10 % of the traffic",
        ),
        (
            [
                target(REVISION, 60, "api-00007-xyz"),
                target(REVISION, 30, "api-00006-abc"),
                target(LATEST, 10),
            ],
            "api-00006-abc (30 %), api-00007-xyz (60 %); what is checked",
        ),
    ],
)
def test_traffic_kept_on_named_revisions_names_them_and_what_the_deploy_gets(
    tmp_path: Path, traffic: list[dict[str, Any]], said: str
) -> None:
    assert SAID + said in notes(tmp_path, traffic)


def test_nothing_is_said_when_latest_gets_all_the_traffic(tmp_path: Path) -> None:
    """A tag on a named revision at 0 % takes no traffic from the deploy's revision; that
    revision keeps its own URL, so it is named (and, offline, not verified: `notes`)."""
    traffic = [target(LATEST, 100), target(REVISION, 0, "api-00007-xyz", tag="old")]
    said = notes(tmp_path, traffic)
    assert "stays on" not in said
    assert "api-00007-xyz (tag old) reachable at 0 % through its own URL" in said, said


@pytest.mark.parametrize(
    ("traffic", "unknown", "at"),
    [
        # a create whose configuration sets no traffic: the provider computes it
        # (`default_from_api`), so the whole list is unknown
        (None, True, "traffic"),
        ([None], [True], "traffic[0]"),
        # `traffic { type = LATEST }` without a percent: computed too; read as 0 %, it was
        # said to leave the deploy's revision no traffic, on named revisions (helper-525)
        ([{**target(LATEST, 0), "percent": None}], [{"percent": True}], "traffic[0].percent"),
        (
            [target(REVISION, 100, "api-00007-xyz"), target(LATEST, 0)],
            [{"revision": True}, {}],
            "traffic[0].revision",
        ),
    ],
    ids=["whole", "element", "percent", "revision"],
)
def test_a_split_not_known_until_apply_is_said_so_not_read_as_shares(
    tmp_path: Path, traffic: Any, unknown: Any, at: str
) -> None:
    said = notes(tmp_path, traffic, unknown=unknown)
    assert (
        "google_cloud_run_v2_service.api: its traffic split is not known until apply "
        f"({tmp_path / 'plan.json'}: resource_changes[0].change.after.{at}): what is checked is "
        "the revision the deploy creates for api, whose share of the traffic is not said"
    ) in said, said
    assert "stays on" not in said and "gets no traffic" not in said


def test_a_worker_pools_split_not_known_until_apply_is_said_so(tmp_path: Path) -> None:
    data = pool_plan()
    change = data["resource_changes"][0]["change"]
    change["after"]["instance_splits"] = None
    change["after_unknown"]["instance_splits"] = True
    done = check_offline(tmp_path, data, POOL_PROFILE, "-f", "json")
    said = " ".join(" ".join(json.loads(done.stdout)["notes"]).split())
    assert (
        "google_cloud_run_v2_worker_pool.consumer: its instance split is not known until apply "
        f"({tmp_path / 'plan.json'}: resource_changes[0].change.after.instance_splits): what is "
        "checked is the revision the deploy creates for consumer, whose share of the instances "
        "is not said"
    ) in said, said


def test_a_worker_pool_names_the_revisions_that_keep_its_other_instances(
    tmp_path: Path,
) -> None:
    splits = [
        {"type": "INSTANCE_SPLIT_ALLOCATION_TYPE_REVISION", "revision": "consumer-v1",
         "percent": 70},
        {"type": "INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST", "revision": "", "percent": 30},
    ]  # fmt: skip
    done = check_offline(tmp_path, pool_plan(splits=splits), POOL_PROFILE, "-f", "json")
    said = " ".join(" ".join(json.loads(done.stdout)["notes"]).split())
    assert (
        "google_cloud_run_v2_worker_pool.consumer: instances stay on consumer-v1 (70 %); what "
        "is checked is the revision the deploy creates for consumer, which gets only 30 % of "
        "the instances"
    ) in said, said


def test_traffic_to_the_revision_the_deploy_names_is_the_deploy_s_share(tmp_path: Path) -> None:
    """A blue/green deploy names its revision (RevisionTemplate.revision) and routes to that
    name by type REVISION: all of it is the revision checked, a split keeps only the rest."""
    assert "stays on" not in notes(tmp_path, [target(REVISION, 100, "api-v7")], "api-v7")
    split = [target(REVISION, 90, "api-v7"), target(REVISION, 10, "api-v6")]
    said = (
        "api-v6 (10 %); what is checked is the revision the deploy creates for api, which gets "
        "only 90 % of the traffic"
    )
    assert SAID + said in notes(tmp_path, split, "api-v7")


KNATIVE = """apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: api
  labels:
    cloud.googleapis.com/location: us-central1
spec:
  template:
    metadata:
      name: api-v7
    spec:
      containers:
      - image: us-docker.pkg.dev/cloudrun/container/hello
        env:
        - name: MODE
          value: live
  traffic:
  - revisionName: api-v7
    percent: 100
"""


def test_a_knative_service_routing_all_traffic_to_its_own_revision_is_not_called_pinned(
    tmp_path: Path,
) -> None:
    """`gcloud run services replace` with spec.template.metadata.name, the revision's name,
    taking all the traffic."""
    from tests.cliutil import drift

    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "staging.yaml").write_text(
        "project: acme-chat-staging\nregion: us-central1\nservices:\n  api:\n"
        "    env: {MODE: live}\n"
    )
    (tmp_path / "api.yaml").write_text(KNATIVE)
    done = drift(
        "check", "staging", "--profiles", str(tmp_path / "profiles"),
        "-m", str(tmp_path / "api.yaml"), "--offline", "-f", "json",
    )  # fmt: skip
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    said = " ".join(json.loads(done.stdout)["notes"])
    assert "stays on" not in said, said
