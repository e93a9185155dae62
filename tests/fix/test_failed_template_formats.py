"""helper-636: a service whose latest created revision FAILED (traffic stays on the last ready
one) is fixed on the serving revision: `drift fix` builds its canary there (SPEC invariant 8:
"A template whose revision failed cannot serve and is not an unreleased change: the fix builds
on the serving revision, and the plan says which failed revision's template it replaces and
what that template had"). `drift plan --format yaml` was still built on the failed template
and marked not appliable — applied, it would have rolled out the failed template's image and
variable with the patch. Now the document is what the fix writes: the serving revision's
configuration plus the patch, the traffic as read (LATEST, tags, percents survive: what the
fix's promotion leaves), appliable; read back and written as `gcloud run services replace`
sends it, it ends where `drift fix` ends. `--format gcloud` cannot build on a revision
(`services update` builds on the template): its command stays a comment saying so and naming
what `drift fix` and the YAML build on. `--from-template` keeps its meaning: every format
builds on the template, the failed one included, as `drift fix --from-template` does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.cloud import run_v2

from drift.fix.formats.knative_yaml import NOT_APPLIABLE
from drift.fix.knative import from_knative
from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, config, lab_cli, lab_world, shares, spec, updates
from tests.fix.test_base_unknown_failed import failed_with_unknown

pytestmark = pytest.mark.sandbox

V1 = "us-docker.pkg.dev/lab/app:v1"
BROKEN = "us-docker.pkg.dev/lab/app:v3-broken"
SPLIT = [  # 10 % pinned to 00001 under a tag, 90 % LATEST (00002), a tag alone on 00002
    {"revision": 1, "percent": 10, "tag": "stable"},
    {"latest": True, "percent": 90},
    {"revision": 2, "tag": "blue"},
]
PINNED = [{"revision": 1, "tag": "stable"}, {"revision": 2, "percent": 100, "tag": "blue"}]


def _world(traffic: list[dict[str, Any]]) -> dict[str, Any]:
    """00001 and 00002 run image v1 with DEBUG=true (the profile: MODE=live, no DEBUG); the
    template, 00003's spec, failed: a broken image, and BROKEN=1 beside DEBUG."""
    return lab_world(
        template={"image": BROKEN, "port": 8080, "env": {"DEBUG": "true", "BROKEN": "1"}},
        history=[{"image": V1, "env": {"BROKEN": None}}, {"image": V1, "env": {"BROKEN": None}}],
        traffic=traffic,
        failed=f"Image '{BROKEN}' not found.",
    )


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _document(text: str) -> dict[str, Any]:
    (document,) = [d for d in yaml.safe_load_all(text) if d]
    return dict(document)


def _env(container: Any) -> dict[str, str]:
    return {v["name"]: v.get("value") for v in container.get("env", [])}


def _made(service: run_v2.Service, before: run_v2.Service) -> tuple[str, Any, Any]:
    """The revision the write made (the latest ready one, new since `before`), what it runs,
    and the traffic spec and shares with its name said as NEW."""
    new = _short(service.latest_ready_revision)
    assert new != _short(before.latest_ready_revision), service.latest_ready_revision
    named = [(t, "NEW" if r == new else r, p, tag) for t, r, p, tag in spec(service)]
    split = {"NEW" if r == new else r: p for r, p in shares(service).items()}
    return new, sorted(named), split


def _template(sandbox: Sandbox) -> run_v2.RevisionTemplate:
    """The service's template as it reads now, without its revision name (drift's canary
    names its revision, `replace`'s is named by Cloud Run)."""
    template = sandbox.service(LAB, "app").template
    template.revision = ""
    return template


@pytest.mark.parametrize("traffic", [SPLIT, PINNED], ids=["split", "pinned"])
def test_the_yaml_is_built_on_the_serving_revision_as_drift_fix_is(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path, traffic: Any
) -> None:
    fixed, replaced = make_sandbox(_world(traffic)), make_sandbox(_world(traffic))
    before = fixed.service(LAB, "app")
    serving, failed = _short(before.latest_ready_revision), _short(before.latest_created_revision)
    assert serving != failed and serving.startswith("app-00002-"), (serving, failed)

    text = lab_cli(fixed, tmp_path, "plan", "lab", "--format", "yaml").stdout
    header = " ".join(line[2:] for line in text.splitlines() if line.startswith("# "))
    assert NOT_APPLIABLE not in text, text
    assert "this file would release the template too" not in text
    assert (
        f"built on the serving revision {serving}; it replaces the template of the failed "
        f"revision {failed}, which had:"
    ) in header, header
    assert f"image: {V1} → {BROKEN}" in header and "env.BROKEN: added" in header, header
    # what the table says of the service's own settings this write sends as read
    assert "the write sends the service's own settings as they read now: ingress all" in header
    document = _document(text)
    (container,) = document["spec"]["template"]["spec"]["containers"]
    # the serving revision's configuration plus the patch: nothing of the failed template
    assert container["image"] == V1
    assert _env(container) == {"MODE": "live"}
    # the traffic as read: each target, tag and percent
    assert document["spec"]["traffic"] == [
        {
            "percent": t.percent,
            **(
                {"latestRevision": True}
                if t.type_
                == run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
                else {"revisionName": t.revision}
            ),
            **({"tag": t.tag} if t.tag else {}),
        }
        for t in before.traffic
    ]

    # drift fix on one sandbox; the document, as `replace` sends it, on the other
    done = lab_cli(fixed, tmp_path, "fix", "lab", "--yes")
    assert "Traceback" not in done.stderr and done.returncode in (0, 1), done.stdout + done.stderr
    (canary, *_) = updates(fixed)
    assert canary.service.template.containers[0].image == V1  # the canary too: what serves + patch
    clients_for(replaced).services.update_service(service=from_knative(document)).result()
    by_fix, by_file = fixed.service(LAB, "app"), replaced.service(LAB, "app")
    assert _template(fixed) == _template(replaced)
    new_fix, spec_fix, split_fix = _made(by_fix, before)
    new_file, _, split_file = _made(by_file, before)
    assert config(fixed.revision(LAB, "app", new_fix)) == config(
        replaced.revision(LAB, "app", new_file)
    )
    assert by_file.latest_ready_revision == by_file.latest_created_revision  # not failed
    if traffic is SPLIT:  # routing survives, as drift fix leaves it: LATEST, tags, percents
        assert spec(by_file) == spec(before) == spec(by_fix)
        (stable,) = [t.revision for t in before.traffic if t.tag == "stable"]
        assert split_file == split_fix == {stable: 10, "NEW": 90}
    else:  # pinned by name: the file keeps it, and says how to move it as drift fix does
        assert spec(by_file) == spec(before)
        assert split_file == {serving: 100} and split_fix == {"NEW": 100}
        assert "Traffic: " + serving + " is pinned by name" in header, header
        assert "--to-revisions '<the revision the update created>=100'" in header, header
        assert f"tag blue stays on {serving}" in header, header  # as the fix's promotion
        assert ("TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", serving, 0, "blue") in spec_fix


def test_gcloud_cannot_build_on_the_serving_revision_and_says_what_does(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`gcloud run services update` builds on the service's template, the failed revision's
    spec: the command stays a comment, which says so and names the revision `drift fix` and
    the YAML build on (it used to say only "`drift fix` builds on what serves", as if the
    script could not do better). The JSON plan says what the fix builds on: `built_on`, the
    failed revision, what its template had, no runnable command and no stop."""
    sandbox = make_sandbox(_world(SPLIT))
    before = sandbox.service(LAB, "app")
    serving, failed = _short(before.latest_ready_revision), _short(before.latest_created_revision)
    script = lab_cli(sandbox, tmp_path, "plan", "lab", "--format", "gcloud").stdout
    lines = script.splitlines()
    assert "gcloud run services update app \\" not in lines, script  # never runnable
    assert "#   gcloud run services update app \\" in lines, script
    said = " ".join(line[2:] for line in lines if line.startswith("# "))
    assert (
        "`gcloud run services update` builds on the template, the spec of that failed "
        "revision, and would deploy it again with the patch"
    ) in said, said
    assert (
        f"`drift fix` builds on what serves ({serving}), as does `drift plan --format yaml` "
        "(a file for `gcloud run services replace`)"
    ) in said, said
    (data,) = json.loads(lab_cli(sandbox, tmp_path, "plan", "lab", "--format", "json").stdout)[
        "services"
    ]
    assert (data["built_on"], data["failed_template"]) == (serving, failed)
    assert data["from_template"] is False and data["new_revision"] is True
    assert f"image: {V1} → {BROKEN}" in data["template_differences"]
    assert data["gcloud"] is None and "stops" not in data
    assert updates(sandbox) == []  # a plan never writes


def test_from_template_builds_every_format_on_the_failed_template_as_fix_does(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`--from-template` says to build on the template, the failed one included (SPEC
    invariant 8: "unless `--from-template` says to build on the template"): the YAML carries
    its image and variable, appliable, naming them as rolling out; the gcloud command is
    runnable; the dry run's canary carries the same template."""
    sandbox = make_sandbox(_world(SPLIT))
    text = lab_cli(sandbox, tmp_path, "plan", "lab", "--format", "yaml", "--from-template")
    assert NOT_APPLIABLE not in text.stdout, text.stdout
    assert "built on the template (--from-template); these roll out with the patch:" in text.stdout
    document = _document(text.stdout)
    (container,) = document["spec"]["template"]["spec"]["containers"]
    assert container["image"] == BROKEN and _env(container) == {"BROKEN": "1", "MODE": "live"}
    script = lab_cli(sandbox, tmp_path, "plan", "lab", "--format", "gcloud", "--from-template")
    assert "gcloud run services update app \\" in script.stdout.splitlines(), script.stdout
    lab_cli(sandbox, tmp_path, "fix", "lab", "--dry-run", "--from-template")
    (tried,) = updates(sandbox)
    assert tried.validate_only
    assert config(tried.service.template) == config(from_knative(document).template)


@pytest.mark.parametrize("on_revision", [False, True], ids=["failed-template", "serving"])
def test_a_field_this_client_does_not_know_is_never_dropped_by_the_file(
    make_sandbox: MakeSandbox, tmp_path: Path, on_revision: bool
) -> None:
    """The failed template's unknown field goes with the rest of it (the file, as the fix,
    replaces it); the serving revision's would be dropped by a document built on it, field by
    field, where `drift fix` stops (exit 4, `test_base_unknown_failed`): the file is then not
    appliable, saying why (it used to say only that it would release the template), and the
    gcloud comment says the fix stops rather than that the file builds on what serves."""
    sandbox = failed_with_unknown(make_sandbox, on_revision=on_revision)
    text = lab_cli(sandbox, tmp_path, "plan", "lab", "--format", "yaml").stdout
    document = _document(text)
    (container,) = document["spec"]["template"]["spec"]["containers"]
    assert container["image"] == V1, text
    if not on_revision:
        assert NOT_APPLIABLE not in document, document[NOT_APPLIABLE]
        return
    said = document[NOT_APPLIABLE]
    assert "drift fix stops here" in said and "holds field 901" in said, said
    assert "release the template" not in said, said
    script = lab_cli(sandbox, tmp_path, "plan", "lab", "--format", "gcloud").stdout
    lines = " ".join(line[2:] for line in script.splitlines() if line.startswith("# "))
    assert "drift fix stops here: the revision" in lines and "holds field 901" in lines, script
    assert "as does `drift plan --format yaml`" not in script, script
    assert lab_cli(sandbox, tmp_path, "fix", "lab", "--yes").returncode == 4
    assert updates(sandbox) == []
