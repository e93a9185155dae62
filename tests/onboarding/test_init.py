"""`drift init ENV --from-live` against the sandbox: the round trip with `check`, no secret value
in the file, credential-looking plain values withheld, overwrite refused, tricky values quoted."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.errors import DriftError, ExitCode, UsageError
from drift.onboarding.init import InitResult, init_from_live
from drift.profiles.loader import load_profile, validate_directory
from drift.report import Report
from drift.sandbox import Sandbox, default_scenario_path
from drift.settings import load_settings
from drift.yamlfile import display_path
from tests.cliutil import drift, scenario_secret_values
from tests.conftest import MakeSandbox

PROJECT = "acme-chat-staging"
REGION = "us-central1"
STRIPE = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"


def init(
    profiles: Path, services: list[str] | None = None, *, force: bool = False, **over: str | None
) -> InitResult:
    options = {"project": PROJECT, "region": REGION} | over
    settings = load_settings(profiles_dir=profiles, **options)
    return asyncio.run(
        init_from_live(
            "staging", settings, services=services, force=force, today=dt.date(2026, 11, 24)
        )
    )


def check(profiles: Path) -> Report:
    profile = load_profile(profiles, "staging")
    return asyncio.run(run_check(profile, load_settings(), today=dt.date(2026, 11, 24))).report


def test_round_trip_init_check_change_check(sandbox: Sandbox, tmp_path: Path) -> None:
    """The generated profile describes the live state: `check` is clean on it, and one
    variable changed in the sandbox is drift."""
    env = sandbox.environ()
    profiles = tmp_path / "profiles"
    done = drift(
        "init", "staging", "--from-live", "--project", PROJECT, "--region", REGION,
        "--profiles", str(profiles), env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and "3 services (api, auth, web)" in done.stdout
    clean = drift("check", "staging", "--profiles", str(profiles), "--format", "json", env=env)
    report = json.loads(clean.stdout)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert report["status"] == "clean" and report["findings"] == []

    sandbox.set_env(PROJECT, "api", "REDIS_PORT", "6380")
    drifted = drift("check", "staging", "--profiles", str(profiles), "--format", "json", env=env)
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    findings = json.loads(drifted.stdout)["findings"]
    assert [(f["rule"], f["service"], f["target"]) for f in findings] == [
        ("env.value", "api", "env.REDIS_PORT")
    ]
    assert findings[0]["location"]["file"].endswith("staging.yaml")


def test_generated_file(sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.set_env(PROJECT, "api", "STRIPE_KEY", STRIPE)
    result = init(tmp_path)
    text = (tmp_path / "staging.yaml").read_text()

    # never a secret value, nor a credential-looking plain value
    for value in [*scenario_secret_values(default_scenario_path()), STRIPE]:
        assert value not in text
    assert result.withheld == ("api.STRIPE_KEY",)
    assert "STRIPE_KEY: {required: true}  # looks like a credential" in text
    assert "Secret Manager" in text
    # secrets as references with their version, plain values as values
    assert 'SECRET_KEY: {secret: secret-key-staging, version: "3"}' in text
    assert "JWT_SECRET_KEY: {secret: jwt-secret-staging, version: latest}" in text
    assert 'TESTING: "true"' in text and 'REDIS_PORT: "6379"' in text
    # editor schema on top, a commented probe block per service, the settings drift compares
    assert text.splitlines()[0].startswith("# yaml-language-server: $schema=")
    assert text.count("    # probe:") == 3 and "    #   websocket: /ws" in text
    assert "      timeout: 3600s" in text and "      memory: 1Gi" in text

    names, problems = validate_directory(tmp_path)
    assert (names, problems) == (["staging"], [])
    profile = load_profile(tmp_path, "staging")
    assert set(profile.services) == {"api", "auth", "web"}
    api = profile.services["api"]
    assert api.env["STRIPE_KEY"].must_exist and api.env["STRIPE_KEY"].value is None
    assert api.env["ENVIRONMENT"].value == "staging"  # shared by all three: under defaults
    assert "ENVIRONMENT" not in text.split("services:")[1]
    assert api.unexpected_env == "warn"

    # clean apart from the warning that a credential sits in a plain variable
    report = check(tmp_path)
    assert report.exit_code == ExitCode.OK
    assert [(f.rule, f.target, f.severity.value) for f in report.findings] == [
        ("env.plaintext_secret", "env.STRIPE_KEY", "warning")
    ]
    assert STRIPE not in result.summary()


def test_refuses_to_overwrite_without_force(sandbox_env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "staging.yaml"
    target.write_text("# mine\n")
    with pytest.raises(UsageError, match="already exists; nothing was written") as err:
        init(tmp_path)
    assert err.value.exit_code == ExitCode.USAGE and "--force" in err.value.diagnostics()
    assert target.read_text() == "# mine\n"
    said = init(tmp_path, force=True).summary()
    assert target.read_text().startswith("# yaml-language-server:")
    assert said.startswith(f"wrote {target} (over the profile there: --force): ")
    # no staging left over; the schema its $schema line names beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profile.schema.json", "staging.yaml"]
    assert "over the profile" not in init(tmp_path / "new").summary()  # nothing was there


def test_force_with_service_names_the_workloads_it_no_longer_describes(
    sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """helper-532: `--force --service api` over a profile of every service (the pattern of
    `drift init --help`) left api alone, said only as "over the profile there": the next
    check was clean and checked one service."""
    init(tmp_path)
    before = set(load_profile(tmp_path, "staging").services)
    assert len(before) > 1
    said = init(tmp_path, ["api"], force=True).summary()
    others = ", ".join(sorted(before - {"api"}))
    (line,) = [x for x in said.splitlines() if x.startswith("no longer in it: ")]
    assert line.startswith(f"no longer in it: {others} (the profile written over described")
    assert set(load_profile(tmp_path, "staging").services) == {"api"}
    assert "no longer in it" not in init(tmp_path, ["api"], force=True).summary()


def test_force_over_a_linked_profile_keeps_the_link_and_the_mode(
    sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """profiles/staging.yaml -> ../shared/staging.yaml (a profile kept in another repository),
    the shared file at 0640: `init --force` writes through the link with the mode kept, as
    every file drift writes (it replaced the link with a new file at the umask's mode)."""
    shared = tmp_path / "shared" / "staging.yaml"
    shared.parent.mkdir()
    shared.write_text("# mine\n")
    shared.chmod(0o640)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "staging.yaml").symlink_to(Path("..") / "shared" / "staging.yaml")
    said = init(profiles, force=True).summary()
    assert said.startswith(
        f"wrote {profiles}/staging.yaml (through the link to {shared}; over the profile "
        "there: --force): "
    ), said
    assert (profiles / "staging.yaml").is_symlink()
    assert shared.read_text().startswith("# yaml-language-server:")
    assert shared.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in profiles.iterdir()) == ["profile.schema.json", "staging.yaml"]
    assert [p.name for p in shared.parent.iterdir()] == ["staging.yaml"]  # no partial left


def test_only_the_named_services(sandbox_env: dict[str, str], tmp_path: Path) -> None:
    result = init(tmp_path, ["web"])
    assert result.services == ("web",)
    profile = load_profile(tmp_path, "staging")
    assert list(profile.services) == ["web"]
    assert "NEXT_PUBLIC_WS_URL" in profile.services["web"].env
    assert check(tmp_path).exit_code == ExitCode.OK


@pytest.mark.parametrize(
    ("services", "options", "message"),
    [
        (["ghost"], {}, "no service ghost in acme-chat-staging/us-central1"),
        (None, {"region": "europe-west1"}, "no Cloud Run services, jobs or worker pools in"),
        (None, {"project": None}, r"^init needs the project to read: .*; pass --project \(or set "),
        (None, {"region": None}, r"^init needs the region to read: .*; pass --region \(or set "),
    ],
)
def test_bad_input_writes_nothing(
    sandbox_env: dict[str, str],
    tmp_path: Path,
    services: list[str] | None,
    options: dict[str, str | None],
    message: str,
) -> None:
    with pytest.raises(UsageError, match=message):
        init(tmp_path, services, **options)
    assert not (tmp_path / "staging.yaml").exists()


def test_unreadable_service_is_incomplete(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path
) -> None:
    from drift.sandbox import Fault

    # the List init --service makes beside the read refused too: api is read with its Get
    sandbox.inject(Fault(method="ListServices", code="PERMISSION_DENIED"))
    sandbox.inject(Fault(method="GetService", code="PERMISSION_DENIED", match="/services/api"))
    with pytest.raises(DriftError, match="could not read api: nothing was written") as err:
        init(tmp_path, ["api"])
    assert err.value.exit_code == ExitCode.INCOMPLETE
    assert not (tmp_path / "staging.yaml").exists()


def test_a_serving_revision_unread_is_incomplete(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """split serves two revisions (50 % each); GetRevision on split-00001 is denied: a profile
    would describe the other one only, as if it were all that serves."""
    from ruamel.yaml import YAML

    from drift.sandbox import Fault
    from tests.reliability.conftest import SCENARIO

    sandbox = make_sandbox(YAML(typ="safe", pure=True).load(SCENARIO.read_text()))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    options = {"project": "rel-project", "region": "us-central1"}
    read = init(tmp_path / "full", ["split"], **options)
    said = (*read.notes, *read.rollouts)
    assert any(n.startswith("split: 2 revisions ") for n in said), said
    sandbox.inject(Fault("GetRevision", "PERMISSION_DENIED", match="split-00001"))
    with pytest.raises(DriftError, match="could not read split: nothing was written") as err:
        init(tmp_path / "partial", ["split"], **options)
    assert err.value.exit_code == ExitCode.INCOMPLETE
    assert "GetRevision" in err.value.message
    assert not (tmp_path / "partial" / "staging.yaml").exists()


@pytest.mark.parametrize("method", ["GetIamPolicy", "GetSecretVersion"])
def test_a_secret_unread_is_noted_and_the_profile_written(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path, method: str
) -> None:
    """A deployer that cannot read a secret's metadata or IAM policy (run.developer and
    secretAccessor, no getIamPolicy): the references are in the revision, read in full; the
    profile is written, and the notes say what `check` will report unverified."""
    from drift.sandbox import Fault

    sandbox.inject(Fault(method=method, code="PERMISSION_DENIED", match="jwt-secret-staging"))
    result = init(tmp_path, ["api"])
    text = (tmp_path / "staging.yaml").read_text()
    assert "JWT_SECRET_KEY: {secret: jwt-secret-staging, version: latest}" in text
    (note,) = [n for n in result.notes if "could not verify" in n]
    assert note.startswith("api: could not verify secret.jwt-secret-staging (")
    assert method in note and note.endswith("`drift check` will report it unverified")
    assert check(tmp_path).exit_code == ExitCode.INCOMPLETE


TRICKY = {
    "T_BOOL": "true",
    "T_YES": "yes",
    "T_INT": "1",
    "T_FLOAT": "1.10",
    "T_OCTAL": "0755",
    "T_NULL": "null",
    "T_TILDE": "~",
    "T_EMPTY": "",
    "T_DATE": "2026-01-01",
    "T_COLON": "a: b",
    "T_HASH": "x #y",
    "T_LEAD": " padded ",
    "T_QUOTES": 'say "hi" it\'s',
    "T_BACKSLASH": "C:\\temp\\n",
    "T_LINES": "one\ntwo",
    "T_UNICODE": "ünïcødé ✓ \u2028 end",
    "T_DASH": "-x",
    "T_FLOW": "{a, b}",
    "T_STAR": "*ref",
    "T_TEMPLATE": "${HOME}",
    "T_BIDI": "admin\u202egnp.exe\u202c",  # shown reordered, as "adminexe.png", unescaped
    "T_INVISIBLE": "a\u200bb\U000e0041c\u00ad",  # zero-width space, a tag, a soft hyphen
}


NAMES = {"my-var": "1x", "a.b": "2y", "null": "3z", "lower_case": "4w"}
"""Variables Cloud Run runs with whose names are no shell's (`my-var`, `a.b`)."""


@pytest.mark.parametrize("variables", [TRICKY, NAMES], ids=["values", "names"])
def test_tricky_values_and_names_read_back_unchanged(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path, variables: dict[str, str]
) -> None:
    for name, value in variables.items():
        sandbox.set_env(PROJECT, "web", name, value)
    init(tmp_path, ["web"])
    env = load_profile(tmp_path, "staging").services["web"].env
    assert {name: env[name].value for name in variables} == variables
    assert check(tmp_path).exit_code == ExitCode.OK
    # the committed line reads as it is: every invisible or reordering character escaped
    text = (tmp_path / "staging.yaml").read_text(encoding="utf-8")
    assert [c for c in text if unicodedata.category(c) in ("Cc", "Cf") and c != "\n"] == []


def test_a_draft_that_does_not_read_back_is_named_as_its_target(
    sandbox_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should drift ever draft what it cannot read back (a live value no profile holds: a
    secret item path with `:`), the problems are said as the draft of the file it was to
    write, never as a `file:line` of a file that does not exist (helper-532), nor of the
    temporary copy, gone by then; and nothing is written."""
    monkeypatch.setattr("drift.onboarding.init.render", lambda *_, **__: "project: [x\n")
    with pytest.raises(UsageError) as err:
        init(tmp_path, ["web"])
    said = err.value.message
    assert said.startswith(f"init's draft of {tmp_path}/staging.yaml is no profile drift reads")
    assert "nothing was written: line 1: " in said and ".drift-init-" not in said
    assert err.value.exit_code == ExitCode.USAGE
    assert not (tmp_path / "staging.yaml").exists() and list(tmp_path.iterdir()) == []


def test_next_step_names_the_profiles_directory_check_would_not_find(
    sandbox_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = init(tmp_path / "my profiles", ["web"]).summary()
    assert f"then `drift check staging --profiles '{tmp_path}/my profiles'`" in elsewhere
    monkeypatch.chdir(tmp_path)
    here = init(Path("profiles"), ["web"]).summary()
    assert here.endswith("then `drift check staging`")


def test_profiles_that_is_a_file_is_not_a_directory(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path
) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(UsageError, match="afile is not a directory; nothing was written"):
        init(tmp_path / "afile", ["web"])
    assert sandbox.call_counts().get("GetService", 0) == 0  # refused before reading


def test_a_project_that_cannot_be_listed_is_incomplete(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path
) -> None:
    """SPEC exit codes: permission denied is 3 (incomplete), as init's help says."""
    from drift.sandbox import Fault

    sandbox.inject(Fault(method="ListServices", code="PERMISSION_DENIED"))
    with pytest.raises(DriftError, match="could not list the workloads in") as err:
        init(tmp_path)
    assert err.value.exit_code == ExitCode.INCOMPLETE and "PERMISSION_DENIED" in err.value.message
    assert list(tmp_path.iterdir()) == []


def test_cli_needs_from_live(tmp_path: Path) -> None:
    done = drift("init", "staging", "--profiles", str(tmp_path))
    assert done.returncode == 2
    assert "pass --from-live" in done.stderr and "Traceback" not in done.stderr


def test_a_deploy_in_progress_is_waited_for_as_check_does(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path
) -> None:
    """SPEC: a deploy in progress is waited for up to --wait (the `wait` setting); init takes
    the option its message names, and describes the service once the deploy has settled."""
    import threading

    sandbox.hold_deploys()
    sandbox.deploy(PROJECT, "api", env={"LOG_LEVEL": "warning"})
    timer = threading.Timer(0.5, lambda: sandbox.finish_deploy(PROJECT, "api"))
    timer.start()
    try:
        written = init(tmp_path, ["api"], wait="30")
    finally:
        timer.join()
    assert written.exit_code is ExitCode.OK
    assert "LOG_LEVEL: warning" in (tmp_path / "staging.yaml").read_text()
    sandbox.deploy(PROJECT, "api", env={"LOG_LEVEL": "info"})  # held again: it never settles
    with pytest.raises(DriftError, match=r"waited 0\.2s, --wait") as err:
        init(tmp_path / "held", ["api"], wait="0.2")
    assert err.value.exit_code == ExitCode.INCOMPLETE
    done = drift(
        "init",
        "x",
        "--from-live",
        "--wait",
        "0",
        "--service",
        "api",
        "--profiles",
        str(tmp_path / "cli"),
        "--project",
        PROJECT,
        "--region",
        REGION,
        env=sandbox_env,
    )
    assert done.returncode == 3 and "No such option" not in done.stderr, done.stderr


def test_force_does_not_replace_a_profile_that_extends_another(
    sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """revmulti 6: `init e2e --from-live --force` over an e2e that extends staging wrote a
    standalone profile of what runs: the inheritance and e2e's own rules were gone, and the
    output did not say so. It is refused (exit 2), naming the extends and how to write
    elsewhere."""
    target = tmp_path / "staging.yaml"
    mine = "# e2e-like\nextends: base\nservices:\n  api:\n    env:\n      TESTING: null\n"
    target.write_text(mine)
    with pytest.raises(UsageError) as err:
        init(tmp_path, force=True)
    said = err.value.diagnostics()
    assert err.value.exit_code == ExitCode.USAGE
    assert f"{display_path(target)} extends base (line 2): --force would replace it" in said
    assert "nothing was written" in said and "drift init staging-live --from-live" in said
    assert target.read_text() == mine


def test_a_project_whose_every_list_is_refused_may_be_mistyped_and_no_list_fails_unread(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path
) -> None:
    """A project that does not exist refuses every list (AIP-211): the first hint says it may
    be mistyped, as `check` does, with where it was set; the lists' permissions follow, the
    same whichever answered first (one is slowed here); and every list's outcome is read
    before the loop ends: nothing reported again at its shutdown (revdocs60 F1)."""
    from drift.sandbox import Fault

    for method, latency in (("ListServices", 200.0), ("ListJobs", 0.0), ("ListWorkerPools", 0.0)):
        sandbox.inject(Fault(method=method, code="PERMISSION_DENIED", latency_ms=latency))
    settings = load_settings(profiles_dir=tmp_path, project="acme-chat-stagign", region=REGION)
    unread: list[str] = []

    def handler(_: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        # a task failing unread is "Task exception was never retrieved" (asyncio); older
        # grpcio's own poller also reports through the handler at shutdown (make floors)
        if "never retrieved" in context["message"]:
            unread.append(context["message"])

    async def attempt() -> DriftError:
        asyncio.get_running_loop().set_exception_handler(handler)
        with pytest.raises(DriftError) as err:
            await init_from_live("staging", settings, project_from="--project")
        return err.value

    error = asyncio.run(attempt())
    assert error.exit_code == ExitCode.INCOMPLETE and unread == []
    lines = error.message.splitlines()
    assert "may not exist or be mistyped" in lines[2] and "(set by --project)" in lines[2]
    assert "run.services.list, run.jobs.list, run.workerpools.list" in lines[3]
    assert list(tmp_path.iterdir()) == []


def test_a_region_with_nothing_in_it_says_how_to_find_where_they_are(
    sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """revdocs60 F6: as `check` says for a region with none of the profile's workloads."""
    settings = load_settings(profiles_dir=tmp_path, project=PROJECT, region="europe-west1")
    with pytest.raises(UsageError, match="nothing to describe") as err:
        asyncio.run(init_from_live("staging", settings, region_from="--region"))
    assert err.value.hint == (
        "is the region (set by --region) right? gcloud run services list --project "
        f"{PROJECT} lists where they are"
    )
    assert list(tmp_path.iterdir()) == []
