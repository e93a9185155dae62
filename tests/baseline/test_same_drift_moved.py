"""A drift the baseline holds, found again under another id, is the same drift: never `new`
beside a `resolved` one under `--fail-on-new`, and the same again a run later (the report a
run writes is the next run's baseline).

- helper-616 F3: a secret's finding scoped by a sidecar since removed, found under the one
  left, which today's profile ignores: still there, only silenced — not `resolved`.
- helper-616 F4: the sidecar removed and the reference pinned, in one deploy, to the very
  version `latest` stood for (the one that fails): the same drift.
- helper-611 F4: a tag-only revision's drift after the tag is renamed
  (`gcloud run services update-traffic --update-tags NEW=REV --remove-tags OLD`): the same
  revision, the same drift (its id names the tag, `~TAG`)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.check.test_secret_container_order import MAIN, PROFILE, _world
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import run

API = {"template": {"image": "us-docker.pkg.dev/lab/api:v1", "env": {"MODE": "a"}}}
WHERE = {"number": 555000111444, "region": "us-central1", "services": {"api": API}}
NO_K = {k: v for k, v in MAIN.items() if k != "env"}  # the main container, using no secret


def _side(name: str, version: str = "latest") -> dict[str, Any]:
    ref = {"secretKeyRef": {"secret": "k", "version": version}}
    image = "us-docker.pkg.dev/lab/side:v1"
    return {"name": name, "image": image, "env": [{"name": f"K_{name}", "valueSource": ref}]}


def _runs(
    tmp_path: Path, before: dict[str, Any], after: dict[str, Any], profile: str = PROFILE
) -> list[dict[str, Any]]:
    """The reports of a run on `before`, then two on `after`: against the first's report,
    then against its own (each with `--fail-on-new`), with their exit codes."""
    (tmp_path / "p").mkdir()
    last, now = tmp_path / "last.json", tmp_path / "now.json"

    def check(world: dict[str, Any], out: Path, *args: str) -> dict[str, Any]:
        with Sandbox(copy.deepcopy(world)) as sandbox:
            done = run(sandbox, tmp_path / "p", profile, "check", "lab", "--format", "json",
                       "--output", str(out), *args)  # fmt: skip
        assert done.returncode in (0, 1), done.stdout + done.stderr
        return dict(json.loads(out.read_text()), code=done.returncode)

    first = check(before, last)
    second = check(after, now, "--baseline", str(last), "--fail-on-new")
    return [
        first,
        second,
        check(after, tmp_path / "3.json", "--baseline", str(now), "--fail-on-new"),
    ]


def _secret(report: dict[str, Any]) -> list[tuple[str, str, bool, str | None]]:
    return [
        (f["rule"], f.get("container"), f["ignored"], f.get("baseline"))
        for f in report["findings"]
        if f["rule"].startswith("secret.")
    ]


def test_a_rescoped_finding_today_ignored_is_not_resolved(tmp_path: Path) -> None:
    missing = _world([NO_K, _side("beta"), _side("zeta")])
    del missing["projects"][LAB]["secrets"]["k"]
    left = copy.deepcopy(missing)
    left["projects"][LAB]["services"]["app"]["template"]["containers"] = [NO_K, _side("zeta")]
    ignored = PROFILE + "ignore:\n  - {service: app, secret: k, container: zeta, reason: known}\n"
    first, second, third = _runs(tmp_path, missing, left, ignored)
    assert _secret(first) == [("secret.missing", "beta", False, None)], first["findings"]
    for report in (second, third):
        assert _secret(report) == [("secret.missing", "zeta", True, "unchanged")], report
        assert report["resolved"] == [], report["resolved"]
        assert report["code"] == 0, report


def test_a_sidecar_removed_and_the_reference_pinned_at_once_is_the_same_drift(
    tmp_path: Path,
) -> None:
    """k's latest is version 2, DISABLED (`_world`): beta reads it by `latest`, zeta pins 2."""
    before = _world([NO_K, _side("beta")])
    after = _world([NO_K, _side("zeta", "2")])
    first, second, third = _runs(tmp_path, before, after)
    assert _secret(first) == [("secret.disabled", "beta", False, None)], first["findings"]
    for report in (second, third):
        assert _secret(report) == [("secret.disabled", "zeta", False, "unchanged")], report
        assert report["resolved"] == [], report["resolved"]
        assert report["code"] == 0, report
    (today,) = [f["id"] for f in second["findings"] if f["rule"] == "secret.disabled"]
    assert today == next(f["id"] for f in third["findings"] if f["rule"] == "secret.disabled")


def test_a_tag_renamed_on_the_same_revision_is_the_same_drift(tmp_path: Path) -> None:
    profile = f"project: {LAB}\nregion: us-central1\nservices:\n  api:\n    env:\n      MODE: a\n"
    (tmp_path / "p").mkdir()
    last, now = tmp_path / "last.json", tmp_path / "now.json"
    with Sandbox({"options": {"seed": 7}, "projects": {LAB: WHERE}}) as sb:

        def check(out: Path, *args: str) -> dict[str, Any]:
            done = run(sb, tmp_path / "p", profile, "check", "lab", "--format", "json",
                       "--output", str(out), *args)  # fmt: skip
            assert done.returncode in (0, 1), done.stdout + done.stderr
            return dict(json.loads(out.read_text()), code=done.returncode)

        sb.deploy(LAB, "api", env={"MODE": "b"}, no_traffic=True, tag="canary")
        first = check(last)
        service = sb.service(LAB, "api")
        tagged = service.latest_created_revision.rsplit("/", 1)[-1]
        (serving,) = [t.revision for t in service.traffic if t.percent == 100]
        sb.update_traffic(
            LAB, "api", {serving: 100}, update_tags={"canary2": tagged}, remove_tags=("canary",)
        )
        second = check(now, "--baseline", str(last), "--fail-on-new")
        third = check(tmp_path / "3.json", "--baseline", str(now), "--fail-on-new")

    def on_tag(report: dict[str, Any]) -> list[dict[str, Any]]:
        # beside the serving revision's `revision.rollout` (the template is the tagged one's)
        return [f for f in report["findings"] if f["rule"] == "env.value"]

    (was,) = [(f["tag"], f["revision"]) for f in on_tag(first)]
    assert was == ("canary", tagged), first["findings"]
    for report in (second, third):
        found = [(f["tag"], f["revision"], f.get("baseline")) for f in on_tag(report)]
        assert found == [("canary2", tagged, "unchanged")], report["findings"]
        assert report["resolved"] == [], report["resolved"]
        assert report["code"] == 0, report
    assert on_tag(second)[0]["id"] == on_tag(third)[0]["id"] != on_tag(first)[0]["id"]
