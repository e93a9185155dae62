"""helper-545 F1: a sidecar's image and limits are what teams pin (a collector's version, a
proxy's memory), and a profile can state them: `containers: {NAME: {settings: {image, cpu,
memory}}}`, compared with that container in every revision checked (gcloud's `--container NAME`
group: `--image`, `--cpu`, `--memory`; run v2 `Container.image`, `resources.limits`), in any
unit the API takes. Before, such a profile was refused (`unknown key 'settings'`) and a new
collector image or its memory changed under a clean check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.fix.sidecar_lab import OTEL, OTEL_NEXT, profile, run, served, world

PINNED = f"        settings:\n          image: {OTEL}\n          memory: 256Mi\n          cpu: 1\n"


@pytest.mark.parametrize("kind", ["service", "job", "worker_pool"])
def test_a_sidecar_as_stated_is_clean_and_each_change_is_its_finding(
    reseedable: Sandbox, tmp_path: Path, kind: str
) -> None:
    reseedable.reset(world(kind))
    clean = run(reseedable, tmp_path, profile(PINNED, kind), "check", "lab")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    # the same values in other units the API takes: still clean
    spelt = "        settings:\n          memory: 0.25Gi\n          cpu: 1000m\n"
    same = run(reseedable, tmp_path, profile(spelt, kind), "check", "lab")
    assert same.returncode == 0, same.stdout + same.stderr

    reseedable.reset(world(kind, OTEL_NEXT, "512Mi"))
    done = run(reseedable, tmp_path, profile(PINNED, kind), "check", "lab", "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    found = {f["target"]: f for f in json.loads(done.stdout)["findings"]}
    assert set(found) == {"setting.image", "setting.memory"}
    for f in found.values():
        assert f["container"] == "otel" and f["rule"] == "setting.value"
    assert (found["setting.image"]["expected"], found["setting.image"]["actual"]) == (
        OTEL,
        OTEL_NEXT,
    )
    assert (found["setting.memory"]["expected"], found["setting.memory"]["actual"]) == (
        "256Mi",
        "512Mi",
    )
    assert "(container otel)" in found["setting.memory"]["message"]
    # the sidecar's `memory:` line (a job's or pool's profile names its `container:` first)
    assert found["setting.memory"]["location"]["line"] == (9 if kind == "service" else 10)


def test_the_sidecars_setting_is_told_apart_from_the_workloads_own(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """The app container's memory (512Mi by default) is the workload's `settings.memory`; the
    collector's is its own: the same name, two findings, two ids."""
    reseedable.reset(world())
    text = profile(
        "        settings:\n          memory: 1Gi\n", app="    settings:\n      memory: 2Gi\n"
    )
    done = run(reseedable, tmp_path, text, "check", "lab", "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    findings = json.loads(done.stdout)["findings"]
    seen = {(f["container"], f["actual"], f["expected"]) for f in findings}
    assert seen == {("app", "512Mi", "2Gi"), ("otel", "256Mi", "1Gi")}
    assert len({f["id"] for f in findings}) == 2


def test_an_image_pattern_on_a_sidecar(reseedable: Sandbox, tmp_path: Path) -> None:
    reseedable.reset(world())
    pattern = "'^us-docker.pkg.dev/lab/otel-collector:0\\.98\\.'"
    ok = f"        settings:\n          image: {{pattern: {pattern}}}\n"
    assert run(reseedable, tmp_path, profile(ok), "check", "lab").returncode == 0
    newer = ok.replace("98", "99")
    done = run(reseedable, tmp_path, profile(newer), "check", "lab", "--format", "json")
    (f,) = json.loads(done.stdout)["findings"]
    assert f["target"] == "setting.image" and f["container"] == "otel"
    assert f["expected"].startswith("matches ") and f["actual"] == OTEL


def test_a_split_and_a_tag_each_judge_their_own_sidecar(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """An older revision still serving 30 % (and one reached only through the tag `e2e`)
    runs another collector: each is judged, with its revision and tag."""
    old = {"name": "app-00001-old", "containers": served(OTEL_NEXT)}
    e2e = {"name": "app-00002-e2e", "containers": served(OTEL, "1Gi")}
    traffic = [
        {"latest": True, "percent": 70},
        {"revision": "app-00001-old", "percent": 30},
        {"revision": "app-00002-e2e", "percent": 0, "tag": "e2e"},
    ]
    reseedable.reset(world(history=[old, e2e], traffic=traffic))
    done = run(reseedable, tmp_path, profile(PINNED), "check", "lab", "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    seen = {(f["target"], f["revision"], f.get("tag")) for f in json.loads(done.stdout)["findings"]}
    assert seen == {
        ("setting.image", "app-00001-old", None),
        ("setting.memory", "app-00002-e2e", "e2e"),
    }


def test_a_sidecar_the_revision_lacks_is_one_finding(reseedable: Sandbox, tmp_path: Path) -> None:
    reseedable.reset(world())
    text = profile(PINNED).replace("otel:\n", "proxy:\n")
    done = run(reseedable, tmp_path, text, "check", "lab", "--format", "json")
    rules = [(f["rule"], f["target"]) for f in json.loads(done.stdout)["findings"]]
    assert rules == [("container.missing", "container.proxy")]


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("concurrency: 10", "concurrency is a setting of the whole revision, not of one container"),
        ("ingress: internal", "ingress is a setting of the whole service, not of one container"),
        ("memory: lots", "memory"),
        # a startup order names containers (DNS labels), as a list or a,b
        ("depends_on: [Otel]", "'Otel' is no container name"),
        ("depends_on: 3", "expected text or a list of text"),
        ("depends_on: {a: b}", "expected the containers it starts after"),
    ],
)
def test_a_setting_no_container_holds_is_refused_at_its_line(
    reseedable: Sandbox, tmp_path: Path, line: str, said: str
) -> None:
    reseedable.reset(world())
    text = profile(f"        settings:\n          {line}\n")
    done = run(reseedable, tmp_path, text, "check", "lab")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "profiles/lab.yaml:8:" in done.stderr and said in done.stderr
    assert "Traceback" not in done.stderr


def test_history_says_where_a_sidecars_limit_changed(reseedable: Sandbox, tmp_path: Path) -> None:
    """helper-548 F3: otel 256Mi -> 1Gi -> 2Gi over three revisions; `check` says the drift
    began at app-00002-new, and `history` says what that revision changed."""
    old = {"name": "app-00001-old", "containers": served(otel_memory="256Mi")}
    new = {"name": "app-00002-new", "containers": served(otel_memory="1Gi")}
    reseedable.reset(world(otel_memory="2Gi", history=[old, new]))
    text = profile("        settings:\n          memory: 256Mi\n")
    checked = json.loads(run(reseedable, tmp_path, text, "check", "lab", "--format", "json").stdout)
    (finding,) = checked["findings"]
    assert finding["since"]["revision"] == "app-00002-new"
    doc = json.loads(run(reseedable, tmp_path, text, "history", "lab", "--format", "json").stdout)
    revisions = {r["revision"]: r for r in doc["services"][0]["revisions"]}
    changed = [c for c in revisions["app-00002-new"]["changes"] if c["target"] == "setting.memory"]
    assert [(c["container"], c["before"], c["after"]) for c in changed] == [
        ("otel", "256Mi", "1Gi")
    ]


@pytest.mark.parametrize(
    "image", ["'x/a:1 --memory=99Gi'", '"otel\\nevil"', "'a;b'", "'Upper/Case:1'"]
)
def test_an_image_that_is_no_reference_is_refused_at_its_line(
    reseedable: Sandbox, tmp_path: Path, image: str
) -> None:
    """helper-548 F5: any text was a sidecar image, and `fix` would write it to the container;
    the profile now refuses what is no image reference (distribution/reference's grammar)."""
    reseedable.reset(world())
    done = run(
        reseedable,
        tmp_path,
        profile(f"        settings:\n          image: {image}\n"),
        "check",
        "lab",
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert (
        "profiles/lab.yaml:8:" in done.stderr and "not a container image reference" in done.stderr
    )
