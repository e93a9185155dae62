"""A plain value that holds the value of a secret the workload references (pasted in by hand
under another name, or inside a URL; a tag of the image made of it) is never written into the
profile `drift init --from-live` writes, a file meant for git: init reads each value the
drafted configuration references, once, only to know it, as `check` masks such a copy once it
has read that secret (helper-591 F3). A read it may not make is said, never fatal; a workload
that sets no plain value has nothing to read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.reliability.conftest import call_resource

REGION = "us-central1"
DB = "Zq9-HiddenSecretPayload42"
TOKEN = "Plain-Sekret-Value-99x"
MARKERS = ("HiddenSecretPayload", "Sekret-Value")
ACCOUNT = "serviceAccount:5-compute@developer.gserviceaccount.com"


def world(plain: bool = True) -> dict[str, Any]:
    env: dict[str, Any] = {"DB_REF": {"secret": "db"}, "TOKEN_REF": {"secret": "token"}}
    if plain:
        env |= {"MODE": DB, "DSN": f"postgres://app:{DB}@10.0.0.5/app", "LEVEL": "info"}
    template = {"image": f"us-docker.pkg.dev/acme/app/api:{TOKEN}", "env": env}
    grant = {
        "roles/secretmanager.secretAccessor": [
            "serviceAccount:5-compute@developer.gserviceaccount.com"
        ]
    }
    secrets = {"db": {"versions": ["v1-old-value-0000", DB], "iam": grant}}
    secrets["token"] = {"versions": [TOKEN], "iam": grant}
    acme = {"number": 5, "region": REGION, "services": {"api": {"template": template}}}
    return {"options": {"seed": 3}, "projects": {"acme": {**acme, "secrets": secrets}}}


def init(sandbox: Sandbox, tmp_path: Path) -> tuple[Any, str]:
    folder = tmp_path / "profiles"
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}
    done = drift(
        "init", "lab", "--from-live", "--project", "acme", "--region", REGION, env=env, cwd=tmp_path
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done, (folder / "lab.yaml").read_text()


def test_no_plain_copy_of_a_referenced_value_is_written(tmp_path: Path) -> None:
    with Sandbox(world()) as sandbox:
        done, text = init(sandbox, tmp_path)
        reads = sorted(call_resource(c) for c in sandbox.calls if c.short == "AccessSecretVersion")
        checked = drift(
            "check",
            "lab",
            env={**sandbox.environ(), "DRIFT_PROFILES_DIR": str(tmp_path / "profiles")},
            cwd=tmp_path,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    for marker in MARKERS:
        assert marker not in text and marker not in done.stdout + done.stderr, text
    # whole, and inside a URL: withheld, with the secret and version it holds
    assert "MODE: {required: true}  # holds the value of secret db (version 2): not copied" in text
    assert "DSN: {required: true}  # holds the value of secret db (version 2): not copied" in text
    assert "LEVEL: info" in text  # a plain value that holds none is copied
    assert '# image: "us-docker.pkg.dev/acme/app/api:***"' in text  # masked in the comment
    assert "api.MODE (holds the value of secret db (version 2))" in done.stdout
    # each referenced version once, by the number the read resolved `latest` to
    assert reads == [
        "projects/acme/secrets/db/versions/2",
        "projects/acme/secrets/token/versions/1",
    ]
    # the profile written describes the service: `check` agrees, and shows no value either
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not any(marker in checked.stdout for marker in MARKERS)


def test_a_value_init_may_not_read_is_said(tmp_path: Path) -> None:
    with Sandbox(world()) as sandbox:
        sandbox.inject(
            Fault(method="AccessSecretVersion", code="PERMISSION_DENIED", match="secrets/db/")
        )
        done, text = init(sandbox, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert (
        "note: could not read the value of secret db:2 (AccessSecretVersion: "
        "PERMISSION_DENIED): a plain variable holding a copy of one is written as Cloud Run "
        "shows it; review the plain values before committing the profile"
    ) in out
    assert "Sekret-Value" not in text  # the one it read is still masked


@pytest.mark.parametrize("status", ["UNAVAILABLE", "INTERNAL", "ABORTED"])
def test_a_value_init_could_not_read_for_now_is_incomplete(tmp_path: Path, status: str) -> None:
    """helper-598 F6: an outage or a quota passes, and until then the profile written may hold
    a plain copy of the value (MODE here): incomplete, exit 3, naming the command to run
    again; it was exit 0 with the note a refusal gets."""
    with Sandbox(world()) as sandbox:
        sandbox.inject(Fault(method="AccessSecretVersion", code=status, match="secrets/db/"))
        done, text = init(sandbox, tmp_path)
    assert done.returncode == 3, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert (
        "incomplete: could not read the value of secret db:2 (AccessSecretVersion: "
        f"{status}): a plain variable holding a copy of one is written as Cloud Run shows "
        "it; run `drift init lab --from-live --force --project acme --region us-central1` "
        "once Secret Manager answers, or review the plain values before committing the profile"
    ) in " ".join(out.split()), out
    assert "note: could not read" not in out, out
    assert "Sekret-Value" not in text  # the one it read is still masked


def test_the_image_of_a_workload_of_references_only_is_masked(tmp_path: Path) -> None:
    """helper-595 F2: a workload that sets no plain value still has an image, written as a
    comment: its values are read all the same."""
    with Sandbox(world(plain=False)) as sandbox:
        done, text = init(sandbox, tmp_path)
        reads = sorted(call_resource(c) for c in sandbox.calls if c.short == "AccessSecretVersion")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Sekret-Value" not in text and '# image: "us-docker.pkg.dev/acme/app/api:***"' in text
    assert reads == [
        "projects/acme/secrets/db/versions/2",
        "projects/acme/secrets/token/versions/1",
    ]


OLD = "Old-RefOnlyInB-Payload9"


def test_a_copy_of_a_value_only_another_serving_revision_references_is_not_written(
    tmp_path: Path,
) -> None:
    """helper-595 F4: api-b serves 40 % and reads `old`; api-a, drafted, holds its copy."""
    grant = {"roles/secretmanager.secretAccessor": [ACCOUNT]}
    service = {
        "template": {"env": {"OLDCOPY": OLD, "LEVEL": "info"}},
        "history": [{"env": {"OLD": {"secret": "old"}, "LEVEL": "info"}}],
        "traffic": [{"latest": True, "percent": 60}, {"revision": 1, "percent": 40}],
    }
    acme = {"number": 5, "region": REGION, "services": {"api": service}}
    acme["secrets"] = {"old": {"versions": [OLD], "iam": grant}}
    with Sandbox({"options": {"seed": 3}, "projects": {"acme": acme}}) as sandbox:
        done, text = init(sandbox, tmp_path)
    assert OLD not in text and OLD not in done.stdout + done.stderr, text
    assert "OLDCOPY: {required: true}  # holds the value of secret old (version 1)" in text


SHARED = "Shared-Tenant-Key-0042"
SHORT = "true"


def test_another_projects_secret_is_named_with_its_project_and_a_short_value_is_copied(
    tmp_path: Path,
) -> None:
    """helper-595 F7, F6: the reason names the other project; a value under 8 characters
    (`true`) is no value told from an ordinary one, copied as it is; the version named by its
    project's number and by its id is read once."""
    grant = {"roles/secretmanager.secretAccessor": [ACCOUNT]}
    env = {
        "BY_NUMBER": {"secret": "projects/600000000002/secrets/k"},
        "BY_ID": {"secret": "projects/acme-shared/secrets/k"},
        "FLAG_REF": {"secret": "flag"},
        "TENANT": SHARED,
        "DEBUG": SHORT,
    }
    acme = {"number": 5, "region": REGION, "services": {"api": {"template": {"env": env}}}}
    acme["secrets"] = {"flag": {"versions": [SHORT], "iam": grant}}
    shared = {"number": 600000000002, "region": REGION}
    shared["secrets"] = {"k": {"versions": [SHARED], "iam": grant}}
    scenario = {"options": {"seed": 3}, "projects": {"acme": acme, "acme-shared": shared}}
    with Sandbox(scenario) as sandbox:
        done, text = init(sandbox, tmp_path)
        reads = [call_resource(c) for c in sandbox.calls if c.short == "AccessSecretVersion"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert SHARED not in text
    # named with its project, by its id (helper-597 F4)
    assert "TENANT: {required: true}  # holds the value of secret acme-shared/k (version 1)" in text
    assert 'DEBUG: "true"' in text
    assert sorted(r.split("/secrets/")[1] for r in reads) == [
        "flag/versions/1",
        "k/versions/1",
    ]


def test_a_variable_whose_name_is_a_secrets_value_is_left_out_and_said(tmp_path: Path) -> None:
    """helper-595 F3: no profile line can name it without showing it."""
    scenario = world()
    scenario["projects"]["acme"]["services"]["api"]["template"]["env"][TOKEN] = "name-is-secret"
    with Sandbox(scenario) as sandbox:
        done, text = init(sandbox, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Sekret-Value" not in text and "name-is-secret" not in text, text
    assert "LEVEL: info" in text
    assert (
        "note: api: 1 variable left out: the name holds a value kept in Secret Manager; "
        "`drift check` shows live names as Cloud Run shows them to anyone who can read the "
        "service, so it will show that one (unexpected_env): rename the variable"
    ) in done.stdout + done.stderr
    # said once: not again as a masked preview of `check`'s finding (helper-599 F3)
    assert "env.unexpected" not in done.stdout + done.stderr, done.stdout


def test_a_rotation_between_the_read_and_the_access_reads_the_version_referenced(
    tmp_path: Path,
) -> None:
    """helper-597 F2: the state read resolves `latest` to 1, then a rotation lands: init reads
    version 1's value (what the workload referenced, as `check` judges it), not 2's."""
    old, new = "Rot-InitPayload-OLD001", "Rot-InitPayload-NEW002"
    grant = {"roles/secretmanager.secretAccessor": [ACCOUNT]}
    env = {"ROT": {"secret": "rot"}, "C_ROT": old}
    acme = {"number": 5, "region": REGION, "services": {"api": {"template": {"env": env}}}}
    acme["secrets"] = {"rot": {"versions": [old], "iam": grant}}
    with Sandbox({"options": {"seed": 3}, "projects": {"acme": acme}}) as sandbox:
        sandbox.rotate_after_get("acme", "rot", new)
        done, text = init(sandbox, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert old not in text, text
    assert "C_ROT: {required: true}  # holds the value of secret rot (version 1)" in text


def test_no_secret_values_reads_none_and_says_so(tmp_path: Path) -> None:
    """`--no-secret-values`: an operator who wants no secret read (least privilege, audit
    logs) gets none read, and a note that plain copies are not checked."""
    folder = tmp_path / "profiles"
    with Sandbox(world()) as sandbox:
        env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}
        done = drift(
            "init", "lab", "--from-live", "--project", "acme", "--region", REGION,
            "--no-secret-values", env=env, cwd=tmp_path,
        )  # fmt: skip
        counts = sandbox.call_counts()
    assert done.returncode == 0, done.stdout + done.stderr
    assert not counts.get("AccessSecretVersion"), counts
    assert (
        "note: no secret value was read (--no-secret-values): a plain variable holding a copy "
        "of one is written as Cloud Run shows it; review the plain values before committing "
        "the profile"
    ) in done.stdout
