"""What a fix builds on (SPEC invariant 8), run as a user runs it: the canary is the serving
revision's configuration plus the plan. An unreleased template (a `--no-traffic` deploy) stops
the fix, exit 4, naming the differences, unless `--from-template`; a template whose revision
failed is replaced, and the output says so. And the writes themselves: a fixed revision name
is never resent with another configuration (dry run included), canary names fit in 63
characters, every write says it comes from drift (invariant 12), and a dry run after an
incomplete read is never 0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift import __version__
from drift.live.changeids import named_change
from drift.sandbox import Fault, Sandbox
from tests.cliutil import REPO, drift
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import (
    LAB,
    PROJECT,
    config,
    deploy_no_traffic,
    entries,
    lab_cli,
    lab_name,
    lab_world,
    shares,
    spec,
    updates,
)

V1 = "us-docker.pkg.dev/lab/app:v1"
V2 = "us-docker.pkg.dev/lab/app:v2-UNRELEASED"


def canaries(sandbox: Sandbox) -> list[run_v2.Service]:
    """The canary writes: those adding a drift tag."""
    return [
        r.service
        for r in updates(sandbox)
        if any(t.tag.startswith("drift-") for t in r.service.traffic)
    ]


def test_an_unreleased_template_stops_the_fix(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """Issue 15: traffic 100 % on 00001 (image v1), the template holds v2-UNRELEASED deployed
    with no traffic: `fix --yes` promoted v2 to all traffic. Now it stops, exit 4."""
    sandbox = make_sandbox(lab_world())
    deploy_no_traffic(clients_for(sandbox), lab_name(), V2)
    before = sandbox.service(LAB, "app")
    sandbox.clear_calls()
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    assert done.returncode == 4, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert f"image: {V1} → {V2}" in out and "--from-template" in out
    assert "nothing was changed" in out and "Traceback" not in out
    assert updates(sandbox) == []
    after = sandbox.service(LAB, "app")
    assert after.etag == before.etag and spec(after) == spec(before)


def test_from_template_builds_on_the_template_and_says_so(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world())
    deploy_no_traffic(clients_for(sandbox), lab_name(), V2)
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes", "--from-template")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "built on the template (--from-template)" in done.stdout
    assert f"image: {V1} → {V2}" in done.stdout  # the plan shows the difference as a change
    (canary,) = canaries(sandbox)
    assert canary.template.containers[0].image == V2
    after = sandbox.service(LAB, "app")
    name = canary.template.revision
    assert shares(after) == {name: 100}


def test_plan_shows_what_a_fix_builds_on(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """`drift plan` says before any write what `fix` will do with an unreleased template: stop
    (the differences named), or with --from-template roll them out; JSON carries the same."""
    import json

    sandbox = make_sandbox(lab_world())
    deploy_no_traffic(clients_for(sandbox), lab_name(), V2)
    sandbox.clear_calls()
    table = lab_cli(sandbox, tmp_path, "plan", "lab")
    assert "the template differs from what serves" in table.stdout, table.stdout
    assert f"image: {V1} → {V2}" in table.stdout and "--from-template" in table.stdout
    # fix stops there: its changes are counted blocked, not as changes it makes (revjobs60)
    assert "\nlab: 0 changes, " in table.stdout, table.stdout
    assert "; blocked: app (" in table.stdout and "  blocked: drift fix stops" in table.stdout
    chosen = lab_cli(sandbox, tmp_path, "plan", "lab", "--from-template")
    assert "built on the template (--from-template); these roll out" in chosen.stdout
    data = json.loads(lab_cli(sandbox, tmp_path, "plan", "lab", "--format", "json").stdout)
    (service,) = data["services"]
    assert service["from_template"] is False and service["built_on"]
    assert f"image: {V1} → {V2}" in service["template_differences"]
    assert "--from-template" in service["stops"]
    assert updates(sandbox) == []  # a plan never writes


def _pinned_world() -> dict[str, Any]:
    """A `--no-traffic` deploy set MODE=new, max 5 on the template; 100 % stays pinned on
    revision 1 (MODE=old, max 10)."""
    old = {"image": V1, "env": {"MODE": "old"}, "max_instances": 10}
    new = {"image": V2, "env": {"MODE": "new"}, "max_instances": 5}
    return lab_world(template=new, history=[old], traffic=[{"revision": 1, "percent": 100}])


@pytest.mark.parametrize(("mode", "maximum"), [("new", 5), ("old", 10)])
def test_check_repair_script_is_the_plan_script(
    make_sandbox: MakeSandbox, tmp_path: Path, mode: str, maximum: int
) -> None:
    """revformats 1: `check`'s Repair script (markdown, step summary, JSON `fix_commands`)
    is planned on what serves, as `drift plan` plans it: with MODE=new it repairs the drift
    the report lists (it had no word of it), with MODE=old it proposes nothing the report
    does not list (it proposed --max-instances=10 --update-env-vars=MODE=old)."""
    import json

    sandbox = make_sandbox(_pinned_world())
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n"
        f"      max_instances: {maximum}\n    env:\n      MODE: {mode}\n"
    )
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}
    check = drift("check", "lab", "--format", "json", env=env, cwd=tmp_path)
    report = json.loads(check.stdout)
    plan = drift("plan", "lab", "--format", "gcloud", env=env, cwd=tmp_path)
    script = [line for line in plan.stdout.splitlines() if line]
    assert report["fix_commands"] == script, (report["findings"], report["fix_commands"])
    if mode == "old":
        assert not any("--max-instances=10" in line for line in script)


def test_a_failed_template_is_replaced_by_what_serves(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The template's revision failed (it cannot serve): the fix builds on the serving
    revision and says which failed revision's template it replaces and what that had."""
    broken = "us-docker.pkg.dev/lab/app:v3-broken"
    sandbox = make_sandbox(
        lab_world(
            template={"image": broken, "port": 8080, "env": {"DEBUG": "true"}},
            history=[{"image": V1}],
            failed="Image 'us-docker.pkg.dev/lab/app:v3-broken' not found.",
        )
    )
    before = sandbox.service(LAB, "app")
    failed = before.latest_created_revision.rsplit("/", 1)[-1]
    serving = before.latest_ready_revision.rsplit("/", 1)[-1]
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        f"built on the serving revision {serving}; it replaces the template of the failed "
        f"revision {failed}, which had: image: {V1} → {broken}"
    ) in done.stdout
    (canary,) = canaries(sandbox)
    served = sandbox.revision(LAB, "app", serving)
    assert canary.template.containers[0].image == V1
    assert {v.name: v.value for v in canary.template.containers[0].env} == {"MODE": "live"}
    for field in ("scaling", "timeout", "max_instance_request_concurrency", "vpc_access"):
        assert getattr(canary.template, field) == getattr(served, field), field
    after = sandbox.service(LAB, "app")
    assert spec(after) == spec(before)  # LATEST stays LATEST
    assert after.latest_ready_revision.endswith(canary.template.revision)


def test_a_fixed_revision_name_is_never_resent(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """Terraform `template.revision` / gcloud `--revision-suffix`: `fix --dry-run` exited 2
    (the server refused another configuration under the existing name). The dry run, the
    canary and the rollback never resend it."""
    sandbox = make_sandbox(lab_world())
    clients = clients_for(sandbox)
    service = clients.services.get_service(name=lab_name())
    service.template.revision = "app-release-42"
    clients.services.update_service(service=service).result()
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    (check,) = updates(sandbox)[1:]
    assert check.validate_only and check.service.template.revision.startswith("app-drift-")
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    done = lab_cli(sandbox, tmp_path, "rollback", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    sent = [r.service.template.revision for r in updates(sandbox)[2:]]
    assert "app-release-42" not in sent
    after = sandbox.service(LAB, "app")
    latest = after.latest_ready_revision.rsplit("/", 1)[-1]
    assert config(sandbox.revision(LAB, "app", latest)) == config(
        sandbox.revision(LAB, "app", "app-release-42")
    )


def test_canary_names_fit_in_63_characters(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    name = "checkout-recommendations-personalisation-svc-euw1"  # 49: v2 allows fewer than 50
    sandbox = make_sandbox(lab_world(service=name))
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    # no traffic tag fits a 49-character name (46 for both): the canary write is untagged
    (canary,) = [r.service for r in updates(sandbox) if r.service.template.revision][:1]
    revision = canary.template.revision
    assert len(revision) <= 63 and revision.startswith(f"{name}-"), revision
    assert revision[-1].isalnum()
    (entry,) = entries(tmp_path)
    assert revision == entry.canary_revision
    assert named_change(name, revision) == entry.change_id  # read back from the name alone


def test_every_write_says_it_comes_from_drift(sandbox: Sandbox, tmp_path: Path) -> None:
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    profiles = str(REPO / "profiles")
    assert drift("fix", "e2e", "--dry-run", "--profiles", profiles, env=env).returncode == 0
    fixed = drift("fix", "e2e", "--yes", "--service", "web", "--profiles", profiles, env=env)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert sandbox.service(PROJECT, "web").client == "drift"
    rolled = drift("rollback", "--yes", env=env)
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    requests = updates(sandbox)
    assert len(requests) == 3 + 2 + 1  # dry run of three services, canary, promotion, rollback
    for request in requests:
        assert (request.service.client, request.service.client_version) == ("drift", __version__)
    after = sandbox.service(PROJECT, "web")
    assert (after.client, after.client_version) == ("drift", __version__)


def test_a_dry_run_after_an_incomplete_read_is_never_0(sandbox: Sandbox, tmp_path: Path) -> None:
    """Issue 21 item 4: GetIamPolicy denied, `fix --dry-run` exited 0."""
    sandbox.inject(Fault("GetIamPolicy", "PERMISSION_DENIED"))
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    done = drift("fix", "e2e", "--dry-run", "--profiles", str(REPO / "profiles"), env=env)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "could not be read" in done.stdout
    assert all(r.validate_only for r in updates(sandbox))


HOSTILE_MODE = "live\n::error title=INJECTED::from the template\n::add-mask::x\x1b[31mRED"


def test_a_live_value_in_the_differences_never_starts_a_line_of_its_own(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Whoever can deploy can put a newline in a variable: the differences an unreleased
    template makes are shown one line each, its line breaks escaped, so that no workflow
    command reaches a GitHub job's log."""
    world = {
        "projects": {
            "hp": {
                "number": 222222222299,
                "services": {
                    "api": {
                        "history": [{"image": "x/api:1", "env": {"MODE": "live"}}],
                        "template": {"image": "x/api:1", "env": {"MODE": HOSTILE_MODE}},
                        "traffic": [{"revision": 1, "percent": 100}],
                    }
                },
            }
        }
    }
    sandbox = make_sandbox(world)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "hs.yaml").write_text(
        "project: hp\nregion: us-central1\nservices:\n  api:\n    env:\n"
        '      MODE: "live"\n      NEW: "1"\n'
    )
    env = {**sandbox.environ(), "GITHUB_ACTIONS": "true"}
    done = drift(
        "fix", "hs", "--profiles", str(profiles), "--yes", "--journal", str(tmp_path / "j"), env=env
    )
    out = done.stdout + done.stderr
    assert done.returncode == 4, out
    assert [line for line in out.splitlines() if line.lstrip().startswith("::")] == []
    assert "\\n::error title=INJECTED::" in out and "\x1b" not in out


def test_who_changed_a_service_is_shown_on_one_line() -> None:
    """`client`, `client_version` and `last_modifier` are what the writer sent."""
    from types import SimpleNamespace

    from drift.fix.routing import changed_by_someone_else

    now = SimpleNamespace(
        generation=3,
        client="ci\n::error::forged",
        client_version="1\x1b]8;;http://x\x07",
        last_modifier="a@b\n::add-mask::z",
    )
    said = changed_by_someone_else(1, now)
    assert "\n" not in said and "\x1b" not in said and "\x07" not in said
    assert "ci\\n::error::forged" in said


def _rollout(sandbox: Sandbox, tmp_path: Path) -> tuple[str, list[dict[str, Any]], str]:
    """`drift check lab` as a table, its JSON findings of revision.rollout, and the plan."""
    import json

    table = lab_cli(sandbox, tmp_path, "check", "lab").stdout
    data = json.loads(lab_cli(sandbox, tmp_path, "check", "lab", "--format", "json").stdout)
    found = [f for f in data["findings"] if f["rule"] == "revision.rollout"]
    return table, found, lab_cli(sandbox, tmp_path, "plan", "lab").stdout


def test_check_warns_of_the_unreleased_image_fix_stops_on(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """revreal61 F2: traffic pinned to what served, a teammate's `--no-traffic` deploy of
    another image: `drift fix` stops on the template, and `check` warns of it (table, JSON),
    naming the difference as fix names it, the image included."""
    sandbox = make_sandbox(lab_world())
    deploy_no_traffic(clients_for(sandbox), lab_name(), V2)
    table, found, plan = _rollout(sandbox, tmp_path)
    assert "stops" in plan and "; blocked: app (" in plan, plan
    (finding,) = found
    assert finding["severity"] == "warning", finding
    assert f"(image: {V1} → {V2})" in finding["message"], finding
    assert table.count("revision.rollout") == 1 and f"image: {V1} → {V2}" in table, table
    # `gcloud run services update` builds on the template: it would release the image too
    script = lab_cli(sandbox, tmp_path, "plan", "lab", "--format", "gcloud").stdout
    assert "# not run: the service template differs from what serves" in script, script
    assert not [line for line in script.splitlines() if line.startswith("gcloud ")], script


@pytest.mark.parametrize(
    "own",
    [{"latest": True, "percent": 35}, {"revision": 2, "percent": 35}],
    ids=["latest", "by-name"],
)
def test_a_gradual_rollout_of_an_image_is_no_warning_and_no_stop(
    make_sandbox: MakeSandbox, tmp_path: Path, own: dict[str, object]
) -> None:
    """The template's own revision serves part of the traffic, through LATEST or by name (as
    gcloud's rollout makes it: `deploy --no-traffic`, then `update-traffic --to-revisions
    NEW=35`), an older image beside it at the larger share: nothing unreleased. `drift fix`
    builds on the template's revision and does not stop, and `check` does not warn (an image
    rolling out is not drift; revown62a F1: by name, the larger share decided both)."""
    old = {"image": V1, "port": 8080, "env": {"DEBUG": "true"}}
    new = {**old, "image": V2}
    traffic = [own, {"revision": 1, "percent": 65}]
    sandbox = make_sandbox(lab_world(template=new, history=[old], traffic=traffic))
    table, found, plan = _rollout(sandbox, tmp_path)
    assert found == [] and "revision.rollout" not in table, table
    assert "blocked" not in plan and "\nlab: 2 changes in 1 service, " in plan, plan
