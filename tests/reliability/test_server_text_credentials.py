"""A server's refusal quoting a credential drift never read (revleak70): the status message of a
refused UpdateService / UpdateJob repeating the value drift was writing (`drift fix`: the
profile's own) or restoring (`drift rollback`: the journal's), and a failed list repeating a
URL with a password (`drift history`). Whatever the plan or the rollback's prompt shows as
`***` appears in clear in no output of the same run: not on stdout or stderr, not in a file
drift wrote, in any format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift

URL_PW = "ProfPw9Kx7"
NAMED = "hunter2hunter"
"""A value the plan shows as `***` for its variable's name alone (`DB_PASSWORD`): no shape
of a credential a server's text can be scanned for."""
JOB_URL_PW = "JobPw8Rb4"


def _world(env: dict[str, str], job_env: dict[str, str]) -> dict[str, Any]:
    return {
        "options": {"seed": 13},
        "projects": {
            "lk": {
                "number": 700000000007,
                "region": "us-central1",
                "services": {"api": {"template": {"env": {"MODE": "old", **env}}}},
                "jobs": {"mig": {"template": {"env": {"MODE": "old", **job_env}}}},
            }
        },
    }


def _profile(tmp_path: Path, text: str) -> dict[str, str]:
    profiles = tmp_path / "profiles"
    profiles.mkdir(exist_ok=True)
    (profiles / "lk.yaml").write_text(text)
    return {"DRIFT_PROFILES_DIR": str(profiles), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}


def _refused(sandbox: Sandbox, service: str, job: str) -> None:
    """UpdateService / UpdateJob refused, their message repeating the values sent (as a
    field's validation error quotes the field: `env[1].value: invalid value '…'`)."""
    for method, said in (("UpdateService", service), ("UpdateJob", job)):
        message = f"spec.template.spec.containers[0].env[1].value: invalid value {said}"
        sandbox.inject(Fault(method=method, code="INVALID_ARGUMENT", message=message))


def _written(tmp_path: Path, *, journal: bool = True) -> str:
    """Every file drift wrote under `tmp_path` but the profiles (`journal`: with the journal's)."""
    return "".join(
        p.read_text(errors="replace")
        for p in tmp_path.rglob("*")
        if p.is_file() and "profiles" not in p.parts and (journal or "journal" not in p.parts)
    )


PROFILE = f"""project: lk
region: us-central1
services:
  api:
    env:
      MODE: old
      DSN: "postgres://u:{URL_PW}@h/db"
      DB_PASSWORD: {NAMED}
jobs:
  mig:
    env:
      MODE: old
      DSN: "postgres://u:{JOB_URL_PW}@h/db"
      DB_PASSWORD: {NAMED}
"""


@pytest.mark.parametrize("form", ["table", "json"])
def test_a_refused_fix_never_prints_the_values_the_plan_masks(
    reseedable: Sandbox, tmp_path: Path, form: str
) -> None:
    """F1: the plan shows both of the profile's values as `***`; the refusal repeating them
    shows them as `***` too."""
    reseedable.reset(_world({}, {}))
    env = {**reseedable.environ(), **_profile(tmp_path, PROFILE)}
    plan = drift("plan", "lk", env=env, cwd=tmp_path)
    assert plan.stdout.count("->  ***") == 4, plan.stdout
    _refused(
        reseedable,
        f'\'postgres://u:{URL_PW}@h/db\' ({{"name":"DB_PASSWORD","value":"{NAMED}"}})',
        f"'postgres://u:{JOB_URL_PW}@h/db' ('{NAMED}')",
    )
    more = ("--format", "json") if form == "json" else ("--verbose",)
    fix = drift("fix", "lk", "--yes", *more, env=env, cwd=tmp_path)
    assert fix.returncode == 4, fix.stderr
    said = fix.stdout + fix.stderr + _written(tmp_path)
    assert "INVALID_ARGUMENT" in said, said
    for value in (URL_PW, JOB_URL_PW, NAMED):
        assert value not in said, value


ROLLBACK = """project: lk
region: us-central1
services:
  api:
    env:
      BADURL: {forbidden: true}
      DB_PASSWORD: {forbidden: true}
jobs:
  mig:
    env:
      BADURL: {forbidden: true}
      DB_PASSWORD: {forbidden: true}
"""


@pytest.mark.parametrize("more", [(), ("--verbose",)])
def test_a_refused_rollback_never_prints_what_it_restores_and_says_nothing_was_written(
    reseedable: Sandbox, tmp_path: Path, more: tuple[str, ...]
) -> None:
    """F2: `fix` removes the forbidden values; the rollback putting them back is refused, its
    message repeating them: shown as `***`, as its prompt shows them (rollback has no
    `--format`: its text, with and without `--verbose`). The job's refused write,
    as the service's, says nothing was written and that the rollback can be tried again (it
    said "the configuration read back differs; the journal says rollback-failed")."""
    bad = {"BADURL": f"postgres://u:{URL_PW}@h/db", "DB_PASSWORD": NAMED}
    job_bad = {"BADURL": f"postgres://u:{JOB_URL_PW}@h/db", "DB_PASSWORD": NAMED}
    reseedable.reset(_world(bad, job_bad))
    env = {**reseedable.environ(), **_profile(tmp_path, ROLLBACK)}
    fixed = drift("fix", "lk", "--yes", env=env, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    _refused(
        reseedable,
        f"'{bad['BADURL']}' ('{NAMED}')",
        f"'{job_bad['BADURL']}' ('{NAMED}')",
    )
    rollback = drift("rollback", "--yes", *more, env=env, cwd=tmp_path)
    assert rollback.returncode == 4, rollback.stdout + rollback.stderr
    said = rollback.stdout + rollback.stderr
    assert "INVALID_ARGUMENT" in said, said
    # the journal records the values it restores as they were (rollback puts them back byte
    # for byte): the one place they may be
    for value in (URL_PW, JOB_URL_PW, NAMED):
        assert value not in said + _written(tmp_path, journal=False), value
    [job] = [line for line in said.splitlines() if line.startswith("job mig: not rolled")]
    assert "nothing was written to job mig" in job and "tries again" in job, said
    assert "read back differs" not in said, said


HISTORY = """project: lk
region: us-central1
services:
  api:
    env:
      MODE: old
"""


def test_a_failed_history_read_never_prints_a_url_with_a_password(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """F3: ListRevisions fails first, its message repeating a sidecar's URL with a password:
    history read nothing that would have registered it."""
    reseedable.reset(_world({"PGURL": f"postgres://u:{URL_PW}@h/db"}, {}))
    env = {**reseedable.environ(), **_profile(tmp_path, HISTORY)}
    body = f'request body {{"env":[{{"name":"PGURL","value":"postgres://u:{URL_PW}@h/db"}}]}}'
    reseedable.inject(Fault(method="ListRevisions", code="INTERNAL", message=body))
    for form in ("table", "json", "markdown"):
        history = drift("history", "lk", "--format", form, env=env, cwd=tmp_path)
        assert history.returncode == 3, history.stdout + history.stderr
        said = history.stdout + history.stderr
        assert "INTERNAL" in said and "h/db" in said, said
        assert URL_PW not in said, (form, said)


NAMES = """project: lk
region: us-central1
services:
  api:
    env:
      MODE: new
      SECRET_MANAGER_PROJECT: lk
      SECRET_REGION: us-central1
      SECRET_NAME: jwt-secret-staging
      DB_PASSWORD: {named}
"""


def test_a_refused_fix_masks_the_password_it_sent_not_the_names_it_sent(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """revown70 F1: the plan shows the four values as `***` for their variables' names; the
    refusal shows the project, region and account the call names in clear (what to grant).
    What the plan masked stays masked, whole or cut (revown71 F1: `not hunter2hu…xyzw` showed
    the password's first 9 characters): the password, and the secret name the workload does
    not reference (SECRET_NAME's value, `***` in the plan)."""
    reseedable.reset(_world({}, {}))
    env = {**reseedable.environ(), **_profile(tmp_path, NAMES.format(named=NAMED))}
    message = (
        "Permission denied on secret: projects/lk/secrets/jwt-secret-staging/versions/latest "
        "for Revision service account api@lk.iam.gserviceaccount.com in region us-central1 "
        f"(value '{NAMED}', not {NAMED[:9]}xyzw)."
    )
    reseedable.inject(Fault(method="UpdateService", code="FAILED_PRECONDITION", message=message))
    fix = drift("fix", "lk", "--yes", "--verbose", env=env, cwd=tmp_path)
    assert fix.returncode == 4, fix.stdout + fix.stderr
    said = fix.stdout + fix.stderr
    assert NAMED[:8] not in said, said
    assert (
        "projects/lk/secrets/***/versions/latest for Revision service account "
        "api@lk.iam.gserviceaccount.com in region us-central1 (value '***', not ***xyzw)"
    ) in " ".join(said.split()), said


@pytest.mark.parametrize(
    "quoted",
    [
        f"invalid value '{NAMED[:10]}...' (truncated)",  # cut short by the server
        f"https://example.internal/v1/check/{NAMED}: not found",  # in a path
        f"token-{NAMED}",  # inside a longer word
        f"{NAMED}:8080",
    ],
    ids=["cut", "path", "word", "port"],
)
def test_a_refused_fix_masks_the_password_it_sent_wherever_the_server_quotes_it(
    reseedable: Sandbox, tmp_path: Path, quoted: str
) -> None:
    """revown71 F1: masking the name-masked values only where they stood whole showed the
    password the plan shows as `***` when the server quoted it cut short or inside other
    text; the project and region the call names stay in clear."""
    reseedable.reset(_world({}, {}))
    env = {**reseedable.environ(), **_profile(tmp_path, NAMES.format(named=NAMED))}
    message = f"Invalid value in region us-central1: {quoted}"
    reseedable.inject(Fault(method="UpdateService", code="INVALID_ARGUMENT", message=message))
    fix = drift("fix", "lk", "--yes", "--verbose", env=env, cwd=tmp_path)
    said = fix.stdout + fix.stderr
    assert fix.returncode == 4 and "INVALID_ARGUMENT" in said, said
    assert NAMED[:8] not in said, said
    assert "in region us-central1" in said and "projects/lk/locations/us-central1" in said, said


def test_the_names_a_write_shows_in_clear_are_not_withheld() -> None:
    """The values masked in a refusal leave out the names the call and its template carry,
    which drift shows in clear (the account to grant, a secret it references): only what the
    plan hides for its variable's name alone is withheld."""
    from google.cloud import run_v2

    from drift.fix.update import withheld

    ref = run_v2.EnvVarSource(secret_key_ref=run_v2.SecretKeySelector(secret="jwt-key"))
    env = [
        run_v2.EnvVar(name="SECRET_ACCOUNT", value="api@lk.iam.gserviceaccount.com"),
        run_v2.EnvVar(name="SECRET_NAME", value="jwt-key"),
        run_v2.EnvVar(name="JWT", value_source=ref),
        run_v2.EnvVar(name="DB_PASSWORD", value=NAMED),
    ]
    template = run_v2.RevisionTemplate(
        service_account="api@lk.iam.gserviceaccount.com", containers=[run_v2.Container(env=env)]
    )
    service = run_v2.Service(
        name="projects/lk/locations/us-central1/services/api", template=template
    )
    assert withheld(service) == [NAMED]
