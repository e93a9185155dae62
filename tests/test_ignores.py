"""The profile's `ignore` entries (revbaseline 3, 5, 6): a security-relevant rule is silenced
only by an entry that names it; an entry of a probe rule silences the probe's finding; an
entry that matched nothing in a run that looked everywhere it could match is said."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from drift.diff import diff
from drift.findings import Finding
from drift.live.state import LiveState
from drift.profiles.loader import load_profile
from drift.profiles.model import Profile
from drift.refs import SecretRef
from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift
from tests.livestate import plain, ref, state, with_env
from tests.profilecopy import DATABASE_URL, P_API_ENV, staging_with

TODAY = dt.date(2026, 11, 24)
PROJECT = "acme-chat-staging"
DSN = "postgresql://acme_app:fake-db-password-5e7a9c1b3d@10.24.0.5:5432/acme_chat"

PROFILE = (
    P_API_ENV
    + """\
      SEC: {secret: s1, min_length: 32}
      LONG: {secret: s3, min_length: 32}
  auth:
    env:
      SHARED: {secret: s4}
ignore:
"""
)


def _profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *ignores: str) -> Profile:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir(exist_ok=True)
    text = textwrap.dedent(PROFILE) + "".join(f"  - {i}\n" for i in ignores)
    (tmp_path / "profiles" / "staging.yaml").write_text(text)
    return load_profile(Path("profiles"), "staging")


def _found(profile: Profile, st: LiveState) -> dict[tuple[str, str], Finding]:
    return {(f.rule, f.target): f for f in diff(profile, ["api", "auth"], st, TODAY)}


def _pasted() -> LiveState:
    """SEC, a short secret known to fail min_length, replaced by the DSN in plain text."""
    return state(with_env(SEC=plain("SEC", DSN), LONG=ref("LONG", "s3")))


def test_an_ignore_naming_a_variable_does_not_silence_its_secret_pasted_in_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = _profile(tmp_path, monkeypatch, "{service: api, env: SEC, reason: short OPS-7}")
    short = state()
    short.values[SecretRef("s1")] = "too-short"
    known = _found(profile, short)[("env.constraint", "env.SEC")]
    assert known.ignored  # what it was written for: still silenced

    plaintext = _found(profile, _pasted())[("env.plaintext_secret", "env.SEC")]
    assert not plaintext.ignored
    assert plaintext.message.endswith(
        "(not silenced by the ignore at profiles/staging.yaml:13: env.plaintext_secret is "
        "silenced only by an ignore that names it, `rule: env.plaintext_secret`)"
    )
    assert "fake-db-password" not in repr(plaintext)


def test_an_ignore_naming_the_security_rule_silences_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = "{service: api, env: SEC, rule: env.plaintext_secret, reason: OPS-8}"
    profile = _profile(tmp_path, monkeypatch, entry)
    plaintext = _found(profile, _pasted())[("env.plaintext_secret", "env.SEC")]
    assert plaintext.ignored and plaintext.ignore_reason == "OPS-8"
    assert "not silenced" not in plaintext.message


def test_a_rule_the_catalogue_does_not_mark_is_silenced_by_its_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the security-relevant rules need naming: a repointed reference, a value, a short
    secret are silenced by the variable's entry as before."""
    profile = _profile(tmp_path, monkeypatch, "{service: api, env: LONG, reason: OPS-9}")
    st = state(with_env(LONG=ref("LONG", "s2", "3")))
    assert _found(profile, st)[("env.secret_ref", "env.LONG")].ignored


def _profiles(tmp_path: Path) -> Path:
    new = "DATABASE_URL: {secret: database-url-staging, min_length: 80}"
    return staging_with(tmp_path, DATABASE_URL, new)


@pytest.mark.sandbox
def test_the_dsn_pasted_in_clear_under_an_old_ignore_fails_the_run_as_new(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The reviewer's story end to end: the ignore in the README's own form, written for the
    short DSN; later the DSN, password and all, is pasted as a plain value."""
    root = _profiles(tmp_path)
    with (root / "staging.yaml").open("a") as handle:
        handle.write("  - {service: api, env: DATABASE_URL, reason: short DSN OPS-7}\n")
    sandbox.set_env(PROJECT, "api", "REDIS_PORT", "6379")

    def check(*args: str) -> Any:
        return drift("check", "staging", "--profiles", str(root), *args, env=sandbox.environ())

    last = tmp_path / "last.json"
    first = check("--format", "json", "--output", str(last))
    known = json.loads(last.read_text())["findings"]
    assert [f["ignored"] for f in known if f["target"] == "env.DATABASE_URL"] == [True], first
    sandbox.set_env(PROJECT, "api", "DATABASE_URL", DSN)
    now = check("--format", "json", "--baseline", str(last), "--fail-on-new")
    report = json.loads(now.stdout)
    (pasted,) = [f for f in report["findings"] if f["rule"] == "env.plaintext_secret"]
    assert not pasted["ignored"] and pasted["baseline"] == "new", pasted
    assert "not silenced by the ignore at " in pasted["message"]
    assert now.returncode == 1
    assert "fake-db-password" not in now.stdout + now.stderr


STALE = "  - {service: api, env: REDIS_PASSWORD, reason: fixed in OPS-3}\n"


@pytest.mark.sandbox
def test_an_ignore_that_matches_nothing_is_said(sandbox: Sandbox, tmp_path: Path) -> None:
    """revbaseline 6: an entry left after its drift was fixed (or naming a variable with a
    typo) matched nothing and nothing said so. A note names it at file:line; the exit code
    stays the findings'."""
    root = tmp_path / "profiles"
    shutil.copytree(REPO / "profiles", root)
    with (root / "staging.yaml").open("a") as handle:
        handle.write(STALE)
    line = len((root / "staging.yaml").read_text().splitlines())

    def check(*args: str) -> Any:
        return drift("check", "staging", "--profiles", str(root), *args, env=sandbox.environ())

    clean = check("--format", "json", "--profiles", str(REPO / "profiles"))
    done = check("--format", "json")
    assert done.returncode == clean.returncode, done.stderr  # said, never counted

    def said(out: str) -> list[str]:  # but the deny-policies note of a run that counts a grant
        return [n for n in json.loads(out)["notes"] if not n.startswith("IAM deny policies")]

    notes = said(done.stdout)
    assert notes == [
        f"the ignore at {root / 'staging.yaml'}:{line} (service api, env.REDIS_PASSWORD) "
        "matched no finding this run: remove it if its drift is gone, or correct what it names"
    ]
    # a run that did not look at api cannot tell
    assert said(check("--format", "json", "--service", "web").stdout) == []
    # the entry of the shipped profile matches its drift: not said
    assert said(clean.stdout) == []


@pytest.mark.sandbox
def test_an_ignore_of_a_workload_not_all_read_is_not_said(sandbox: Sandbox, tmp_path: Path) -> None:
    from drift.sandbox import Fault

    root = tmp_path / "profiles"
    shutil.copytree(REPO / "profiles", root)
    with (root / "staging.yaml").open("a") as handle:
        handle.write(STALE)
    sandbox.inject(Fault("GetSecretVersion", "PERMISSION_DENIED", match="secret-key-staging"))
    done = drift("check", "staging", "--profiles", str(root), "-f", "json", env=sandbox.environ())
    report = json.loads(done.stdout)
    assert [u["target"] for u in report["unverified"] if u["service"] == "api"], done.stdout
    assert not [n for n in report["notes"] if "ignore" in n]


def test_an_ignore_of_a_probe_rule_is_judged_only_where_the_service_was_probed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drift.diff.ignores import unmatched_ignores

    entry = "{service: api, rule: probe.close_1011, reason: OPS-9}"
    profile = _profile(tmp_path, monkeypatch, entry)
    assert unmatched_ignores(profile, ["api", "auth"], [], []) == []  # not probed
    (note,) = unmatched_ignores(profile, ["api", "auth"], [], [], probed={"api"})
    assert note.startswith(
        "the ignore at profiles/staging.yaml:13 (service api, probe.close_1011) matched no "
        "finding this run"
    )


def test_an_ignore_of_a_workload_not_found_is_never_called_unmatched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revdocs60 F2: api not found (a wrong region, a deleted service) has nothing read: its
    entry may match what api has once found, never "matched no finding: remove it"."""
    from drift.diff.ignores import unmatched_ignores

    profile = _profile(tmp_path, monkeypatch, "{service: api, env: LONG, reason: OPS-9}")
    live = state()
    assert len(unmatched_ignores(profile, ["api", "auth"], [], [], state=live)) == 1  # read
    del live.services["api"]
    live.missing.add("api")
    assert unmatched_ignores(profile, ["api", "auth"], [], [], state=live) == []


def test_a_rule_an_extending_profile_states_is_not_silenced_by_the_bases_ignore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revmulti 1: staging ignores api's TELEMETRY for its `unexpected_env` warning; e2e,
    extending staging, then states its own rule for it, `{forbidden: true}` (which replaces
    the inherited rule as a whole). The entry was not written for that newer rule: the error
    stays counted and says which entry fits it and why it does not silence it."""
    monkeypatch.chdir(tmp_path)
    ignore = "  - {service: api, env: TELEMETRY, reason: set by the build image}\n"
    text = textwrap.dedent(PROFILE).replace(
        "services:", "defaults: {unexpected_env: warn}\nservices:"
    )
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "staging.yaml").write_text(text + ignore)
    e2e = "extends: staging\nservices:\n  api:\n    env:\n      TELEMETRY: {forbidden: true}\n"
    (tmp_path / "profiles" / "e2e.yaml").write_text(e2e)
    live = state(with_env(TELEMETRY=plain("TELEMETRY", "1")))
    staging = _found(load_profile(Path("profiles"), "staging"), live)
    assert staging[("env.unexpected", "env.TELEMETRY")].ignored  # what it was written for

    forbidden = _found(load_profile(Path("profiles"), "e2e"), live)[
        ("env.forbidden", "env.TELEMETRY")
    ]
    assert not forbidden.ignored
    assert forbidden.location.file == "profiles/e2e.yaml"
    assert forbidden.message.endswith(
        "(not silenced by the ignore at profiles/staging.yaml:14: the rule at "
        "profiles/e2e.yaml:5 is stated by a profile extending that entry's, after it; repeat "
        "the entry in profiles/e2e.yaml to silence it there)"
    )
