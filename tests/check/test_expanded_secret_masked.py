"""A variable whose value names another with `$(NAME)` holds that text: Cloud Run expands no
reference (run v2 k8s.min.proto EnvVar.value: "Variable references are not supported in Cloud
Run"). When the variable it names holds a secret as a plain value (the profile says it must be
a secret reference, or it looks like a credential), the secret never shows through it, however
short, in any format. drift once expanded such values and showed the secret in the expansion
(revread84 F1); these keep it from coming back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.format import OutputFormat, formatter_for
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.test_check_shapes import check_profile

SHORT = "pw4Kq9"
"""Shorter than any value drift searches for inside text."""
IMG = "us-central1-docker.pkg.dev/p/apps/api:1"
PROFILE = """project: p
region: us-central1
services:
  api:
    unexpected_env: warn
    env:
      DB_PASS: {secret: db-pass}
      ROUTE: "tenant-$(DB_PASS)-us"
"""


def world(env: dict[str, str]) -> dict[str, Any]:
    return {
        "options": {"seed": 7},
        "projects": {
            "p": {
                "number": 111,
                "region": "us-central1",
                "secrets": {"db-pass": {"versions": ["another-value-entirely"]}},
                "services": {"api": {"template": {"image": IMG, "env": env}}},
            }
        },
    }


def rendered(report: Any) -> str:
    formats = [OutputFormat.JSON, OutputFormat.GITHUB, OutputFormat.SARIF, OutputFormat.MARKDOWN]
    texts = [formatter_for(OutputFormat.TABLE, width=300).render(report)]
    return "\n".join(texts + [formatter_for(f).render(report) for f in formats])


@pytest.mark.parametrize(
    ("env", "shown"),
    [
        # the service's ROUTE is another: env.value shows what it runs with
        ({"DB_PASS": SHORT, "ROUTE": "tenant-$(DB_PASS)-eu"}, "env.ROUTE"),
        # not named by the profile: env.unexpected shows it
        ({"DB_PASS": SHORT, "GREETING": "hello $(DB_PASS) there"}, "env.GREETING"),
        # two steps away: BANNER holds GREETING, which holds DB_PASS
        (
            {"DB_PASS": SHORT, "GREETING": "hi $(DB_PASS)", "BANNER": "[$(GREETING)] ok"},
            "env.BANNER",
        ),
    ],
    ids=["value", "unexpected", "chain"],
)
def test_a_short_secret_expanded_into_another_variable_is_never_shown(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    env: dict[str, str],
    shown: str,
) -> None:
    result = check_profile(make_sandbox, monkeypatch, tmp_path, world(env), PROFILE)
    report = result.report
    [finding] = [f for f in report.findings if f.target == shown]
    assert finding.actual is not None, finding  # the finding shows the value: masked
    assert SHORT not in (finding.actual or ""), finding
    assert any(f.rule == "env.plaintext_secret" for f in report.findings)
    if shown == "env.ROUTE":
        assert finding.rule == "env.value", finding
    text = rendered(report)
    assert shown.removeprefix("env.") in text  # the finding is there, in every format
    assert SHORT not in text


def test_expanded_from_a_value_pasted_over_a_reference_in_a_traffic_split(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """DB_PASS is a reference to `db-pass` in the revision taking 90 %, a plain value (the
    secret pasted in, `drift.live.remember.inlined`) in the one taking 10 %, where GREETING
    expands it. The profile names neither: GREETING's `env.unexpected` never shows it."""
    scenario = world({})
    service = scenario["projects"]["p"]["services"]["api"]
    service["template"]["env"] = {"DB_PASS": {"secret": "db-pass"}, "GREETING": "hi"}
    service["history"] = [
        {"image": IMG, "env": {"DB_PASS": SHORT, "GREETING": "hi $(DB_PASS)"}, "created": "2d"}
    ]
    service["traffic"] = [{"latest": True, "percent": 90}, {"revision": 1, "percent": 10}]
    profile = "project: p\nregion: us-central1\nservices:\n  api: {unexpected_env: warn, env: {}}\n"
    result = check_profile(make_sandbox, monkeypatch, tmp_path, scenario, profile)
    report = result.report
    greeting = [f for f in report.findings if f.target == "env.GREETING"]
    assert len(greeting) == 2 and all(f.actual for f in greeting), report.findings
    assert all(SHORT not in (f.actual or "") for f in greeting), greeting
    text = rendered(report)
    assert "GREETING" in text and SHORT not in text


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ADMIN_PASSWORD", SHORT),
        ("ADMIN_PASSWORD", "correct-horse-battery"),
        ("API_TOKEN", "tok-9f3a"),
    ],
    ids=["password-short", "password-long", "token"],
)
def test_a_value_hidden_for_its_name_is_never_shown_through_an_expansion(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    name: str,
    value: str,
) -> None:
    """No rule names either variable: `name`'s value is masked for its name alone
    (`credentials.hidden_plain`), never registered as a secret; GREETING expands it, and
    showed it, short or long."""
    env = {name: value, "GREETING": f"login with $({name}) now"}
    profile = "project: p\nregion: us-central1\nservices:\n  api: {unexpected_env: warn, env: {}}\n"
    result = check_profile(make_sandbox, monkeypatch, tmp_path, world(env), profile)
    report = result.report
    shown = {f.target: f.actual for f in report.findings if f.rule == "env.unexpected"}
    assert set(shown) == {f"env.{name}", "env.GREETING"}, report.findings
    assert all(actual and value not in actual for actual in shown.values()), shown
    text = rendered(report)
    assert "GREETING" in text and value not in text


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_drift_history_never_shows_it_through_an_expansion_either(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: str
) -> None:
    """`drift history` lists what each revision changed, values masked as in findings: its
    revisions are normalised as check's are (`drift.live.remember.remember_config`), and
    GREETING's change showed the expanded password."""
    scenario = world({"ADMIN_PASSWORD": SHORT, "GREETING": "login with $(ADMIN_PASSWORD) now"})
    older = {"image": IMG, "env": {"ADMIN_PASSWORD": SHORT, "GREETING": "hi"}, "created": "2d"}
    scenario["projects"]["p"]["services"]["api"]["history"] = [older]
    sandbox = make_sandbox(scenario)
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "prod.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api: {env: {}}\n"
    )
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}
    done = drift("history", "prod", "--format", fmt, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "GREETING" in done.stdout, done.stdout
    assert SHORT not in done.stdout + done.stderr
