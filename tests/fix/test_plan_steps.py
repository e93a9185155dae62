"""Manual steps that never contradict the patch or recommend what would fail (issue 22), and
repairs of secret-backed variables that never set a plain value (issue 21 item 8)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from drift.diff import diff
from drift.fields import DEFAULT_SERVICE_ACCOUNT
from drift.findings import Finding, Severity
from drift.fix.formats.gcloud import plan_script
from drift.fix.model import Action, Plan, ServicePlan
from drift.fix.plan import build_plan
from drift.live.secret_state import SecretPolicy, SecretVersionInfo, VersionState
from drift.live.state import LiveState
from drift.profiles.loader import load_profile
from drift.profiles.model import Profile
from drift.refs import SecretRef
from drift.report import Report
from tests.livestate import SA, denied, plain, ref, state, with_env
from tests.profilecopy import API_HEAD

PROFILE = (
    API_HEAD
    + """\
    env:
      LONG: {secret: s3, min_length: 32}
      DB_URL: {secret: db-url-dev}
      PLAIN_LONG: {min_length: 10, optional: true}
"""
)


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "dev.yaml").write_text(PROFILE)
    return load_profile(Path("profiles"), "dev")


def rewritten(text: str) -> Profile:
    """The profile `dev` with new text (the fixture has made the directory)."""
    Path("profiles/dev.yaml").write_text(text)
    return load_profile(Path("profiles"), "dev")


def plan_for(profile: Profile, st: LiveState, names: tuple[str, ...] = ("api",)) -> Plan:
    findings = diff(profile, list(names), st, dt.date(2026, 11, 24))
    return build_plan(profile, names, st, Report("dev", "p", "r", names, tuple(findings)))


def api_of(plan: Plan) -> ServicePlan:
    return next(s for s in plan.services if s.service == "api")


def versions(st: LiveState, secret: str, **states: tuple[VersionState, str]) -> None:
    for version, (kind, resolved) in states.items():
        key = SecretRef(secret, version.removeprefix("v"))
        st.versions[key] = SecretVersionInfo(key, kind, resolved)
    st.policies[secret] = SecretPolicy(secret, frozenset({f"serviceAccount:{SA}"}))


def base(**env: object) -> LiveState:
    st = state(with_env(**env))  # type: ignore[arg-type]
    st.values[SecretRef("s3")] = "x" * 40
    versions(st, "db-url-dev", latest=(VersionState.ENABLED, "3"))
    return st


def test_secret_backed_variable_failing_a_constraint_gets_a_version_never_a_value(
    profile: Profile,
) -> None:
    st = base(LONG=ref("LONG", "s3"), DB_URL=ref("DB_URL", "db-url-dev"))
    st.values[SecretRef("s3")] = "too-short"
    api = api_of(plan_for(profile, st))
    (step,) = [m for m in api.manual if m.target == "env.LONG"]
    assert "add a version of s3" in step.reason
    assert step.commands[0].startswith("printf %s <NEW_VALUE> | gcloud secrets versions add s3")
    assert "--update-secrets=LONG=s3:<VERSION>" in step.commands[1]
    text = plan_script(Plan("dev", "p", "r", (api,)))
    assert "--update-env-vars" not in text
    assert "too-short" not in text


def test_plain_variable_failing_a_constraint_gets_a_template_to_fill(profile: Profile) -> None:
    st = base(DB_URL=ref("DB_URL", "db-url-dev"), PLAIN_LONG=plain("PLAIN_LONG", "short"))
    api = api_of(plan_for(profile, st))
    (step,) = [m for m in api.manual if m.target == "env.PLAIN_LONG"]
    assert step.commands == (
        "gcloud run services update api --project=p --region=us-central1 "
        "--update-env-vars=PLAIN_LONG=<VALUE>",
    )


def test_repointing_away_from_a_broken_version_asks_for_nothing_else(profile: Profile) -> None:
    """The plan repoints DB_URL from version 2 (DISABLED) to latest (ENABLED): adding or
    enabling a version of db-url-dev as well would contradict it."""
    st = base(DB_URL=ref("DB_URL", "db-url-dev", "2"))
    versions(st, "db-url-dev", v2=(VersionState.DISABLED, "2"), latest=(VersionState.ENABLED, "3"))
    findings = diff(profile, ["api"], st, dt.date(2026, 11, 24))
    disabled = next(f for f in findings if f.rule == "secret.disabled")
    api = api_of(plan_for(profile, st))
    assert [(c.action, c.name) for c in api.env] == [(Action.SET_SECRET, "DB_URL")]
    assert not [m for m in api.manual if "db-url-dev" in m.target]
    assert disabled.id in api.fixes


def test_a_reference_that_cannot_be_read_is_one_step_not_two(profile: Profile) -> None:
    st = base(DB_URL=ref("DB_URL", "db-url-dev", "2"))
    versions(
        st, "db-url-dev", v2=(VersionState.DESTROYED, "2"), latest=(VersionState.DISABLED, "3")
    )
    api = api_of(plan_for(profile, st))
    assert not api.env
    (step,) = [m for m in api.manual if m.target == "secret.db-url-dev"]
    # latest (version 3) is DISABLED: enable it, or add a version; nothing about version 2
    assert step.commands[0].startswith("gcloud secrets versions enable 3 --secret=db-url-dev")
    assert "versions add db-url-dev" in step.commands[1]


def test_pinned_destroyed_version_is_repointed_not_added_to(profile: Profile) -> None:
    text = PROFILE.replace("{secret: db-url-dev}", '{secret: db-url-dev, version: "2"}')
    pinned = rewritten(text)
    st = base(DB_URL=ref("DB_URL", "db-url-dev", "2"))
    versions(st, "db-url-dev", v2=(VersionState.DESTROYED, "2"))
    api = api_of(plan_for(pinned, st))
    (step,) = [m for m in api.manual if m.target == "secret.db-url-dev"]
    assert step.commands == (
        "gcloud run services update api --project=p --region=us-central1 "
        "--update-secrets=DB_URL=db-url-dev:<VERSION>",
    )


def test_a_failed_latest_revision_is_never_sent_traffic(profile: Profile) -> None:
    st = base(DB_URL=ref("DB_URL", "db-url-dev"), LONG=ref("LONG", "s3"))
    live = st.services["api"]
    st.services["api"] = dataclasses.replace(
        live,
        latest_created="api-00002-bad",
        latest_created_ready=False,
        latest_created_message="image not found",
    )
    api = api_of(plan_for(profile, st))
    (step,) = [m for m in api.manual if m.target == "revision.api-00002-bad"]
    assert not any("--to-latest" in c for c in step.commands)
    assert "gcloud run revisions describe api-00002-bad" in step.commands[0]
    assert api.unreleased.startswith("the service template's revision api-00002-bad failed")


def test_a_ready_template_revision_may_be_released(profile: Profile) -> None:
    st = base(DB_URL=ref("DB_URL", "db-url-dev"), LONG=ref("LONG", "s3"))
    live = st.services["api"]
    template = dataclasses.replace(
        live.template, settings={**live.template.settings, "timeout": "9s"}
    )
    st.services["api"] = dataclasses.replace(
        live, template=template, latest_created="api-00002-new", latest_ready="api-00002-new"
    )
    api = api_of(plan_for(profile, st))
    (step,) = [m for m in api.manual if m.target.startswith("revision.")]
    assert any(c.endswith("--to-latest --project=p --region=us-central1") for c in step.commands)
    assert api.unreleased.startswith("the service template differs from what serves")


def test_a_missing_service_gets_a_commented_deploy_and_a_did_you_mean(profile: Profile) -> None:
    text = PROFILE + "  notifer:\n    env:\n      A: b\n"
    typo = rewritten(text)
    st = base(DB_URL=ref("DB_URL", "db-url-dev"), LONG=ref("LONG", "s3"))
    st.missing.add("notifer")
    st.listed = {"api", "notifier", "auth"}
    plan = plan_for(typo, st, ("api", "notifer"))
    (step,) = next(s for s in plan.services if s.service == "notifer").manual
    assert step.reason == "service notifer does not exist: did you mean notifier?"
    assert step.commands == (
        "gcloud run deploy notifer --image=<IMAGE> --project=p --region=us-central1",
    )
    script = plan_script(plan)
    assert "#   gcloud run deploy notifer --image=<IMAGE>" in script
    assert "\ngcloud run deploy" not in script


def test_a_new_service_account_that_cannot_read_the_secrets_is_not_set(profile: Profile) -> None:
    text = PROFILE.replace("  api:\n", "  api:\n    settings:\n      service_account: new@p.iam\n")
    moving = rewritten(text)
    st = base(DB_URL=ref("DB_URL", "db-url-dev"), LONG=ref("LONG", "s3"))
    denied(st, "new@p.iam", "db-url-dev", "s1", "s2", "s3")
    api = api_of(plan_for(moving, st))
    assert not api.settings  # the revision would start without its secrets
    (step,) = [m for m in api.manual if m.target == "setting.service_account"]
    assert "new@p.iam cannot access db-url-dev, s1, s2, s3" in step.reason
    assert step.commands[0] == (
        "gcloud secrets add-iam-policy-binding db-url-dev "
        "--member=serviceAccount:new@p.iam --role=roles/secretmanager.secretAccessor --project=p"
    )


def test_a_service_account_that_can_read_them_is_set(profile: Profile) -> None:
    text = PROFILE.replace("  api:\n", "  api:\n    settings:\n      service_account: new@p.iam\n")
    moving = rewritten(text)
    st = base(DB_URL=ref("DB_URL", "db-url-dev"), LONG=ref("LONG", "s3"))
    for policy in st.policies.values():
        object.__setattr__(policy, "accessors", policy.accessors | {"serviceAccount:new@p.iam"})
    api = api_of(plan_for(moving, st))
    assert [s.name for s in api.settings] == ["service_account"]


def test_a_tagged_revision_at_zero_percent_is_not_an_unreleased_template(
    profile: Profile,
) -> None:
    st = base(DB_URL=ref("DB_URL", "db-url-dev"), LONG=ref("LONG", "s3"))
    live = st.services["api"]
    old = dataclasses.replace(
        live.serving[0],
        name="api-00000-old",
        percent=0,
        tags=("e2e",),
        config=dataclasses.replace(
            live.template, settings={**live.template.settings, "timeout": "9s"}
        ),
    )
    st.services["api"] = dataclasses.replace(live, serving=(*live.serving, old))
    assert api_of(plan_for(profile, st)).unreleased == ""


def test_a_mounted_secret_gets_a_commented_update_secrets(profile: Profile) -> None:
    st = base(DB_URL=ref("DB_URL", "db-url-dev"), LONG=ref("LONG", "s3"))
    mount = Finding(
        "m1",
        "mount.secret_ref",
        Severity.ERROR,
        "api",
        "api-00001-abc",
        "mount./etc/creds/key.json",
        "/etc/creds/key.json mounts tls:1",
        None,
        None,
        None,
    )
    report = Report("dev", "p", "r", ("api",), (mount,))
    api = api_of(build_plan(profile, ["api"], st, report))
    (step,) = api.manual
    # the revision the patch builds on mounts nothing there: no file is known, so a
    # placeholder (gcloud mounts the volume at the parent of the path it is given)
    assert step.commands == (
        "gcloud run services update api --project=p --region=us-central1 "
        "--update-secrets=/etc/creds/key.json/<FILE>=<SECRET>:<VERSION>",
    )
    assert "/etc/creds/key.json itself if that is the file" in step.reason


@pytest.mark.parametrize(
    ("projects", "number", "quote"),
    [({"700000000001": "p"}, "700000000001", ""), ({}, "<PROJECT_NUMBER>", "'")],
)
def test_a_grant_to_the_default_compute_account_names_it_by_its_address(
    profile: Profile, projects: dict[str, str], number: str, quote: str
) -> None:
    """A service naming no account runs as its project's default compute one: the grant step
    names it as IAM takes it, PROJECT_NUMBER-compute@…, the number from GetProject or left for
    the user to fill in — never "default compute service account" (revfirst62 F2)."""
    env = with_env(DB_URL=ref("DB_URL", "db-url-dev"), LONG=ref("LONG", "s3"))
    st = state(env, service_account=DEFAULT_SERVICE_ACCOUNT)
    versions(st, "db-url-dev", latest=(VersionState.ENABLED, "3"))
    st.projects = projects
    denied(st, DEFAULT_SERVICE_ACCOUNT, "db-url-dev")
    (step,) = [m for m in api_of(plan_for(profile, st)).manual if "db-url-dev" in m.target]
    member = f"--member=serviceAccount:{number}-compute@developer.gserviceaccount.com"
    assert step.commands == (
        "gcloud secrets add-iam-policy-binding db-url-dev "
        f"{quote}{member}{quote} --role=roles/secretmanager.secretAccessor --project=p",
    )


def test_a_plain_value_the_profile_wants_from_a_secret_is_swapped_for_that_reference(
    profile: Profile,
) -> None:
    """The profile names the secret and version: the step swaps the variable for that
    reference. It printed `gcloud secrets create <SECRET>` and `--update-secrets=DB_URL=
    <SECRET>:latest` — filled in with the secret the step names, a second create of it, and
    `latest` where the step says version 3 is expected (helper-557 G7)."""
    pinned = rewritten(
        PROFILE.replace("{secret: db-url-dev}", '{secret: db-url-dev, version: "3"}')
    )
    st = base(LONG=ref("LONG", "s3"), DB_URL=plain("DB_URL", "postgres://db.internal/app"))
    versions(st, "db-url-dev", v3=(VersionState.SECRET_MISSING, ""))  # created by hand first
    api = api_of(plan_for(pinned, st))
    (create,) = [m for m in api.manual if m.target == "secret.db-url-dev"]
    assert create.commands[0].startswith("gcloud secrets create db-url-dev"), create
    (step,) = [m for m in api.manual if m.target == "env.DB_URL"]
    assert "secret db-url-dev:3" in step.reason, step
    assert step.commands == (
        "gcloud run services update api --project=p --region=us-central1 "
        "--remove-env-vars=DB_URL --update-secrets=DB_URL=db-url-dev:3",
    ), step
