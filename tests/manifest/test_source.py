"""The manifests as the check's source, offline (nothing read, no sandbox needed): the
services chosen, the notes, what cannot be judged from the files alone, and no credentials
needed at all."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.errors import UsageError
from drift.manifest import ManifestSource, load_manifests
from drift.profiles.loader import load_profile
from drift.report import Report
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.cliutil import REPO, drift
from tests.manifest.conftest import CHAT, MINIMAL, PLAN, check_offline
from tests.manifest.plans import API_ONLY, known_api, plan

STAGING = REPO / "profiles"


def offline(*paths: Path, env: str = "staging", profiles: Path = STAGING) -> Report:
    source = ManifestSource(load_manifests([str(p) for p in paths]), offline=True)
    profile = load_profile(profiles, env)
    return asyncio.run(run_check(profile, load_settings(), source=source)).report


def auth_only(tmp_path: Path) -> Path:
    plan = json.loads(PLAN.read_text())
    plan["resource_changes"] = [plan["resource_changes"][2]]
    path = tmp_path / "auth.json"
    path.write_text(json.dumps(plan))
    return path


def test_same_as_a_service_the_manifests_do_not_hold_is_not_verified(tmp_path: Path) -> None:
    report = offline(auth_only(tmp_path))
    assert report.services == ("auth",)
    by_target = {u.target: u.reason for u in report.unverified}
    assert by_target["env.JWT_SECRET_KEY"] == (
        "same_as api.JWT_SECRET_KEY: api is not in the manifests (a manifest check reads no "
        "live service)"
    )


def test_traffic_kept_on_named_revisions_is_said(tmp_path: Path) -> None:
    pinned = tmp_path / "chat.service.yaml"
    pinned.write_text(
        CHAT.read_text().replace(
            "  - latestRevision: true\n    percent: 100",
            "  - revisionName: chat-00004-jkl\n    percent: 100",
        )
    )
    profiles = REPO / "tests" / "data" / "manifest" / "profiles"
    report = offline(pinned, env="prod", profiles=profiles)
    assert any(
        "traffic stays on chat-00004-jkl; what is checked is the revision the deploy creates "
        "for chat, which gets no traffic; that revision: not verified (--offline)" in note
        for note in report.notes
    ), report.notes
    # the revision that serves once the manifest is applied is not read: never clean
    kept = [u for u in report.unverified if u.target == "revision.chat-00004-jkl"]
    assert [u.reason for u in kept] == [
        "serves 100 % of the traffic once deployed (the manifest keeps it there); not read "
        "(--offline)"
    ]


def test_findings_name_the_manifest_as_their_revision(tmp_path: Path) -> None:
    report = offline(PLAN)
    # web, which the plan destroys, is service.missing; SPEC: "Each finding's `revision` is
    # `manifest:FILE`", that one's too (helper-643 F2: it named none)
    manifest = f"manifest:{PLAN.relative_to(REPO)}"
    assert {(f.rule, f.revision) for f in report.findings if f.service == "web"} == {
        ("service.missing", manifest)
    }
    assert {f.revision for f in report.findings} == {manifest}
    assert all(f.since is None for f in report.findings)  # no history: nothing deployed yet


def test_offline_needs_no_credentials(tmp_path: Path) -> None:
    env = {
        "GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "none.json"),
        "HOME": str(tmp_path),
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
    }
    done = drift("check", "staging", "--offline", "-m", str(PLAN), env=env)
    assert done.returncode == 1, done.stdout + done.stderr  # the drift the plan holds
    assert "env.OAUTH_CLIENT_SECRET" in done.stdout and done.stderr == ""


def test_the_library_refuses_a_probe_of_what_is_not_deployed() -> None:
    from drift.errors import UsageError

    source = ManifestSource(load_manifests([str(PLAN)]), offline=True)
    with pytest.raises(UsageError, match="nothing is deployed to probe"):
        asyncio.run(
            run_check(load_profile(STAGING, "staging"), load_settings(), source=source, probe=True)
        )


def test_a_manifest_of_a_service_not_in_the_profile_is_noted_beside_one_that_is() -> None:
    """A pipeline passes every rendered file: one of a new service the profile does not list
    yet (chat, beside the plan of staging's services) is noted and not checked, as a plan's
    other resources are; it no longer stops the check of the others (revmanifest 6)."""
    report = offline(PLAN, CHAT)
    assert set(report.services) == {"api", "auth", "web"}  # web: destroyed by the plan
    chat = [n for n in report.notes if n.startswith("service chat (")]
    assert chat and chat[0].endswith("chat.service.yaml:22) not checked: not in the profile")


def test_manifests_none_of_which_holds_a_service_of_the_profile_are_refused(
    tmp_path: Path,
) -> None:
    """Nothing would be checked: exit 2 naming each file, as before."""
    from drift.errors import UsageError

    other = tmp_path / "billing.yaml"
    other.write_text(CHAT.read_text().replace("name: chat\n", "name: billing\n", 1))
    with pytest.raises(UsageError) as refused:
        offline(CHAT, other)
    said = str(refused.value)
    assert "chat.service.yaml names no service of profile staging: it has chat;" in said
    assert "billing.yaml names no service of profile staging: it has billing;" in said
    # helper-560 F4: each at the line that names it, with the way out
    assert f"{other}:22: {other} names no service" in said
    assert said.count("check the file against the profile of the environment it deploys to") == 2


def test_a_plan_naming_no_service_of_the_profile_is_refused_at_its_address(
    tmp_path: Path,
) -> None:
    data = json.loads(PLAN.read_text())
    data["resource_changes"] = [
        rc for rc in data["resource_changes"] if rc["address"] == "google_cloud_run_v2_service.api"
    ]
    data["resource_changes"][0]["change"]["after"]["name"] = "apii"
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data))
    with pytest.raises(UsageError) as refused:
        offline(plan)
    assert str(refused.value).startswith(
        f"{plan}: google_cloud_run_v2_service.api: {plan} names no service of profile staging: "
        "it has apii;"
    )


TWO = (
    "project: p\nregion: us-central1\nservices:\n"
    "  api:\n    env: {}\n"
    "  web:\n    env:\n      MODE: live\n"
)


def test_a_misnamed_manifest_of_a_profile_service_is_refused_naming_both(tmp_path: Path) -> None:
    """A pipeline renders one manifest per service of the profile; web's names `web-servce` (a
    typo, or a rename the profile did not follow). Beside api.yaml it was only noted, web was
    checked against nothing and the run was clean, exit 0. A service not in the profile whose
    name is a near miss of one the run checks that no manifest holds is exit 2, one line
    naming both (revown11 4); leaving web out of the run (--service api) makes it a note."""
    web = MINIMAL.replace("name: api", "name: web-servce").replace("api:1", "web:1")
    done = check_offline(tmp_path, TWO, ("api.yaml", MINIMAL), ("web.yaml", web))
    assert done.returncode == 2 and done.stdout == "", done.stdout
    assert done.stderr.splitlines() == [
        "drift: error: service web-servce (web.yaml:4) is not in profile prod; did you mean "
        "web? (web has no manifest in this run and would go unchecked: name it as the profile "
        "does, add web-servce to the profile, or leave web out with --service)"
    ]
    args = ["--profiles", "profiles", "-m", "api.yaml", "-m", "web.yaml", "--offline"]
    alone = drift("check", "prod", *args, "--service", "api", "-f", "json", cwd=tmp_path)
    assert alone.returncode == 0, alone.stdout + alone.stderr
    assert "service web-servce (web.yaml:4) not checked: not in the profile" in alone.stdout


NUMBERED = MINIMAL.replace("  name: api\n", '  name: api\n  namespace: "999999999999"\n')
"""A Knative export (`gcloud run services describe --format export`) names its project by
number; acme-chat-staging is 401234567890 in the sandbox, 999999999999 is another project."""
BARE = "project: acme-chat-staging\nregion: us-central1\nservices:\n  api:\n    env: {}\n"
DEFAULT = BARE.replace(
    "    env: {}\n",
    "    settings:\n      service_account: 999999999999-compute@developer.gserviceaccount.com\n",
)


def profiles_of(tmp_path: Path, text: str) -> Path:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "staging.yaml").write_text(text)
    return tmp_path / "profiles"


def test_offline_a_project_named_by_number_is_not_verified(tmp_path: Path) -> None:
    """Offline, the profile's project's number is not known: a manifest for project
    999999999999 may be another project's, never clean (revmanifest60 F2)."""
    path = tmp_path / "api.yaml"
    path.write_text(NUMBERED)
    report = offline(path, profiles=profiles_of(tmp_path, BARE))
    assert [(u.service, u.target) for u in report.unverified] == [("api", "service")]
    assert report.exit_code == 3


def test_offline_a_default_compute_account_by_number_is_not_verified(tmp_path: Path) -> None:
    """The profile names the default compute account by number and the manifest names no
    account: offline, which number the revision's account has is not known (revmanifest60 F3;
    live, GetProject tells)."""
    path = tmp_path / "api.yaml"
    path.write_text(MINIMAL)
    report = offline(path, profiles=profiles_of(tmp_path, DEFAULT))
    assert [u.target for u in report.unverified] == ["setting.service_account"]
    assert report.exit_code == 3


def test_live_a_manifest_for_another_project_by_number_is_refused(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """GetProject tells the profile's project's number: another number is another project,
    exit 2 as one named by id is (revmanifest60 F2); its own number is checked."""
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    profile = load_profile(STAGING, "staging")
    other = tmp_path / "other.yaml"
    other.write_text(NUMBERED)
    source = ManifestSource(load_manifests([str(other)]))
    with pytest.raises(UsageError, match="is for project 999999999999, profile staging checks"):
        asyncio.run(run_check(profile, load_settings(), source=source))
    own = tmp_path / "own.yaml"
    own.write_text(NUMBERED.replace("999999999999", "401234567890"))
    source = ManifestSource(load_manifests([str(own)]))
    report = asyncio.run(run_check(profile, load_settings(), source=source)).report
    assert report.services == ("api",)
    assert "service" not in {u.target for u in report.unverified}


def test_a_value_not_known_until_apply_hides_only_what_hangs_on_it(tmp_path: Path) -> None:
    """`value = some_resource.attr`: Terraform knows the name and that the variable is plain
    (`value_source: []`), not the value. Whatever it fills in, TESTING is set, JWT is plain
    where a reference is expected, EXTRA is not in the profile: certain drift (revmanifest60
    F1); only a rule that judges the value (LEVEL's) is not verified, REQ is present."""
    data = plan()
    api = known_api(data)
    data["resource_changes"] = [api]
    env = api["change"]["after"]["template"][0]["containers"][0]["env"]
    names = ("TESTING", "JWT", "REQ", "EXTRA", "LEVEL")
    marks: list[dict[str, Any]] = [{} for _ in env] + [{"value": True} for _ in names]
    env += [{"name": n, "value_source": []} for n in names]
    api["change"]["after_unknown"] = {"template": [{"containers": [{"env": marks}]}]}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    profile = API_ONLY + (
        "    unexpected_env: error\n    env:\n      TESTING: {forbidden: true}\n"
        "      JWT: {secret: jwt-secret-staging}\n      REQ: {required: true}\n"
        "      LEVEL: INFO\n"
    )
    text = profile.replace("    env:\n", "    env:\n" + "".join(
        f"      {e['name']}: {{optional: true}}\n" for e in env if e["name"] not in names
    ))  # fmt: skip
    report = offline(path, profiles=profiles_of(tmp_path, text))
    assert {(f.rule, f.target) for f in report.findings} == {
        ("env.forbidden", "env.TESTING"),
        ("env.plaintext_secret", "env.JWT"),
        ("env.unexpected", "env.EXTRA"),
    }
    assert [u.target for u in report.unverified] == ["env.LEVEL"]
