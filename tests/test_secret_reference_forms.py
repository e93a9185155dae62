"""A secret reference in a form drift does not read is never read as another secret (revsecrets
2). SecretKeySelector.secret and SecretVolumeSource.secret hold `NAME` or
`projects/P/secrets/NAME` (run v2 k8s.min.proto); a regional secret
`projects/P/locations/L/secrets/NAME` is another resource on another endpoint (Secret Manager
regional secrets, `secretmanager.L.rep.googleapis.com`), and `projects/P/secrets/NAME/versions/V`
names a version, not a secret. drift used to read either as the global secret of the last path
segment in the workload's own project. Now each is unverified, the reason naming the reference
and why: in check, plan, init, compare and history (the `--manifest` cases are in
tests/manifest/test_plan_review.py).

The sandbox refuses such a reference in a deploy (it holds only the two forms), so these tests
write it into the sandbox's stored service and revision, as a service deployed elsewhere would
be read."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from drift.refs import SecretRef
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox

REGIONAL = "projects/p/locations/us-central1/secrets/k"
VERSIONED = "projects/p/secrets/k/versions/1"
SA = "api@p.iam.gserviceaccount.com"
PROFILE = "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      DB: {secret: db}\n"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        (REGIONAL, "is a regional secret: drift reads global secrets only"),
        (VERSIONED, "is the name of a secret version, not of a secret"),
        ("projects/p/secrets/", "is not a secret name"),
        ("a/k", "is not a secret name"),
        ("", "is not a secret name"),
    ],
)
def test_a_reference_in_another_form_is_kept_whole_with_why(name: str, why: str) -> None:
    ref = SecretRef.parse(name, "2")
    assert (ref.secret, ref.version, ref.project, ref.key) == (name, "2", "", name)
    assert why in ref.unreadable and (name or '""') in ref.unreadable
    assert ref.secret_ref.unread == ref.unread  # `latest` of it: still not read


@pytest.mark.parametrize("version", ["1/../latest", "0", "NEW", "Latest", "3 ", "a" * 64])
def test_a_version_that_is_none_is_not_read(version: str) -> None:
    """SecretKeySelector.version is `latest`, a number or an alias (run v2 k8s.min.proto):
    another text went to Secret Manager as `…/versions/1/../latest`, whose INVALID_ARGUMENT
    drift blamed on the region (helper-834 F6)."""
    for name in ("k", "projects/o/secrets/k"):
        ref = SecretRef.parse(name, version)
        assert f"is at version {version!r}, which is no secret version" in ref.unreadable


def test_a_version_drift_reads_is_read() -> None:
    for version in ("latest", "3", "prod-2_a"):
        assert not SecretRef.parse("k", version).unreadable


def test_the_two_forms_drift_reads_are_read() -> None:
    assert SecretRef.parse("k") == SecretRef("k")
    assert SecretRef.parse("projects/o/secrets/k", "3") == SecretRef("k", "3", "o")
    assert not SecretRef.parse("projects/o/secrets/k").unreadable


def world(history: bool = False) -> dict[str, Any]:
    """Project p: secrets db and k (each readable by api's account), service api with DB ->
    db and a volume of k mounted at /etc/k; `history`: an older revision first."""
    grant = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{SA}"]}
    secrets = {name: {"versions": ["fake-value-0a1b2c3d"], "iam": grant} for name in ("db", "k")}
    app = {"name": "app", "image": "x/api:2", "ports": [{"containerPort": 8080}]}
    template = {
        "containers": [{**app, "volumeMounts": [{"name": "kv", "mountPath": "/etc/k"}]}],
        "image": "x/api:2",
        "service_account": SA,
        "env": {"DB": {"secret": "db"}},
        "volumes": [{"name": "kv", "secret": {"secret": "k"}}],
    }
    api: dict[str, Any] = {"template": template}
    if history:
        api["history"] = [{"image": "x/api:1", "env": {"DB": {"secret": "db"}}}]
    return {"projects": {"p": {"number": 5, "secrets": secrets, "services": {"api": api}}}}


def point(sandbox: Sandbox, env: str | None = None, volume: str | None = None) -> None:
    """api's template and newest revision: DB references `env`, the volume `volume`, as written
    (the stored service, as another client could have deployed it)."""
    world = sandbox._core.world  # type: ignore[attr-defined]

    def write() -> None:
        rec = world.find_service("p", "api", None)
        for holder in (rec.pb.template, list(rec.revisions.values())[-1]):
            for var in (v for c in holder.containers for v in c.env if v.name == "DB"):
                var.value_source.secret_key_ref.secret = (
                    env or var.value_source.secret_key_ref.secret
                )
            for v in (v for v in holder.volumes if v.HasField("secret") and volume):
                v.secret.secret = volume

    sandbox._run(write)  # type: ignore[attr-defined]


@pytest.fixture
def odd(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Sandbox:
    """api's DB is the regional secret k, its volume the version-in-name k; profile `prod`."""
    sandbox = make_sandbox(world(history=True))
    point(sandbox, REGIONAL, VERSIONED)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(PROFILE)
    return sandbox


def _asked(sandbox: Sandbox) -> set[str]:
    return {
        str(getattr(c.request, "name", "") or getattr(c.request, "resource", ""))
        for c in sandbox.calls
        if c.short in ("GetSecretVersion", "GetIamPolicy", "GetSecret", "AccessSecretVersion")
    }


def test_check_says_each_unread_reference_and_never_judges_the_global_secret(
    odd: Sandbox, tmp_path: Path
) -> None:
    from drift.check import run_check
    from drift.profiles.loader import load_profile

    odd.clear_calls()
    result = asyncio.run(run_check(load_profile(tmp_path, "prod"), load_settings()))
    said = {u.target: u.reason for u in result.report.unverified}
    assert "regional secret" in said[f"secret.{REGIONAL}"], said
    assert "name of a secret version" in said[f"secret.{VERSIONED}"], said
    assert "secret.k" not in said and result.report.exit_code == 1  # the drift, and unverified
    rules = [(f.rule, f.target) for f in result.report.findings]
    assert rules == [("env.secret_ref", "env.DB")], rules  # references another secret than db
    assert not any(n.startswith("projects/p/secrets/k") for n in _asked(odd)), _asked(odd)


def test_plan_says_it_is_incomplete_naming_the_reference(odd: Sandbox, tmp_path: Path) -> None:
    from drift.fix.plan import plan_environment
    from drift.profiles.loader import load_profile

    settings = load_settings(journal_dir=tmp_path / "journal")
    planned = asyncio.run(
        plan_environment(load_profile(tmp_path, "prod"), settings, environ=dict(os.environ))
    )
    said = "\n".join(planned.plan.unverified)
    assert REGIONAL in said and "regional secret" in said, said
    assert VERSIONED in said, said
    (api,) = planned.plan.services
    assert [(c.name, c.ref) for c in api.env] == [("DB", SecretRef("db"))]  # what the profile wants
    assert not api.manual, api.manual


def test_init_writes_no_reference_it_cannot_read_and_says_so(odd: Sandbox, tmp_path: Path) -> None:
    from drift.onboarding.init import init_from_live

    settings = load_settings(profiles_dir=tmp_path / "new", project="p", region="us-central1")
    result = asyncio.run(init_from_live("prod", settings))
    text = result.path.read_text()
    assert "secret: k" not in text and "{secret:" not in text, text
    assert "DB: {required: true}  # reference not written: the secret reference " + REGIONAL in text
    assert f"not written: the secret reference {VERSIONED} is the name of a secret " in text, text
    assert "mounts:" not in text, text
    notes = "\n".join(result.notes)
    assert f"could not verify secret.{REGIONAL}" in notes, notes
    assert result.secrets == 0


def test_compare_reads_no_other_secret_in_its_place(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Two environments (p and q, api each): in p DB names the regional k and the volume a
    version's name, in q db and k. The values are compared in memory: neither reference of p
    is read, and each is said to be not read."""
    from drift.compare.run import compare_live
    from drift.profiles.loader import load_profile

    both = world()
    q = both["projects"]["q"] = dict(both["projects"]["p"], number=6)
    q["services"] = {"api": dict(q["services"]["api"])}
    q["services"]["api"]["template"] = dict(q["services"]["api"]["template"], service_account="")
    sandbox = make_sandbox(both)
    point(sandbox, REGIONAL, VERSIONED)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "a.yaml").write_text(PROFILE)
    (tmp_path / "b.yaml").write_text(PROFILE.replace("project: p", "project: q"))
    sandbox.clear_calls()
    result = asyncio.run(
        compare_live(load_profile(tmp_path, "a"), load_profile(tmp_path, "b"), load_settings())
    )
    unread = [(u.side, u.target, u.reason) for u in result.unverified]
    assert ("a", "env.DB", SecretRef.parse(REGIONAL).unreadable) in unread, unread
    assert not any(n.startswith("projects/p/secrets/k") for n in _asked(sandbox))


def test_history_names_the_reference_as_written(odd: Sandbox, tmp_path: Path) -> None:
    from drift.history.read import read_history
    from drift.profiles.loader import load_profile

    result = asyncio.run(read_history(load_profile(tmp_path, "prod"), load_settings()))
    (api,) = result.services
    changes = {c.target: (c.before, c.after) for c in api.revisions[0].changes}
    assert changes["env.DB"] == ("secret db:latest", f"secret {REGIONAL}:latest"), changes


def test_a_profile_naming_a_regional_secret_is_told_so(tmp_path: Path) -> None:
    """Cloud Run documents `{secret}` and `projects/{project}/secrets/{secret}` only for
    SecretKeySelector.secret / SecretVolumeSource.secret (run v2 k8s.min.proto); a profile
    naming a regional secret gets one message saying what it is (on main: "not a secret
    name"), at its line, exit 2."""
    from tests.cliutil import drift

    (tmp_path / "prod.yaml").write_text(
        PROFILE.replace("DB: {secret: db}", f"DB: {{secret: {REGIONAL}}}")
    )
    done = drift("profiles", "validate", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    (line,) = [x for x in (done.stdout + done.stderr).splitlines() if REGIONAL in x]
    assert "prod.yaml:6:" in line and "is a regional secret" in line, line
    assert "drift reads global secrets only" in line, line
