"""Killer tests of mutation round 4 (revmutant4) on the small core: a baseline's state of a
finding, the exit code and status a report adds up to, the diff's judgement of a variable."""

from __future__ import annotations

import dataclasses

from drift.findings import BaselineState, Finding, Severity, finding_id
from drift.same_drift import baseline_state

BASE = finding_id("prod", "api", "env.value", "env.TOKEN")


def _finding(*, ignored: bool = False) -> Finding:
    return Finding(
        BASE, "env.value", Severity.ERROR, "api", "api-1", "env.TOKEN", "m", "x", "y", None,
        ignored=ignored, ignore_reason="OPS-1" if ignored else None,
    )  # fmt: skip


def test_a_finding_the_baseline_had_only_silenced_is_new_once_it_counts() -> None:
    """B01: an `ignore` that expired (or was removed) makes its finding count again; the
    baseline had it only as ignored, so nobody was told of it: it is new, and fails a
    `--fail-on-new` run (same_drift.baseline_state: "or had it only silenced by `ignore`:
    nobody was told"). Counting the ignored entry as known calls it unchanged: the gate
    passes on drift nobody has seen."""
    assert baseline_state(_finding(), [_finding(ignored=True)]) is BaselineState.NEW
    assert baseline_state(_finding(), [_finding()]) is BaselineState.UNCHANGED
    # still silenced now: compared with what the baseline had, silenced or not
    assert baseline_state(_finding(ignored=True), [_finding(ignored=True)]) is (
        BaselineState.UNCHANGED
    )
    changed = dataclasses.replace(_finding(), actual="z")
    assert baseline_state(changed, [_finding(ignored=True), _finding()]) is BaselineState.UPDATED


def test_a_probe_finding_of_the_baseline_is_not_resolved_by_a_run_that_did_not_probe() -> None:
    """B03: a run that checked the service's configuration but did not probe it (`--no-probe`,
    or `drift check --service` of a profile without probes this run) did not look again where
    the baseline found `probe.close_1011`: the finding is left unchecked, never resolved
    (README "Baselines": "counts as resolved only where this run looked again")."""
    from drift.baseline import Baseline
    from tests.format.conftest import CLOSE_1011, SETTING, make_report

    baseline = Baseline(
        "b.json", "staging", "acme-staging", "us-central1", (CLOSE_1011,), frozenset()
    )
    compared = baseline.compare(make_report((SETTING,)))
    assert compared.resolved == ()
    assert [u.finding.id for u in compared.unchecked] == [CLOSE_1011.id]
    assert "was not probed this run" in compared.unchecked[0].reason


def test_a_finding_the_baseline_had_only_silenced_is_never_counted_resolved() -> None:
    """B04: what an `ignore` silenced in the baseline was never reported; its going away is
    not news: neither among `resolved` (the summary's "N resolved since the baseline", the
    GitHub notice, SARIF's absent results) nor unchecked."""
    from drift.baseline import Baseline
    from tests.format.conftest import IGNORED, SETTING, make_report

    baseline = Baseline("b.json", "staging", "acme-staging", "us-central1", (IGNORED,), frozenset())
    compared = baseline.compare(make_report((SETTING,)))
    assert compared.resolved == () and compared.unchecked == ()
    assert compared.summary.resolved == 0


def test_min_length_holds_at_exactly_the_length() -> None:
    """E03: `min_length: 32` is met by a value of 32 characters (SPEC: "shorter than N" fails);
    only 31 fails."""
    from drift.diff.env import _constraints
    from drift.profiles.model import VarRule

    rule = VarRule(name="LONG", location=None, min_length=32)  # type: ignore[arg-type]
    assert _constraints(rule, "x" * 32) == []
    assert _constraints(rule, "x" * 31) != []


def test_same_as_compares_two_plain_values(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """E05: `same_as` between two plain values (neither a secret reference) compares them:
    `None == None` of their references is not the same value."""
    import textwrap
    from pathlib import Path

    from drift.diff import diff
    from drift.profiles.loader import load_profile
    from tests.livestate import plain, service, state, with_env
    from tests.test_diff import PROFILE, TODAY

    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    text = (
        textwrap.dedent(PROFILE)
        .replace("      PLAIN: hello\n", "      PLAIN: {same_as: auth.PLAIN}\n")
        .replace("      SHARED: {secret: s4}\n", "      SHARED: {secret: s4}\n      PLAIN: {}\n")
    )
    (tmp_path / "profiles" / "staging.yaml").write_text(text)
    profile = load_profile(Path("profiles"), "staging")
    st = state(with_env(PLAIN=plain("PLAIN", "hello")))
    st.services["auth"] = service("auth", [*st.services["auth"].template.env.values(),
                                           plain("PLAIN", "bye")])  # fmt: skip
    findings = diff(profile, ["api", "auth"], st, TODAY)
    assert [f.rule for f in findings if f.target == "env.PLAIN"] == ["env.inconsistent"]


def test_an_undefined_reason_is_no_reason() -> None:
    """H04: a condition whose reason is `*_UNDEFINED` (the oneof's zero: condition.proto
    `REVISION_REASON_UNDEFINED = 0`, "Default value") says only its message."""
    from google.cloud.run_v2.types import Condition

    from drift.live.conditions import reason, words

    undefined = Condition(type_="Ready", message="boom", revision_reason=0)
    assert reason(undefined) == ""
    assert words(undefined) == "boom"


def test_default_accounts_of_two_projects_are_not_the_same_account() -> None:
    """F01: the unnamed default account matches a default account by its address; two
    default accounts named by address are the same only when the addresses are (the number
    says which project's: another project's default account is another identity)."""
    from drift.fields.accounts import DEFAULT_SERVICE_ACCOUNT, same_account

    ours, theirs = (f"{n}-compute@developer.gserviceaccount.com" for n in ("123", "456"))
    assert same_account(ours, ours)
    assert same_account(DEFAULT_SERVICE_ACCOUNT, ours)
    assert not same_account(ours, theirs)


def test_a_service_level_cap_holds_when_the_revision_sets_none() -> None:
    """F02: a cap left unset (0) at one level is no cap; the other level's cap is the one
    that holds (Max-instances page: both cap, the tighter wins), not the server default."""
    from google.cloud.run_v2.types import RevisionScaling, RevisionTemplate, Service, ServiceScaling

    from drift.fields.base import Source
    from drift.fields.scaling import DEFAULT_MAX_INSTANCES, _max_instances

    def read(service_cap: int, revision_cap: int) -> object:
        service = Service.pb(Service(scaling=ServiceScaling(max_instance_count=service_cap)))
        template = RevisionTemplate(scaling=RevisionScaling(max_instance_count=revision_cap))
        return _max_instances(Source(service, RevisionTemplate.pb(template), None))

    assert read(5, 0) == 5
    assert read(0, 7) == 7
    assert read(5, 7) == 5
    assert read(0, 0) == DEFAULT_MAX_INSTANCES


def test_a_service_level_floor_counts_beside_the_revision_s() -> None:
    """F03: minimum instances set at the service level keep instances warm whatever the
    revision says (Min-instances page: "at the service level or at the revision level"):
    the larger floor is what the service gets."""
    from google.cloud.run_v2.types import RevisionScaling, RevisionTemplate, Service, ServiceScaling

    from drift.fields.base import Source
    from drift.fields.scaling import _min_instances

    def read(service_floor: int, revision_floor: int) -> object:
        service = Service.pb(Service(scaling=ServiceScaling(min_instance_count=service_floor)))
        template = RevisionTemplate(scaling=RevisionScaling(min_instance_count=revision_floor))
        return _min_instances(Source(service, RevisionTemplate.pb(template), None))

    assert read(3, 0) == 3
    assert read(1, 2) == 2
