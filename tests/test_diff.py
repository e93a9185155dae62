"""The diff over normalised live state (our own LiveState built by hand): one test per rule."""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from drift.diff import diff
from drift.fields import DEFAULT_ACCOUNT_SUFFIX, DEFAULT_SERVICE_ACCOUNT
from drift.findings import Finding, Location, Severity
from drift.live.model import ContainerConfig, EnvVar, LiveService, ServingRevision
from drift.live.secret_state import SecretPolicy, SecretVersionInfo, VersionState
from drift.live.state import LiveState
from drift.profiles.loader import load_profile
from drift.profiles.model import Profile
from drift.refs import SecretRef
from tests.livestate import GOOD_API, SA, config, denied, plain, ref, service, state, with_env
from tests.profilecopy import API_HEAD

TODAY = dt.date(2026, 11, 24)

API_SETTINGS = API_HEAD + "    settings:\n      timeout: 10m\n      min_instances: 1\n"
"""The head of api's profile: its settings (more may follow, indent 6)."""
API_RULES = """\
    env:
      PLAIN: hello
      REQ: {required: true, not: [localhost]}
      SEC: {secret: s1}
      PINNED: {secret: s2, version: "3"}
      URL: {pattern: "^https://"}
      LEVEL: {one_of: [INFO, WARNING], severity: warning}
      LONG: {secret: s3, min_length: 32}
      SHARED: {secret: s1, same_as: auth.SHARED}
      BAD: {forbidden: true}
"""
"""api's env rules, one of each kind (more may follow, indent 6)."""
PROFILE = (
    "\n"
    + API_SETTINGS
    + API_RULES
    + """\
      OPT: {optional: true, pattern: "^[a-z]+$"}
    unexpected_env: warn
  auth:
    env:
      SHARED: {secret: s4}
ignore:
  - {service: api, env: IGNORED, reason: "tracked in OPS-1", until: 2026-12-31}
  - {service: api, env: OLD, reason: "was tracked in OPS-0", until: 2026-01-01}
"""
)


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "staging.yaml").write_text(textwrap.dedent(PROFILE))
    return load_profile(Path("profiles"), "staging")


def run(profile: Profile, st: LiveState) -> list[Finding]:
    return diff(profile, ["api", "auth"], st, TODAY)


def only(findings: list[Finding], rule: str) -> Finding:
    matching = [f for f in findings if f.rule == rule]
    assert len(matching) == 1, findings
    return matching[0]


def test_clean_state_has_no_findings(profile: Profile) -> None:
    assert run(profile, state()) == []


def test_missing(profile: Profile) -> None:
    f = only(run(profile, state(with_env(SEC=None))), "env.missing")
    assert (f.target, f.expected, f.actual) == ("env.SEC", "secret s1:latest", None)
    assert f.location == Location("profiles/staging.yaml", 12)
    assert f.revision == "api-00001-abc"


def test_optional_may_be_absent_but_must_satisfy_when_present(profile: Profile) -> None:
    assert run(profile, state(with_env(OPT=None))) == []
    f = only(run(profile, state(with_env(OPT=plain("OPT", "UPPER")))), "env.constraint")
    assert f.target == "env.OPT" and "does not match" in f.message


def test_value(profile: Profile) -> None:
    f = only(run(profile, state(with_env(PLAIN=plain("PLAIN", "bye")))), "env.value")
    assert (f.expected, f.actual) == ("hello", "bye")


def test_constraints(profile: Profile) -> None:
    findings = run(
        profile,
        state(with_env(URL=plain("URL", "http://x"), REQ=plain("REQ", "localhost"))),
    )
    constraint = {f.target: f for f in findings if f.rule == "env.constraint"}
    assert set(constraint) == {"env.URL", "env.REQ"}
    assert constraint["env.URL"].actual == "http://x"


def test_one_of_keeps_its_severity(profile: Profile) -> None:
    f = only(run(profile, state(with_env(LEVEL=plain("LEVEL", "DEBUG")))), "env.constraint")
    assert f.severity is Severity.WARNING


def test_min_length_on_a_secret_value_is_masked(profile: Profile) -> None:
    st = state()
    st.values[SecretRef("s3")] = "short-secret-value"
    f = only(run(profile, st), "env.constraint")
    assert f.actual == "***" and "shorter than 32" in f.message
    assert "short-secret-value" not in repr(f)


def test_forbidden(profile: Profile) -> None:
    f = only(run(profile, state(with_env(BAD=plain("BAD", "true")))), "env.forbidden")
    assert (f.expected, f.actual) == ("absent", "true")


def test_unexpected_masks_credentials(profile: Profile) -> None:
    findings = run(
        profile,
        state(with_env(EXTRA=plain("EXTRA", "1"), API_TOKEN=plain("API_TOKEN", "tok-12345678"))),
    )
    unexpected = {f.target: f for f in findings if f.rule == "env.unexpected"}
    assert unexpected["env.EXTRA"].actual == "1"
    assert unexpected["env.EXTRA"].severity is Severity.WARNING
    assert unexpected["env.API_TOKEN"].actual == "***"


def test_plaintext_secret(profile: Profile) -> None:
    f = only(
        run(profile, state(with_env(SEC=plain("SEC", "hunter2-long")))), "env.plaintext_secret"
    )
    assert f.actual == "***" and f.expected == "secret s1:latest"
    assert "hunter2" not in repr(f)


def test_credential_looking_plain_value_is_flagged_and_masked(profile: Profile) -> None:
    env = with_env(REQ=plain("REQ", "postgres://app:pw12345@10.0.0.3/db"))
    f = only(run(profile, state(env)), "env.plaintext_secret")
    assert f.severity is Severity.WARNING and f.actual == "***"


def test_a_credential_in_a_variable_no_rule_names_is_flagged_whatever_unexpected_env(
    profile: Profile,
) -> None:
    # auth leaves unexpected_env at its default (ignore); the credential is said all the same
    key = "AKIAIOSFODNN7EXAMPLE"
    st = state()
    st.services["auth"] = service("auth", [ref("SHARED", "s4"), plain("AWS_SECRET", key)])
    [f] = run(profile, st)
    assert (f.rule, f.service, f.target) == ("env.plaintext_secret", "auth", "env.AWS_SECRET")
    assert f.severity is Severity.WARNING and f.actual == "***"
    assert key not in repr(f)
    # with unexpected_env: warn (api), both are said; a sidecar no rule names is looked at too,
    # its variables unexpected as the service's are
    sidecar = ContainerConfig("proxy", env={"DSN": plain("DSN", "redis://:pw-123456@10.0.0.9")})
    api = service("api", with_env(GH=plain("GH", "ghp_" + "a1B2" * 9)))
    both = replace(api.template, containers=(*api.template.containers, sidecar))
    serving = (replace(api.serving[0], config=both),)
    st.services["api"] = replace(api, template=both, serving=serving)
    rules = {(f.rule, f.target, f.container) for f in run(profile, st) if f.service == "api"}
    assert rules == {
        ("env.unexpected", "env.GH", "app"),
        ("env.plaintext_secret", "env.GH", "app"),
        ("env.plaintext_secret", "env.DSN", "proxy"),
        ("env.unexpected", "env.DSN", "proxy"),
    }


@pytest.mark.parametrize(
    "value",
    [
        "https://api.example.com/v1?key=public",  # a URL without a password
        "postgres://app@10.0.0.3:5432/db",  # a user, no password
        "https://user@example.com/path",
        "3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b",  # an id
        "projects/p/topics/orders",
        "AKIA",  # too short to be a key
        "eyJhbGciOiJIUzI1NiJ9",  # one JSON segment, not a token
        "0123456789abcdef0123456789abcdef",
        "https://hooks.example.com:8443?notify=ops@example.com",  # an @ in the query
        "https://hooks.example.com:8443/x#to:ops@example.com",  # an @ in the fragment
        "postgres://$(DB_USER):$(DB_PASS)@10.0.0.5:5432/app",  # a DSN built around a secret
    ],
)
def test_benign_values_no_rule_names_stay_clean(profile: Profile, value: str) -> None:
    st = state()
    st.services["auth"] = service("auth", [ref("SHARED", "s4"), plain("API_KEY", value)])
    assert run(profile, st) == []


def test_secret_ref(profile: Profile) -> None:
    f = only(run(profile, state(with_env(PINNED=ref("PINNED", "s2", "latest")))), "env.secret_ref")
    assert (f.expected, f.actual) == ("secret s2:3", "secret s2:latest")


def test_inconsistent_compares_values_without_showing_them(profile: Profile) -> None:
    st = state()
    st.values[SecretRef("s4")] = "another-value-bbbbbbbb"
    f = only(run(profile, st), "env.inconsistent")
    assert f.actual == "*** (changed)" and "auth.SHARED" in f.expected  # type: ignore[operator]
    assert "value-bbbb" not in repr(f) and "value-aaaa" not in repr(f)


@pytest.mark.parametrize(
    ("state_", "rule"),
    [
        (VersionState.SECRET_MISSING, "secret.missing"),
        (VersionState.MISSING, "secret.missing"),
        (VersionState.DISABLED, "secret.disabled"),
        (VersionState.DESTROYED, "secret.destroyed"),
    ],
)
def test_secret_states(profile: Profile, state_: VersionState, rule: str) -> None:
    st = state()
    r = SecretRef("s2", "3")
    st.versions[r] = SecretVersionInfo(r, state_, "3")
    f = only(run(profile, st), rule)
    assert f.target == "secret.s2" and "PINNED" in f.message
    assert f.actual == state_.value


def test_no_access(profile: Profile) -> None:
    st = state()
    st.policies["s2"] = SecretPolicy("s2", frozenset({"serviceAccount:other@p.iam"}))
    denied(st, SA, "s2")
    f = only(run(profile, st), "secret.no_access")
    assert f.target == "secret.s2" and SA in f.message


def test_settings_are_normalised(profile: Profile) -> None:
    assert run(profile, state(timeout="600s")) == []
    f = only(run(profile, state(min_instances=0)), "setting.value")
    assert (f.target, f.expected, f.actual) == ("setting.min_instances", "1", "0")
    assert f.location == Location("profiles/staging.yaml", 8)


def test_service_missing(profile: Profile) -> None:
    st = state()
    del st.services["auth"]
    st.missing.add("auth")
    f = only(run(profile, st), "service.missing")
    assert f.service == "auth" and f.location == Location("profiles/staging.yaml", 21)


def test_failed_rollout_and_split_traffic(profile: Profile) -> None:
    st = state()
    api = st.services["api"]
    other = config(with_env(PLAIN=plain("PLAIN", "bye")))
    st.services["api"] = LiveService(
        **{
            **api.__dict__,
            "serving": (
                ServingRevision("api-00002-new", 60, (), (), api.template),
                ServingRevision("api-00001-old", 40, (), (), other),
            ),
            "latest_created": "api-00003-bad",
            "latest_created_ready": False,
            "latest_created_message": "secret s9 not found",
        }
    )
    findings = run(profile, st)
    rollout = {f.target: f for f in findings if f.rule == "revision.rollout"}
    assert set(rollout) == {"revision.api-00003-bad", "revision.api-00001-old"}
    assert "secret s9 not found" in rollout["revision.api-00003-bad"].message
    assert "env.PLAIN" in rollout["revision.api-00001-old"].message
    value = only(findings, "env.value")
    assert value.revision == "api-00001-old"


def test_split_traffic_whose_revisions_reference_other_versions(profile: Profile) -> None:
    # a revision serving beside the template with another secret version: the comparison
    # once walked SecretRef.secret_ref (another SecretRef) without end (RecursionError)
    st = state()
    api = st.services["api"]
    other = config(with_env(PINNED=ref("PINNED", "s2", "2")))
    serving = (
        ServingRevision("api-00002-new", 60, (), (), api.template),
        ServingRevision("api-00001-old", 40, (), (), other),
    )
    st.services["api"] = LiveService(**{**api.__dict__, "serving": serving})
    rollout = only(run(profile, st), "revision.rollout")
    assert rollout.target == "revision.api-00001-old" and "env.PINNED" in rollout.message


def test_split_traffic_naming_one_secret_s_project_by_number_and_by_id(profile: Profile) -> None:
    """90 % of the traffic on a revision naming a secret's project by number (gcloud's form,
    `projects/NUMBER/secrets/…`), 10 % on one naming it by id, or omitting the own project:
    one secret (SPEC: P "an id or a number"), no `revision.rollout`; a project that is not
    that one still differs."""
    st = state()
    api = st.services["api"]
    st.projects.update({"600000000002": "shared", "500000000001": "p"})  # GetProject's answers

    def split(sec: SecretRef, old: SecretRef) -> LiveState:
        for r in (sec, old):
            st.versions[r] = SecretVersionInfo(r, VersionState.ENABLED, "3")
        new, older = (config(with_env(SEC=EnvVar("SEC", ref=r))) for r in (sec, old))
        serving = (
            ServingRevision("api-00002-new", 90, (), (), new),
            ServingRevision("api-00001-old", 10, (), (), older),
        )
        st.services["api"] = LiveService(**{**api.__dict__, "template": new, "serving": serving})
        return st

    by_number, by_id = SecretRef("k", "1", "600000000002"), SecretRef("k", "1", "shared")
    assert not [f for f in run(profile, split(by_number, by_id)) if f.rule == "revision.rollout"]
    own = SecretRef("s1", "latest", "500000000001")
    assert not [
        f for f in run(profile, split(own, SecretRef("s1"))) if f.rule == "revision.rollout"
    ]
    other = SecretRef("k", "1", "other")
    rollout = only(run(profile, split(by_number, other)), "revision.rollout")
    assert "env.SEC" in rollout.message


def test_the_default_account_unset_or_by_its_address_is_one_account(profile: Profile) -> None:
    """The template (so the serving revision it describes) leaves the account unset, the
    older revision read back names it `NUMBER-compute@…` (Cloud Run fills it in): one
    account, one name, so one `secret.no_access` per secret naming both revisions, not the
    account under two names and two findings."""
    st = state()
    api = st.services["api"]
    address = f"500000000001{DEFAULT_ACCOUNT_SUFFIX}"
    unset = config(GOOD_API, service_account=DEFAULT_SERVICE_ACCOUNT)
    named = config(GOOD_API, service_account=address)
    serving = (
        ServingRevision("api-00002-new", 90, (), (), unset),
        ServingRevision("api-00001-old", 10, (), (), named),
    )
    st.services["api"] = LiveService(**{**api.__dict__, "template": unset, "serving": serving})
    st.projects.update({"500000000001": "p", "p": "p"})  # GetProject's answer
    denied(st, DEFAULT_SERVICE_ACCOUNT, "s1")
    denied(st, address, "s1")
    found = only(run(profile, st), "secret.no_access")
    assert found.message.startswith(f"{address} (service account of api-00002-new)")
    assert found.also_on == ("api-00001-old",), found.message


def test_ignores_silence_until_they_expire(profile: Profile) -> None:
    findings = run(
        profile,
        state(with_env(IGNORED=plain("IGNORED", "1"), OLD=plain("OLD", "1"))),
    )
    by_target = {f.target: f for f in findings}
    assert by_target["env.IGNORED"].ignored
    assert by_target["env.IGNORED"].ignore_reason == "tracked in OPS-1"
    old = by_target["env.OLD"]
    assert not old.ignored and old.severity is Severity.WARNING
    assert "ignore expired after 2026-01-01 UTC" in old.message


def test_an_expired_ignore_gives_back_the_findings_own_severity(
    profile: Profile, tmp_path: Path
) -> None:
    """`until` is when the silence ends: an error is an error again (exit 1 under the default
    --fail-on error), a warning a warning."""
    text = (
        textwrap.dedent(PROFILE)
        + "  - {service: api, env: PLAIN, reason: OPS-2, until: 2026-01-01}\n"
    )
    (tmp_path / "profiles" / "staging.yaml").write_text(text)
    expiring = load_profile(Path("profiles"), "staging")
    env = with_env(PLAIN=plain("PLAIN", "bye"), OLD=plain("OLD", "1"))
    by_target = {f.target: f for f in run(expiring, state(env))}
    value, unexpected = by_target["env.PLAIN"], by_target["env.OLD"]
    assert (value.rule, value.severity, value.ignored) == ("env.value", Severity.ERROR, False)
    assert value.message.endswith("(ignore expired after 2026-01-01 UTC: OPS-2)")
    assert (unexpected.rule, unexpected.severity) == ("env.unexpected", Severity.WARNING)


def test_ids_are_stable(profile: Profile) -> None:
    a = only(run(profile, state(with_env(SEC=None))), "env.missing")
    b = only(run(profile, state(with_env(SEC=None))), "env.missing")
    assert a.id == b.id and len(a.id) == 16


@pytest.mark.parametrize(
    ("left", "said"),
    [
        (dt.timedelta(days=-3), "secret s1 expired on 2026-11-21 12:00 UTC, 3 days ago"),
        (dt.timedelta(hours=-2), "secret s1 expired on 2026-11-24 10:00 UTC, 2 hours ago"),
        (dt.timedelta(hours=23), "secret s1 expires on 2026-11-25 11:00 UTC, in 23 hours"),
        (
            dt.timedelta(minutes=5),
            "secret s1 expires on 2026-11-24 12:05 UTC, in less than an hour",
        ),
        (dt.timedelta(days=1, hours=1), "secret s1 expires on 2026-11-25 13:00 UTC, in 1 day"),
        # rounded to the nearest, as the date beside it (revdocs60 F5: "in 9 days")
        (
            dt.timedelta(days=10, seconds=-5),
            "secret s1 expires on 2026-12-04 11:59 UTC, in 10 days",
        ),
        (dt.timedelta(hours=-23, minutes=-50), "secret s1 expired on 2026-11-23 12:10 UTC, 1 day"),
    ],
)
def test_secret_expiring_tells_past_from_soon(
    profile: Profile, left: dt.timedelta, said: str
) -> None:
    """revtime 4: a time already past is not "in 0 days", nor is one under a day away."""
    st = state()
    st.now = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
    st.expiry["s1"] = st.now + left
    found = [f for f in run(profile, st) if f.rule == "secret.expiring"]
    assert found and found[0].message.startswith(said), found


def test_a_version_past_its_destruction_time_says_so(profile: Profile) -> None:
    st = state()
    st.now = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
    r = SecretRef("s2", "3")
    when = st.now - dt.timedelta(days=2)
    st.versions[r] = SecretVersionInfo(r, VersionState.DISABLED, "3", destroy_at=when)
    found = [f for f in run(profile, st) if f.rule == "secret.expiring"]
    said = "version 3 of s2 was due for destruction on 2026-11-22 12:00 UTC, 2 days ago"
    assert found and found[0].message.startswith(said), found


def test_a_variable_whose_rule_a_child_removes_is_said_at_the_null(
    profile: Profile, tmp_path: Path
) -> None:
    """revmulti 5, SPEC §Profiles' own example: e2e writes `TESTING: null` under api, removing
    the rule staging states (here BAD's). The variable live on api was reported "set … but the
    profile does not name it" at the `api:` line, though e2e names it two lines below: it is
    said at the null, with how to allow it."""
    e2e = "extends: staging\nservices:\n  api:\n    env:\n      BAD: null\n"
    (tmp_path / "profiles" / "e2e.yaml").write_text(e2e)
    child = load_profile(Path("profiles"), "e2e")
    found = only(run(child, state(with_env(BAD=plain("BAD", "1")))), "env.unexpected")
    assert found.location == Location("profiles/e2e.yaml", 5)
    assert found.message == (
        "BAD is set on api-00001-abc, and the profile removes its rule (`BAD: null`); write "
        "`BAD: {optional: true}` there to allow it"
    )
    assert found.severity is Severity.WARNING  # staging's unexpected_env: warn


def test_a_sidecar_variable_whose_rule_a_child_removes_is_said_at_the_null(
    profile: Profile, tmp_path: Path
) -> None:
    """As for the ingress container: a `null` under a sidecar's env (`containers: proxy: env:
    DSN: null`) removes the base's rule, and the variable still live on the sidecar is said
    at that null, not at the sidecar's entry (the null was dropped when the sidecar's rules
    were built, so nothing knew it had been there)."""
    base = textwrap.dedent(PROFILE).replace(
        "    unexpected_env: warn\n",
        "    unexpected_env: warn\n    containers:\n      proxy:\n        env:\n"
        '          DSN: {pattern: "^redis://"}\n',
    )
    (tmp_path / "profiles" / "staging.yaml").write_text(base)
    e2e = "extends: staging\nservices:\n  api:\n    containers:\n      proxy:\n"
    e2e += "        env:\n          DSN: null\n"
    (tmp_path / "profiles" / "e2e.yaml").write_text(e2e)
    child = load_profile(Path("profiles"), "e2e")
    st = state()
    sidecar = ContainerConfig("proxy", env={"DSN": plain("DSN", "redis://10.0.0.9")})
    api = st.services["api"]
    both = replace(api.template, containers=(*api.template.containers, sidecar))
    serving = (replace(api.serving[0], config=both),)
    st.services["api"] = replace(api, template=both, serving=serving)
    found = only(run(child, st), "env.unexpected")
    assert (found.container, found.location) == ("proxy", Location("profiles/e2e.yaml", 7))
    assert "the profile removes its rule (`DSN: null`)" in found.message


def test_a_carried_unexpected_variable_is_said_at_the_null_as_a_live_one(
    profile: Profile, tmp_path: Path
) -> None:
    """revdiff2 item 6: the same finding carried from a baseline by a run that could not read
    api was shown at the `api:` line, the live one at the `BAD: null` that removes its rule.
    Both are said where `ServiceProfile.where` says."""
    from drift.baseline import Baseline
    from drift.findings import Unverified
    from tests.format.conftest import make_report

    e2e = "extends: staging\nservices:\n  api:\n    env:\n      BAD: null\n"
    (tmp_path / "profiles" / "e2e.yaml").write_text(e2e)
    child = load_profile(Path("profiles"), "e2e")
    live = only(run(child, state(with_env(BAD=plain("BAD", "1")))), "env.unexpected")
    assert live.location == Location("profiles/e2e.yaml", 5)
    earlier = Baseline("last.json", "e2e", child.project, child.region, (live,), frozenset())
    denied = Unverified("api", "service", "PERMISSION_DENIED")
    now = earlier.compare(make_report((), unverified=(denied,)), profiled=child.services)
    (carried,) = now.unchecked
    assert carried.finding.id == live.id
    assert carried.finding.location == live.location
