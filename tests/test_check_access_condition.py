"""A `resource.name` condition is judged on the project-number form only: IAM names Secret
Manager versions `projects/PROJECT_NUMBER/secrets/SECRET/versions/VERSION`
(cloud.google.com/iam/docs/conditions-resource-attributes#resource-name). One written with the
project id grants nothing (no access, never clean); when the number is unknown the grant is
unverified."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from drift.live.iam_policy import evaluate
from drift.sandbox import Fault
from tests.conftest import MakeSandbox
from tests.test_check_access_indirect import ACCESSOR, SA, run, world
from tests.test_check_shapes import check_profile


def conditional(prefix: str) -> list[dict[str, Any]]:
    expression = f'resource.name.startsWith("{prefix}")'
    return [{"role": ACCESSOR, "members": [SA], "condition": {"expression": expression}}]


def test_a_condition_by_project_id_grants_nothing(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result, rules, access = run(
        make_sandbox, monkeypatch, tmp_path, world({}, conditional("projects/p/secrets/"))
    )
    assert "secret.no_access" in rules and not access, (rules, access)
    (tmp_path / "n").mkdir()
    result, rules, access = run(
        make_sandbox, monkeypatch, tmp_path / "n", world({}, conditional("projects/5/secrets/"))
    )
    assert "secret.no_access" not in rules and not access, (rules, access)


def test_a_condition_is_judged_by_the_number_secret_manager_gave_without_getproject(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # GetProject refused: Secret Manager's answer names the secret by its project's number
    # (`learn_number`), which the condition is judged with (revcalls66 F4: access no
    # longer waits for a GetProject of a project whose number the reads already have)
    result, rules, access = run(
        make_sandbox,
        monkeypatch,
        tmp_path,
        world(conditional("projects/5/secrets/")),
        Fault("GetProject", "PERMISSION_DENIED"),
    )
    assert "secret.no_access" not in rules and not access, (rules, access)


def test_a_condition_when_the_project_number_is_unknown_is_unverified() -> None:
    from drift.live.iam_policy import Binding, Grant, Policy, verdict

    binding = Binding(ACCESSOR, frozenset({MEMBER}), 'resource.name.startsWith("projects/5/")')
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    found = verdict(MEMBER, [], [Policy("projects/p/secrets/k", (binding,))], {}, now)
    assert found.grant is Grant.UNKNOWN
    assert "the project number IAM names it by is unknown" in found.detail


# A condition that grants one version only: IAM names each version
# `projects/NUMBER/secrets/SECRET/versions/VERSION` (resource.name, conditions-resource-attributes),
# so versions 1 and 2 of one secret get different answers. Each reference is judged on its own
# (revsecrets 1): neither the order of the variables nor the profile's own reference decides
# for another version.
ONLY_ONE = 'resource.name.endsWith("/versions/1")'
TWO = ["fake-value-0a1b2c3d", "fake-value-9z8y7x6w"]


def per_version(env: dict[str, Any], **others: dict[str, Any]) -> dict[str, Any]:
    """Secret k (versions 1 and 2), api's account granted version 1 only; api runs with
    `env`, each of `others` (same account) with its own."""
    iam = [{"role": ACCESSOR, "members": [SA], "condition": {"expression": ONLY_ONE}}]
    services = {
        name: {
            "template": {
                "image": "x/api:1",
                "service_account": "api@p.iam.gserviceaccount.com",
                "env": variables,
            }
        }
        for name, variables in {"api": env, **others}.items()
    }
    secrets = {"k": {"versions": TWO, "iam": iam}}
    return {"projects": {"p": {"number": 5, "secrets": secrets, "services": services}}}


@pytest.mark.parametrize(
    "env",
    [
        {"A_LATEST": {"secret": "k"}, "B_PINNED": {"secret": "k", "version": "1"}},
        {"A_PINNED": {"secret": "k", "version": "1"}, "B_LATEST": {"secret": "k"}},
    ],
    ids=["latest-first", "pinned-first"],
)
def test_latest_denied_beside_a_granted_version_1_is_no_access_in_either_order(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: Any
) -> None:
    profile = "project: p\nregion: us-central1\nservices:\n  api: {}\n"
    result = check_profile(make_sandbox, monkeypatch, tmp_path, per_version(env), profile)
    (denied,) = [f for f in result.report.findings if f.rule == "secret.no_access"]
    assert denied.target == "secret.k"
    latest = next(name for name in env if name.endswith("LATEST"))
    assert "on k version latest (used by " + latest + ")" in denied.message, denied.message


def test_the_profiles_expected_version_does_not_decide_for_the_live_one(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """api runs k:1 (granted: it starts); the profile wants k (latest: version 2, denied).
    The reference is drift, the access of what runs is not."""
    profile = "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      K: {secret: k}\n"
    env = {"K": {"secret": "k", "version": "1"}}
    result = check_profile(make_sandbox, monkeypatch, tmp_path, per_version(env), profile)
    rules = [(f.rule, f.target) for f in result.report.findings]
    assert rules == [("env.secret_ref", "env.K")], rules


def test_plan_does_not_repoint_to_a_version_its_account_cannot_access(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The profile wants api's K at k (latest, denied); web, with the same account, runs k:1
    (granted). The plan must not set K to a version a new revision cannot read: the step is
    the grant, never the repoint (a verdict kept per secret let web's version 1 answer)."""
    from drift.fix.plan import plan_environment
    from drift.profiles.loader import load_profile
    from drift.settings import load_settings

    sandbox = make_sandbox(per_version({}, web={"K": {"secret": "k", "version": "1"}}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    text = "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      K: {secret: k}\n"
    (tmp_path / "prod.yaml").write_text(text + "  web: {}\n")
    settings = load_settings(journal_dir=tmp_path / "journal")
    planned = asyncio.run(plan_environment(load_profile(tmp_path, "prod"), settings))
    (api,) = [s for s in planned.plan.services if s.service == "api"]
    assert not api.env, api.env
    (step,) = api.manual
    assert "cannot access k" in step.reason and "add-iam-policy-binding" in step.commands[0]


@pytest.mark.parametrize(
    "expression",
    [
        # CEL's timestamp() takes RFC 3339 only, whose date-time always has an offset
        'request.time < timestamp("2027-01-01T00:00:00")',
        'request.time < timestamp("2027-01-01")',
        'request.time < timestamp("2027-13-01T00:00:00Z")',
        'resource.name == "\\x"',  # an escape Python cannot decode
        "(" * 5000 + 'resource.name == "k"' + ")" * 5000,
    ],
)
def test_a_condition_drift_cannot_evaluate_for_any_reason_is_unknown(expression: str) -> None:
    """revtime 2: None (unverified), never an exception out of `evaluate`."""
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    assert evaluate(expression, "projects/5/secrets/k/versions/1", now) is None


@pytest.mark.parametrize(
    ("when", "granted"),
    [("2027-01-01T00:00:00Z", True), ("2027-01-01t00:00:00.123456789-01:00", True)],
)
def test_an_rfc3339_timestamp_is_evaluated(when: str, granted: bool) -> None:
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    expression = f'request.time < timestamp("{when}")'
    assert evaluate(expression, "projects/5/secrets/k/versions/1", now) is granted


def test_a_check_with_a_timestamp_without_offset_reports_unverified_not_a_crash(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expression = 'request.time < timestamp("2027-01-01T00:00:00")'
    iam = [{"role": ACCESSOR, "members": [SA], "condition": {"expression": expression}}]
    result, rules, access = run(make_sandbox, monkeypatch, tmp_path, world(iam))
    assert "secret.no_access" not in rules and access, (rules, access)
    assert result.report.exit_code == 3


# revown17 F1: CEL's `&&` and `||` are commutative and absorb an error or an unknown part:
# `false && x` is false and `true || x` true whatever x is (google/cel-spec doc/langdef.md,
# Evaluation, Logical Operators). One part drift cannot judge must not hide the part that decides.
NAME = "projects/5/secrets/k/versions/1"
UNDECIDABLE = 'request.time < timestamp("2027-01-01")'  # no RFC 3339 offset: a CEL error
OURS = 'resource.name.startsWith("projects/5/secrets/k/")'
OTHER = 'resource.name.startsWith("projects/5/secrets/other/")'


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        (f"{OURS} || {UNDECIDABLE}", True),
        (f"{UNDECIDABLE} || {OURS}", True),
        (f"{OTHER} && {UNDECIDABLE}", False),
        (f"{UNDECIDABLE} && {OTHER}", False),
        # parts drift does not model at all, beside a part that decides
        (f'{OTHER} && resource.type == "x"', False),
        (f"request.time.getHours() < 18 || {OURS}", True),
        (f'({OTHER} && resource.labels["a"] == "b") || {OURS}', True),
        (f"!({OURS}) && api.getAttribute('x', '') in ['a', 'b']", False),
        (f"{OURS} || (1 + 2 > 3 && {UNDECIDABLE})", True),
        # neither decides, or the unknown part is what decides: unknown
        (f"{OTHER} || {UNDECIDABLE}", None),
        (f"{OURS} && {UNDECIDABLE}", None),
        (f"!({UNDECIDABLE})", None),
        (f'{OURS} && !resource.name == "x"', None),  # `!` negates the string: an error
        (f"{OURS} && resource.name.startsWith('a') == false", None),
        # `?:` binds looser than `||`: `(ours || x) ? … : …` is not decided by `ours`
        (f"{OURS} || {UNDECIDABLE} ? false : true", None),
        # drift does not read what could hide an `&&` or a `)` (a comment, a triple-quoted
        # string, an open quote), nor an incomplete expression: the whole is unknown
        (f'{OTHER} && """a""" == "a"', None),
        (f"{OTHER} && {OURS} // x\n", None),
        (f'{OTHER} && "open', None),
        (f"{OTHER} && ({UNDECIDABLE}", None),
        (f"{OTHER} && ", None),
    ],
)
def test_a_part_that_decides_the_condition_decides_it(expression: str, value: bool) -> None:
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    assert evaluate(expression, NAME, now) is value


def test_a_grant_on_another_secret_only_is_no_access_not_unverified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The only grant is conditioned on another secret: false whatever the timestamp part
    says, so the account certainly cannot read k (`secret.no_access`, not unverified)."""
    expression = f"{OTHER} && {UNDECIDABLE}"
    iam = [{"role": ACCESSOR, "members": [SA], "condition": {"expression": expression}}]
    result, rules, access = run(make_sandbox, monkeypatch, tmp_path, world(iam))
    assert "secret.no_access" in rules and not access, (rules, access)


# revown19 F1: a version asked for by an alias (`latest`) has two names a condition may test
# (`access._names`: the alias and the number it stands for); no Google doc says which one IAM
# tests (AccessSecretVersionRequest.name: `latest` is "an alias to the most recently created
# SecretVersion"). A grant counts only when it holds under every name, a denial only when it
# fails under all; a condition that tells them apart is unverified, never clean.
FIVE = ["projects/123/secrets/db/versions/5", "projects/123/secrets/db/versions/latest"]
MEMBER = "serviceAccount:api@p.iam.gserviceaccount.com"


def _verdict(*conditions: str) -> Any:
    from drift.live.iam_policy import Binding, Policy, verdict

    bindings = tuple(Binding(ACCESSOR, frozenset({MEMBER}), c) for c in conditions)
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    return verdict(MEMBER, FIVE, [Policy("projects/p/secrets/db", bindings)], {}, now)


@pytest.mark.parametrize(
    "condition",
    [
        '!resource.name.endsWith("/versions/latest")',
        'resource.name != "projects/123/secrets/db/versions/latest"',
        'resource.name.endsWith("/versions/5")',
        'resource.name.endsWith("/versions/latest")',
    ],
)
def test_a_condition_one_name_of_the_version_fails_is_unknown(condition: str) -> None:
    from drift.live.iam_policy import Grant

    found = _verdict(condition)
    assert found.grant is Grant.UNKNOWN, found
    assert "true for versions/" in found.detail and "which name IAM tests" in found.detail


@pytest.mark.parametrize(
    ("conditions", "grant"),
    [
        (['resource.name.startsWith("projects/123/secrets/db/")'], "granted"),
        (['resource.name.endsWith("/versions/4")'], "denied"),
        # one grant for each name: granted whichever name IAM tests
        (['resource.name.endsWith("/versions/5")', 'resource.name.endsWith("/latest")'], "granted"),
    ],
)
def test_a_condition_that_agrees_on_every_name_decides(conditions: list[str], grant: str) -> None:
    assert _verdict(*conditions).grant == grant


def test_latest_granted_under_its_number_only_is_unverified_in_a_check(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """api runs k (latest: version 1); the only grant holds for `…/versions/1` alone."""
    expression = 'resource.name.endsWith("/versions/1")'
    iam = [{"role": ACCESSOR, "members": [SA], "condition": {"expression": expression}}]
    result, rules, access = run(make_sandbox, monkeypatch, tmp_path, world(iam))
    assert "secret.no_access" not in rules
    (unverified,) = access
    assert "true for versions/1, false for versions/latest" in unverified.reason
