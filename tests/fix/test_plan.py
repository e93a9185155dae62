"""Planning: the minimal patch, manual steps with commands, and every output format."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from drift.diff import diff
from drift.fix.formats import PlanFormat
from drift.fix.formats.gcloud import service_script
from drift.fix.model import Action, Plan
from drift.fix.plan import build_plan
from drift.fix.render import render_plan
from drift.live.model import EnvVar
from drift.live.secret_state import SecretPolicy, SecretVersionInfo, VersionState
from drift.live.state import LiveState
from drift.profiles.loader import load_profile
from drift.profiles.model import Profile
from drift.refs import SecretRef
from drift.report import Report
from tests.livestate import SA, denied, plain, ref, state, with_env
from tests.test_diff import API_RULES, API_SETTINGS

PROFILE = (
    API_SETTINGS
    + "      cpu_throttling: false\n"
    + API_RULES
    + """\
      NEW_SECRET: {secret: brand-new, optional: true}
      LIST: "a,b,c"
  auth:
    env:
      SHARED: {secret: s4}
"""
)


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "staging.yaml").write_text(PROFILE)
    return load_profile(Path("profiles"), "staging")


def plan_for(profile: Profile, st: LiveState) -> Plan:
    names = ["api", "auth"]
    findings = diff(profile, names, st, dt.date(2026, 11, 24))
    report = Report("staging", "p", "r", tuple(names), tuple(findings))
    return build_plan(profile, names, st, report)


def drifted() -> LiveState:
    env = with_env(
        PLAIN=plain("PLAIN", "bye"),  # value -> set
        SEC=plain("SEC", "plaintext-secret-value"),  # plaintext -> secret reference
        PINNED=ref("PINNED", "s2", "latest"),  # wrong version -> repoint
        BAD=plain("BAD", "true"),  # forbidden -> remove
        REQ=None,  # required, no value stated -> manual
        LIST=None,  # missing value with commas -> set
    )
    return state(env, timeout="300s", cpu_throttling=True)


def test_minimal_patch_and_manual_steps(profile: Profile) -> None:
    plan = plan_for(profile, drifted())
    api = next(s for s in plan.services if s.service == "api")
    actions = {(c.action, c.name) for c in api.env}
    assert actions == {
        (Action.SET_VALUE, "PLAIN"),
        (Action.SET_SECRET, "SEC"),
        (Action.SET_SECRET, "PINNED"),
        (Action.REMOVE, "BAD"),
        (Action.SET_VALUE, "LIST"),
    }
    assert {(s.name, s.before, s.after) for s in api.settings} == {
        ("timeout", "300s", "600s"),
        ("cpu_throttling", True, False),
    }
    assert [m.target for m in api.manual] == ["env.REQ"]
    assert "--update-env-vars=REQ=<VALUE>" in api.manual[0].commands[0]
    auth = next(s for s in plan.services if s.service == "auth")
    assert not auth.has_patch and not auth.manual
    assert len(api.fixes) == 7  # every patched finding: 5 env, 2 settings


def test_secret_that_cannot_be_read_becomes_a_manual_step(profile: Profile) -> None:
    st = drifted()
    st.versions[SecretRef("s2", "3")] = SecretVersionInfo(
        SecretRef("s2", "3"), VersionState.DISABLED, "3"
    )
    st.policies["s1"] = SecretPolicy("s1", frozenset({"serviceAccount:someone@else"}))
    denied(st, SA, "s1")
    api = next(s for s in plan_for(profile, st).services if s.service == "api")
    names = {c.name for c in api.env}
    assert "PINNED" not in names and "SEC" not in names
    manual = {m.target: m for m in api.manual}
    assert "gcloud secrets versions enable 3 --secret=s2" in manual["secret.s2"].commands[0]
    assert "add-iam-policy-binding s1" in manual["secret.s1"].commands[0]
    assert SA in manual["secret.s1"].commands[0]


def test_missing_secret_to_reference_is_created_first(profile: Profile) -> None:
    st = state(with_env(NEW_SECRET=ref("NEW_SECRET", "other")))
    st.versions[SecretRef("brand-new")] = SecretVersionInfo(
        SecretRef("brand-new"), VersionState.SECRET_MISSING
    )
    api = next(s for s in plan_for(profile, st).services if s.service == "api")
    (step,) = [m for m in api.manual if m.target == "secret.brand-new"]
    assert step.commands[0].startswith("gcloud secrets create brand-new")


def test_gcloud_for_every_patch_kind(profile: Profile) -> None:
    api = next(s for s in plan_for(profile, drifted()).services if s.service == "api")
    command = "\n".join(service_script(api).lines)
    lines = [line.strip(" \\") for line in command.splitlines()]
    assert lines == [
        "gcloud run services update api",
        "--project=p",
        "--region=us-central1",
        "--timeout=600s",
        "--no-cpu-throttling",
        "--remove-env-vars=SEC,BAD",
        "'--update-env-vars=^@^PLAIN=hello@LIST=a,b,c'",
        "--update-secrets=SEC=s1:latest,PINNED=s2:3",
    ]
    assert "--set-" not in command
    assert "plaintext-secret-value" not in command


def test_gcloud_secret_to_plain_and_secret_removal() -> None:
    from drift.fix.model import EnvChange, ServicePlan

    sp = ServicePlan(
        service="api",
        full_name="x",
        etag="e",
        region="r",
        project="p",
        revision="api-1",
        env=(
            EnvChange(Action.SET_VALUE, "A", ref("A", "s"), value="plain"),
            EnvChange(Action.REMOVE, "B", ref("B", "s")),
            EnvChange(Action.SET_VALUE, "API_TOKEN", None, value="tok-1234567890"),
        ),
    )
    script = service_script(sp)
    command = "\n".join(script.lines)
    assert "--remove-secrets=B" in command  # A: gcloud cannot make it in one command
    assert "A=plain" not in command
    assert script.left == [sp.env[0]]
    assert script.skipped[0].startswith("A: it is read from Secret Manager, and gcloud refuses")
    assert '"--update-env-vars=^|^API_TOKEN=${DRIFT_VALUE_API_TOKEN}"' in command
    assert script.variables == [("DRIFT_VALUE_API_TOKEN", "API_TOKEN")]
    assert "tok-1234567890" not in command


@pytest.mark.parametrize("fmt", list(PlanFormat))
def test_every_format_renders_without_secret_values(profile: Profile, fmt: PlanFormat) -> None:
    st = drifted()
    plan = plan_for(profile, st)
    patched = {"api": _service_proto()}
    text = render_plan(plan, fmt, patched=patched)
    assert "plaintext-secret-value" not in text
    if fmt is PlanFormat.JSON:
        data = json.loads(text)
        assert data["schema"] == "drift.plan/v2"
        (api,) = [s for s in data["services"] if s["service"] == "api"]
        sec = next(c for c in api["env"] if c["name"] == "SEC")
        assert sec == {
            "id": "api/env.SEC",
            "action": "set_secret",
            "name": "SEC",
            "container": "app",
            "before": "***",
            "after": "secret s1:latest",
        }
    if fmt is PlanFormat.TABLE:
        assert "set_secret  SEC" in text and "***" in text
        assert text.rstrip().endswith("7 changes in 1 service, 1 manual step")


def _service_proto() -> object:
    from google.cloud import run_v2

    return run_v2.Service(
        name="projects/p/locations/r/services/api",
        template=run_v2.RevisionTemplate(
            containers=[
                run_v2.Container(
                    image="gcr.io/p/api:1",
                    env=[
                        run_v2.EnvVar(name="A", value="1"),
                        run_v2.EnvVar(name="DB_PASSWORD", value="hunter2-hunter2"),
                        run_v2.EnvVar(
                            name="S",
                            value_source=run_v2.EnvVarSource(
                                secret_key_ref=run_v2.SecretKeySelector(secret="s1", version="2")
                            ),
                        ),
                    ],
                )
            ]
        ),
    )


def test_yaml_is_a_knative_service_without_credentials(profile: Profile) -> None:
    from ruamel.yaml import YAML

    text = render_plan(
        plan_for(profile, drifted()), PlanFormat.YAML, patched={"api": _service_proto()}
    )
    doc = YAML(typ="safe", pure=True).load(text)
    assert doc["apiVersion"] == "serving.knative.dev/v1" and doc["kind"] == "Service"
    env = doc["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env[0] == {"name": "A", "value": "1"}
    # an untouched credential is never replaced by a placeholder: masked, and the file is
    # refused by `replace` (a field gcloud does not know) and says why at the top
    assert env[1] == {"name": "DB_PASSWORD", "value": "***"}
    assert "${" not in text
    assert "DB_PASSWORD looks like a credential" in doc["driftNotAppliable"]
    assert text.startswith("# drift plan staging --format yaml")
    assert "# NOT APPLIABLE as is" in text
    assert env[2] == {"name": "S", "valueFrom": {"secretKeyRef": {"name": "s1", "key": "2"}}}


def test_nothing_to_change(profile: Profile) -> None:
    plan = plan_for(profile, state(with_env(LIST=plain("LIST", "a,b,c")), cpu_throttling=False))
    assert not plan.has_patch
    assert render_plan(plan, PlanFormat.GCLOUD).endswith("# nothing to change\n")
    assert render_plan(plan, PlanFormat.TABLE).rstrip().endswith("staging: nothing to change")


def test_a_reference_naming_the_own_project_by_number_is_no_change(profile: Profile) -> None:
    """SEC written `projects/NUMBER/secrets/s1` (Terraform's form), the profile's `{secret:
    s1}`: the same secret (SPEC: P "an id or a number"), as `check` already judged it; the plan
    proposed a set_secret that `fix` wrote, a canary for nothing."""
    st = state(with_env(LIST=plain("LIST", "a,b,c")), cpu_throttling=False)
    written = SecretRef("s1", "latest", "500000000001")
    st.projects["500000000001"] = "p"  # GetProject's answer
    st.versions[written] = st.versions[SecretRef("s1")]
    st.services["api"].template.main.env["SEC"] = EnvVar("SEC", ref=written)
    plan = plan_for(profile, st)
    assert not plan.has_patch, render_plan(plan, PlanFormat.TABLE)
