"""`since` end to end, through the command line against the sandbox: a drift drift's own fix
introduced names drift as its client, a repointed secret names the revision that repointed it,
and `--no-history` lists no revision and puts no `since` on any finding."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from drift import __version__
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, LAB_APP_LIVE, lab_cli, lab_world
from tests.test_since import CI, PROFILE, acme_world, scenario


def check_json(sandbox: Sandbox, profiles: Path, environment: str, *args: str) -> dict[str, Any]:
    """`drift check ENVIRONMENT --format json ARGS` with the profiles in `profiles`."""
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(profiles)}
    done = drift("check", environment, "--format", "json", *args, env=env, cwd=profiles.parent)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def finding(document: dict[str, Any], service: str, target: str) -> dict[str, Any]:
    (found,) = [
        f for f in document["findings"] if f["service"] == service and f["target"] == target
    ]
    return found


def write_profile(folder: Path, environment: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / f"{environment}.yaml").write_text(textwrap.dedent(text))
    return folder


def test_a_drift_that_drifts_own_fix_introduced_names_drift(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`drift fix` removes DEBUG (forbidden); the team then wants DEBUG back (required): the
    next check finds it missing since the revision drift's fix wrote, client drift."""
    sandbox = make_sandbox(lab_world())
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    edited = write_profile(
        tmp_path / "edited",
        "lab",
        "\n" + LAB_APP_LIVE + "      DEBUG: {required: true}\n",
    )
    missing = finding(check_json(sandbox, edited, "lab"), "app", "env.DEBUG")
    assert missing["rule"] == "env.missing"
    since = missing["since"]
    assert since["client"] == f"drift {__version__}"
    assert since["last_good"].startswith("app-00001-")  # the gcloud deploy that had DEBUG
    # the revision named is the one the fix wrote: it serves now, and it is not 00001
    assert sandbox.service(LAB, "app").latest_ready_revision.endswith(since["revision"])
    assert not since["revision"].startswith("app-00001-")


SECRETS_PROFILE = """
project: acme
region: us-central1
services:
  api:
    env:
      TOKEN: {secret: token-a}
"""


def secrets_world() -> dict[str, Any]:
    """TOKEN referenced token-a in 00001 (alice, gcloud); CI repointed it to token-b from the
    console in 00002; 00003 (an image change by CI with gcloud) still points at token-b."""
    history = [
        {"env": {"TOKEN": {"secret": "token-a"}}, "created": "60d",
         "creator": "alice@acme.example", "client": "gcloud", "client_version": "460.0.0"},
        {"created": "20d", "creator": CI, "client": "cloud-console"},
    ]  # fmt: skip
    template = {"image": "img:2", "env": {"TOKEN": {"secret": "token-b"}}}
    secrets = {name: {"versions": [{"value": f"fake-{name}"}]} for name in ("token-a", "token-b")}
    return acme_world({"api": {"template": template, "history": history}}, secrets=secrets)


def test_a_repointed_secret_names_the_revision_that_repointed_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(secrets_world())
    profiles = write_profile(tmp_path / "profiles", "prod", SECRETS_PROFILE)
    repointed = finding(check_json(sandbox, profiles, "prod"), "api", "env.TOKEN")
    assert repointed["rule"] == "env.secret_ref"
    since = repointed["since"]
    assert since["revision"].startswith("api-00002-")
    assert since["last_good"].startswith("api-00001-")
    assert (since["creator"], since["client"]) == (CI, "cloud-console")
    assert repointed["revision"].startswith("api-00003-")


def test_no_history_through_the_cli_lists_no_revision_and_says_no_since(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(scenario())
    profiles = write_profile(tmp_path / "profiles", "prod", PROFILE)
    sandbox.clear_calls()
    with_history = check_json(sandbox, profiles, "prod")
    assert [c for c in sandbox.calls if c.short == "ListRevisions"]  # the test can fail
    assert any(f.get("since") for f in with_history["findings"])
    sandbox.clear_calls()
    without = check_json(sandbox, profiles, "prod", "--no-history")
    assert not [c for c in sandbox.calls if c.short == "ListRevisions"]
    assert without["findings"] and all(f.get("since") is None for f in without["findings"])
    assert {(f["service"], f["target"]) for f in without["findings"]} == {
        (f["service"], f["target"]) for f in with_history["findings"]
    }


def _scaled_world(revision_min: int, service_min: int) -> dict[str, Any]:
    """app's revision sets `min_instances: REVISION_MIN`; its service sets SERVICE_MIN (with
    `gcloud run services update --min`, which makes no revision); an older revision ran v1."""
    template = {"image": "us-docker.pkg.dev/lab/app:v3", "port": 8080}
    if revision_min:
        template["min_instances"] = revision_min
    world = lab_world(
        template=template,
        history=[
            {
                "name": "app-00001-aaa",
                "created": "30d",
                "creator": "alice@acme.example",
                "client": "cloud-console",
                "image": "us-docker.pkg.dev/lab/app:v1",
            }
        ],
    )
    world["projects"][LAB]["services"]["app"]["scaling"] = {"minInstanceCount": service_min}
    return world


def test_a_service_level_minimum_is_blamed_on_no_revision(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    profile = f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n"
    profiles = write_profile(tmp_path / "profiles", "lab", profile + "      min_instances: 1\n")
    sandbox = make_sandbox(_scaled_world(0, 5))
    found = finding(check_json(sandbox, profiles, "lab"), "app", "setting.min_instances")
    assert found["actual"] == "5" and found.get("since") is None, found
    # where the revision's own minimum is what binds, a revision did set it
    sandbox = make_sandbox(_scaled_world(7, 5))
    found = finding(check_json(sandbox, profiles, "lab"), "app", "setting.min_instances")
    assert found["actual"] == "7" and found["since"] is not None, found


SAME_AS_PROFILE = """
project: acme
region: us-central1
services:
  api:
    env:
      MODE: {same_as: worker.MODE}
  worker:
    env:
      MODE: {required: true}
"""


def _same_as_world(old_mode: Any) -> dict[str, Any]:
    """api's MODE held worker's value (live) in 00001, another value since 00002 (by CI);
    `old_mode` is what 00001 held."""
    history = [
        {"env": {"MODE": old_mode}, "created": "20d", "creator": "alice@acme.example"},
        {"created": "10d", "creator": CI, "client": "gcloud", "client_version": "467.0.0"},
    ]
    return acme_world(
        {
            "api": {"template": {"image": "img:1", "env": {"MODE": "test"}}, "history": history},
            "worker": {"template": {"image": "img:1", "env": {"MODE": "live"}}},
        },
        secrets={"mode": {"versions": ["live", "live-2"]}},
    )


def test_values_not_the_same_carry_where_they_began(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """SPEC: "Every finding on a revision also carries `since`": env.inconsistent is a
    revision's own value (revspec2 2). The only drift of api: its history is read after the
    diff (the other side's value is known only then); older revisions are compared with
    worker's value of today, and the note says so."""
    sandbox = make_sandbox(_same_as_world("live"))
    profiles = write_profile(tmp_path / "profiles", "prod", SAME_AS_PROFILE)
    sandbox.clear_calls()
    found = finding(check_json(sandbox, profiles, "prod"), "api", "env.MODE")
    assert found["rule"] == "env.inconsistent" and found["revision"].startswith("api-00003-")
    since = found["since"]
    assert since["revision"].startswith("api-00002-") and since["creator"] == CI
    assert since["last_good"].startswith("api-00001-")
    assert since["note"] == (
        "each revision compared with the value worker.MODE holds today (its history is not "
        "read: its own deploy may have begun the drift)"
    )
    listed = [c.request.parent for c in sandbox.calls if c.short == "ListRevisions"]
    assert [p.rsplit("/", 1)[-1] for p in listed] == ["api"]  # worker has no finding


def test_values_not_the_same_before_a_secret_not_read_are_since_00002_or_earlier(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """00001 took MODE from a secret version this check did not read: whether it held
    worker's value is not known, so neither is where the drift began: `since` 00002 "or
    earlier", never a guess that 00002 began it, nor 00001 named good (helper-628: before,
    no `since` at all, which read as a drift of today)."""
    sandbox = make_sandbox(_same_as_world({"secret": "mode", "version": "1"}))
    profiles = write_profile(tmp_path / "profiles", "prod", SAME_AS_PROFILE)
    found = finding(check_json(sandbox, profiles, "prod"), "api", "env.MODE")
    assert found["rule"] == "env.inconsistent", found
    since = found["since"]
    assert since["revision"].startswith("api-00002-") and since["creator"] == CI, since
    assert since["last_good"] is None and since["earlier"] is True, since
    assert since["unjudged"].startswith("api-00001-"), since
    assert since["note"].startswith(
        f"the drift may be older: before it, {since['unjudged']} could not be judged (MODE "
        "there takes secret mode:1, which this check did not read); each revision compared"
    ), since["note"]


def test_values_not_the_same_as_another_service_say_so_with_one_revision(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """revown16 2: api has one revision (alice, MODE=live), which matched worker then; CI
    redeployed worker with MODE=test yesterday. The revision is judged with worker's value of
    today, so the note says so with one revision too (it said nothing, blaming alice)."""
    world = acme_world(
        {
            "api": {
                "template": {"image": "img:1", "env": {"MODE": "live"}},
                "creator": "alice@acme.example",
            },
            "worker": {
                "template": {"image": "img:1", "env": {"MODE": "test"}},
                "history": [{"env": {"MODE": "live"}, "created": "20d"}],
                "creator": CI,
            },
        }
    )
    profiles = write_profile(tmp_path / "profiles", "prod", SAME_AS_PROFILE)
    found = finding(check_json(make_sandbox(world), profiles, "prod"), "api", "env.MODE")
    assert found["rule"] == "env.inconsistent"
    since = found["since"]
    assert since["last_good"] is None and "worker.MODE holds today" in since["note"], since


SELF_PROFILE = """
project: acme
region: us-central1
services:
  api:
    env:
      PUBLIC_URL: {same_as: api.BASE_URL}
      BASE_URL: {required: true}
"""
A_URL, B_URL = "https://a.example", "https://b.example"


def _self_world(old: dict[str, str], **more: Any) -> dict[str, Any]:
    """api today: PUBLIC_URL=a, BASE_URL=b; `old` is what its one older revision held."""
    template = {"image": "img:1", "env": {"PUBLIC_URL": A_URL, "BASE_URL": B_URL}}
    history = [{"env": old, "created": "20d", "creator": "alice@acme.example"}]
    return acme_world({"api": {"template": template, "history": history, **more}})


def test_values_not_the_same_within_one_service_name_the_revision_that_broke_them(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """revown16 1a: same_as between two variables of one service. api-00001 (alice) held the
    two alike; api-00002 (CI) changed BASE_URL only. Each revision is judged by its own
    BASE_URL (it was judged by today's: since api-00001 by alice, no last_good)."""
    world = _self_world({"PUBLIC_URL": A_URL, "BASE_URL": A_URL}, creator=CI)
    profiles = write_profile(tmp_path / "profiles", "prod", SELF_PROFILE)
    found = finding(check_json(make_sandbox(world), profiles, "prod"), "api", "env.PUBLIC_URL")
    assert found["rule"] == "env.inconsistent"
    since = found["since"]
    assert since["revision"].startswith("api-00002-") and since["creator"] == CI, since
    assert (since["last_good"] or "").startswith("api-00001-") and not since.get("note"), since


def test_values_not_the_same_within_one_service_never_call_a_revision_with_them_good(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """revown16 1b: api-00001 held PUBLIC_URL=b, BASE_URL=a; api-00002 swapped them. Both are
    inconsistent: api-00001 is no last_good (its PUBLIC_URL equals today's BASE_URL, which
    named it one: rolling back to it brings the same drift back)."""
    world = _self_world({"PUBLIC_URL": B_URL, "BASE_URL": A_URL})
    profiles = write_profile(tmp_path / "profiles", "prod", SELF_PROFILE)
    found = finding(check_json(make_sandbox(world), profiles, "prod"), "api", "env.PUBLIC_URL")
    assert found["rule"] == "env.inconsistent"
    since = found["since"]
    assert since["revision"].startswith("api-00001-") and since["last_good"] is None, since
