"""`drift history` reads the secret values `drift check` reads for the profile's rules (here a
`min_length` on `A_REF`), in the revisions it shows, so that a plain copy of one (`MODE`, set
to `A_REF`'s value by hand) is masked as `check` masks it, in every format; it reads no other
value (`B_REF` has no rule that compares it), and a refused read is nobody's finding
(helper-591 F3) but one note's (helper-782)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.history.formats import HistoryFormat
from drift.sandbox import Fault, Sandbox
from tests.history.cli import profile_folder, run
from tests.history.conftest import unescaped
from tests.reliability.conftest import call_resource

ACCOUNT = "serviceAccount:111-compute@developer.gserviceaccount.com"
COPIED = "Zq9-HiddenSecretPayload42"  # s1's value, pasted into MODE
UNREAD = "Unread-s2-value-7c1d9e"  # s2's: no rule compares it
PROFILE = """project: acme
region: us-central1
services:
  api:
    env:
      A_REF: {secret: s1, min_length: 4}
      B_REF: {secret: s2}
"""


def scenario(mode: str = COPIED) -> dict[str, object]:
    refs = {"A_REF": {"secret": "s1"}, "B_REF": {"secret": "s2"}}
    service = {
        "template": {"env": {**refs, "MODE": mode}},
        "history": [{"env": {**refs, "MODE": "dev"}, "created": "3d"}],
    }
    grant = {"roles/secretmanager.secretAccessor": [ACCOUNT]}
    secrets = {
        "s1": {"versions": [COPIED], "iam": grant},
        "s2": {"versions": [UNREAD], "iam": grant},
    }
    acme = {
        "number": 111,
        "region": "us-central1",
        "services": {"api": service},
        "secrets": secrets,
    }
    return {"options": {"seed": 5}, "projects": {"acme": acme}}


@pytest.mark.parametrize("fmt", list(HistoryFormat))
def test_a_plain_copy_of_a_value_check_reads_is_masked(tmp_path: Path, fmt: HistoryFormat) -> None:
    folder = profile_folder(tmp_path, PROFILE)
    with Sandbox(scenario()) as sandbox:
        done = run(sandbox, folder, "history", "lab", "--format", fmt.value)
        checked = run(sandbox, folder, "check", "lab", "--format", "json")
        sandbox.clear_calls()
        run(sandbox, folder, "history", "lab", "--format", fmt.value)
        reads = [call_resource(c) for c in sandbox.calls if c.short == "AccessSecretVersion"]
    assert done.returncode == 0, done.stdout + done.stderr
    out = unescaped(done.stdout) if fmt is HistoryFormat.MARKDOWN else done.stdout
    assert "env.MODE" in out  # the change is shown, its value masked
    assert COPIED not in out and COPIED not in done.stderr, out
    assert COPIED not in checked.stdout  # as `check` shows it
    assert "could not read" not in out, out  # every value read: no note
    if fmt is HistoryFormat.JSON:
        changes = json.loads(out)["services"][0]["revisions"][0]["changes"]
        mode = next(c for c in changes if c["target"] == "env.MODE")
        assert COPIED not in json.dumps(mode) and mode["after"].startswith("***"), mode
    # s1's value alone, once: the rule's; never s2's, which no rule compares
    assert reads == ["projects/acme/secrets/s1/versions/latest"], reads


HALF = COPIED[:13]  # s1's start, pasted into MODE
UNREAD_NOTE = (
    "could not read the value of projects/acme/secrets/s1/versions/latest "
    "(AccessSecretVersion: PERMISSION_DENIED): a plain variable holding a copy or a part of "
    "one is shown as Cloud Run shows it"
)


@pytest.mark.parametrize("fmt", list(HistoryFormat))
def test_a_refused_read_is_nobodys_finding_and_said_in_one_note(
    tmp_path: Path, fmt: HistoryFormat
) -> None:
    """helper-782 (failed before): the refused read left s1's half in MODE shown as it is, and
    nothing said so. One note, in the words `compare --live` and `check` use, in every format;
    the exit code unchanged (the history is complete)."""
    folder = profile_folder(tmp_path, PROFILE)
    with Sandbox(scenario(HALF)) as sandbox:
        sandbox.inject(Fault(method="AccessSecretVersion", code="PERMISSION_DENIED"))
        done = run(sandbox, folder, "history", "lab", "--format", fmt.value)
        refused = [c.code for c in sandbox.calls if c.short == "AccessSecretVersion"]
    assert done.returncode == 0 and refused == ["PERMISSION_DENIED"], done.stdout + done.stderr
    if fmt is HistoryFormat.JSON:
        doc = json.loads(done.stdout)
        assert doc["services"][0]["revisions"], done.stdout
        assert [n for n in doc["notes"] if "could not read" in n] == [UNREAD_NOTE], done.stdout
        assert HALF in done.stdout  # what the note says: the half is shown as it is
    else:
        said = "note" if fmt is HistoryFormat.TABLE else "Note"
        lines = unescaped(done.stdout).splitlines()
        assert [x for x in lines if "could not read" in x] == [f"{said}: {UNREAD_NOTE}"], lines


JOB_SIDE = "S4-JobSidePayload-444"
WEB_SIDE = "S2-WebSidePayload-222"
SAME_AS = """project: acme
region: us-central1
services:
  api:
    env:
      A: {secret: s1, same_as: web.W}
      B: {secret: s3, same_as: jb.J}
  web:
    env:
      W: {secret: s2}
jobs:
  jb:
    env:
      J: {secret: s4}
"""


def same_as_world() -> dict[str, object]:
    grant = {"roles/secretmanager.secretAccessor": [ACCOUNT]}
    values = {"s1": COPIED, "s2": WEB_SIDE, "s3": "S3-ApiOwnPayload-333", "s4": JOB_SIDE}
    refs = {"A": {"secret": "s1"}, "B": {"secret": "s3"}}
    copies = {f"MODE{n}": value for n, value in enumerate(values.values(), 1)}
    api = {
        "template": {"env": {**refs, **copies}},
        "history": [{"env": {**refs, **dict.fromkeys(copies, "dev")}, "created": "3d"}],
    }
    services = {"api": api, "web": {"template": {"env": {"W": {"secret": "s2"}}}}}
    jobs = {"jb": {"template": {"env": {"J": {"secret": "s4"}}}}}
    secrets = {name: {"versions": [value], "iam": grant} for name, value in values.items()}
    acme = {"number": 111, "region": "us-central1", "services": services, "jobs": jobs}
    return {"options": {"seed": 5}, "projects": {"acme": {**acme, "secrets": secrets}}}


@pytest.mark.parametrize("only", [[], ["--service", "api"]])
def test_both_sides_of_a_same_as_are_read_as_check_reads_them(
    tmp_path: Path, only: list[str]
) -> None:
    """helper-595 F1: the other side of a `same_as` is a job (history lists none) or a service
    not asked for: `check` reads it, so history does, by the reference the profile expects of
    it, and the service's own side always."""
    folder = profile_folder(tmp_path, SAME_AS)
    with Sandbox(same_as_world()) as sandbox:
        done = run(sandbox, folder, "history", "lab", *only, "--format", "json")
        checked = run(sandbox, folder, "check", "lab", *only, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    for value in (COPIED, WEB_SIDE, JOB_SIDE, "S3-ApiOwnPayload-333"):
        assert value not in checked.stdout
        assert value not in done.stdout, done.stdout


SHAPES = """project: acme
region: us-central1
services:
  api:
    env:
      A1: {secret: m1, same_as: auth.X}
      A2: {secret: m2, same_as: web.W}
      A4: {secret: m4, same_as: web.V}
  web:
    env:
      W: {required: true}
      V: {secret: t4}
"""


SIDES = {
    "m1": ["M1-OwnSidePayload-111"],
    "t1": ["T1-AuthSidePayload-111"],
    "m2": ["M2-OwnSidePayload-222"],
    "t2": ["T2-WebSidePayload-222"],
    "m4": ["M4-OwnSidePayload-444"],
    "t4": ["T4-PinnedV1Payload-444", "T4-LatestPayload-444"],
}


def shapes_world() -> dict[str, object]:
    """helper-597 F1: a target the profile does not describe (auth), a target rule with no
    reference (web.W: required only), a target pinning another version than the profile says
    (web.V: version 1, the profile reads latest)."""
    grant = {"roles/secretmanager.secretAccessor": [ACCOUNT]}
    refs = {"A1": {"secret": "m1"}, "A2": {"secret": "m2"}, "A4": {"secret": "m4"}}
    copies = {f"C_{name}": versions[0] for name, versions in SIDES.items()}
    api = {
        "template": {"env": {**refs, **copies}},
        "history": [{"env": {**refs, **dict.fromkeys(copies, "dev")}, "created": "3d"}],
    }
    web = {"W": {"secret": "t2"}, "V": {"secret": "t4", "version": "1"}}
    services = {
        "api": api,
        "web": {"template": {"env": web}},
        "auth": {"template": {"env": {"X": {"secret": "t1"}}}},
    }
    secrets = {name: {"versions": versions, "iam": grant} for name, versions in SIDES.items()}
    acme = {"number": 111, "region": "us-central1", "services": services, "secrets": secrets}
    return {"options": {"seed": 5}, "projects": {"acme": acme}}


@pytest.mark.parametrize("only", [[], ["--service", "api"]])
def test_what_serves_the_other_side_of_a_same_as_is_read_as_check_reads_it(
    tmp_path: Path, only: list[str]
) -> None:
    folder = profile_folder(tmp_path, SHAPES)
    with Sandbox(shapes_world()) as sandbox:
        done = run(sandbox, folder, "history", "lab", *only, "--format", "json")
        checked = run(sandbox, folder, "check", "lab", *only, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    payloads = [versions[0] for versions in SIDES.values()]
    assert [p for p in payloads if p in checked.stdout] == []  # `check` masks them all
    assert [p for p in payloads if p in done.stdout] == [], done.stdout


def test_one_version_spelt_by_number_and_by_id_is_read_once(tmp_path: Path) -> None:
    """helper-597 F3: web names api's secret by its project's number; `check` reads it once,
    and so does history (after the projects are named)."""
    profile = (
        "project: acme\nregion: us-central1\nservices:\n"
        "  api: {env: {A: {secret: s1, same_as: web.W}}}\n  web: {env: {W: {secret: s1}}}\n"
    )
    grant = {"roles/secretmanager.secretAccessor": [ACCOUNT]}
    services = {
        "api": {"template": {"env": {"A": {"secret": "s1"}}}, "history": [{}]},
        "web": {"template": {"env": {"W": {"secret": "projects/111/secrets/s1"}}}},
    }
    secrets = {"s1": {"versions": [COPIED], "iam": grant}}
    acme = {"number": 111, "region": "us-central1", "services": services, "secrets": secrets}
    folder = profile_folder(tmp_path, profile)
    with Sandbox({"options": {"seed": 5}, "projects": {"acme": acme}}) as sandbox:
        done = run(sandbox, folder, "history", "lab")
        reads = [call_resource(c) for c in sandbox.calls if c.short == "AccessSecretVersion"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(reads) == 1, reads
