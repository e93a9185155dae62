"""A secret's value copied into a plain variable with its whitespace changed (CRLF for LF, tabs
for newlines, newlines for spaces) is masked whole by every output, the masker's search taking
a run of whitespace for any other; the journal's search is exact, and recorded such a copy as
text, with the secret in it (helper-784 W1, HIGH). It is withheld whole now, recorded by no
version: a rollback says it cannot put it back and changes nothing, never writes a guess.
The same for a half of one (a start or an end, the secret pasted as two variables) with its
whitespace changed: the masker judged a half only as it stands, so check showed it and the
journal recorded it as text (helper-784 W2, and W1's halves). A half is journalled by its
version, its form's cut and its own runs of white space (`drift.respaced`), and put back byte
for byte; a version whose text does not fit the record restores nothing (helper-790 R1)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode
from drift.sandbox import Sandbox
from tests.cliutil import drift, drift_on
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, fixed_journal, rollback, updates

PAT = "ghp_Hn4Tq8Wc2Ze6Ry9Ua3Sd7Fg1Jk5Lx0Mv2Bp6N"
PASSWORD = "Wq8Er3Ty6Ui1Op4L"
HOOK = "Yt6Re4Wq2As8Df0Gh3Jk"
ENV = (
    f"DB_HOST=db.acme-env.internal\nDB_PASSWORD={PASSWORD}\nGITHUB_PAT={PAT}\n"
    f"SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0ENV1234/B0ENV5678/{HOOK}\n"
)
TOKEN = "2qAKaQbyGJtUVtrSRAJ7"
ONE = f"https://api.acme-ws.io:443 {TOKEN}"
CRLF = ENV.replace("\n", "\r\n")
CUT = CRLF.index("Ze6Ry9")  # in the PAT's middle: each half holds a part of it
HALVES = {
    "HEAD_CRLF": CRLF[:CUT],
    "TAIL_CRLF": CRLF[CUT:],
    "HEAD_LINES": ONE.replace(" ", "\n")[:-6],
    "TAIL_TABS": ENV.replace("\n", "\t")[ENV.index("Jk5Lx0") :],
    "HEAD_SPACES": ENV.replace("\n", " ")[: ENV.index("Ty6Ui")],  # helper-790 R1's
}
WHOLE = {
    "CRLF": CRLF,
    "TABS": ENV.replace("\n", "\t"),
    "LINES": ONE.replace(" ", "\n"),
}
COPIES = WHOLE | HALVES
ACCOUNT = f"app@{LAB}.iam.gserviceaccount.com"
ENV_VARS: dict[str, Any] = {
    "DEBUG": "true",
    "DOTENV": {"secret": "s-env"},
    "ONE": {"secret": "s-one"},
}
SECRETS = {
    name: {"versions": [value], "iam": lab.reading(ACCOUNT)}
    for name, value in (("s-env", ENV), ("s-one", ONE))
}
WORLD = lab.one_project(lab.app_run_as(ACCOUNT, ENV_VARS | COPIES), secrets=SECRETS)
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
    "      DEBUG: {forbidden: true}\n      DOTENV: {secret: s-env, min_length: 8}\n"
    "      ONE: {secret: s-one, min_length: 8}\n"
)
PARTS = (PAT, PASSWORD, HOOK, TOKEN, "db.acme-env.internal", "api.acme-ws.io")
SHOWN = (PAT[:12], PAT[-12:], PASSWORD, HOOK, TOKEN[:12], "T0ENV1234/B0ENV5678")
"""What a half of a copy would show of a secret part if check showed it as it stands."""


def _reset(sandbox: Sandbox, scenario: dict[str, Any]) -> Iterator[Sandbox]:
    default = sandbox.scenario
    sandbox.reset(scenario)
    yield sandbox
    sandbox.reset(default)


@pytest.fixture
def world(sandbox: Sandbox) -> Iterator[Sandbox]:
    yield from _reset(sandbox, WORLD)


def test_a_copy_with_other_whitespace_is_withheld_whole_and_never_guessed_back(
    world: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, held = fixed_journal(world, tmp_path, monkeypatch, PROFILE)
    for part in PARTS:  # neither in the JSON nor in the bytes
        assert part not in text and part.encode() not in held, part
    world.clear_calls()
    refused = rollback(tmp_path)
    said = refused.summary()
    assert refused.exit_code is ExitCode.ABORTED, said
    assert "cannot restore the plain values the journal recorded by their secret version" in said
    for name in WHOLE:
        assert said.count(f"`{name}`") == 1, said
    for name in HALVES:  # each recorded by its version: none stops the rollback
        assert f"`{name}`" not in said, said
    assert "set that variable by hand" in said and "nothing was changed" in said, said
    assert not any(part in said for part in PARTS), said
    assert updates(world) == []


def test_a_half_with_other_whitespace_is_masked_by_check(world: Sandbox, tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "lab.yaml").write_text(PROFILE + "".join(f"      {n}: other\n" for n in HALVES))
    env = world.environ()
    for form in ("json", "table"):
        run = drift(
            "check", "lab", "--format", form, "--profiles", "profiles", env=env, cwd=tmp_path
        )
        assert run.returncode == ExitCode.DRIFT, run.stderr
        for name in HALVES:  # each a finding, its value shown as masked
            assert name in run.stdout, (form, name)
        for part in SHOWN:
            assert part not in run.stdout and part not in run.stderr, (form, part)


OTHER = ENV.replace("=", "= ")
"""A text the halves' version does not give back as recorded (its runs of white space other)."""
HALVES_WORLD = lab.one_project(
    lab.app_run_as(ACCOUNT, ENV_VARS | HALVES),
    secrets=SECRETS | {"s-env": {"versions": [OTHER, ENV], "iam": lab.reading(ACCOUNT)}},
)


@pytest.fixture
def halves(sandbox: Sandbox) -> Iterator[Sandbox]:
    yield from _reset(sandbox, HALVES_WORLD)


def _recorded(text: str) -> set[str]:
    """The forms the journal recorded the halves by, each a start or end with its runs."""
    for part in PARTS:
        assert part not in text, part
    data = json.loads(text)
    assert not any(r.get("unrecorded") for r in data["withheld"]), data["withheld"]
    forms = {p["form"] for r in data["withheld"] for p in r["pieces"] if isinstance(p, dict)}
    for form in forms:  # a drift before `drift.respaced` reads no cut in it: it refuses
        assert "%" in form and "@" not in form, form
        assert not any(form.rpartition(mark)[2].isdigit() for mark in "~#"), form
    return forms


def test_a_half_with_other_whitespace_is_put_back_byte_for_byte(
    halves: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, held = fixed_journal(halves, tmp_path, monkeypatch, PROFILE)
    assert not any(part.encode() in held for part in PARTS)
    forms = _recorded(text)
    runs = {form.rsplit("=", 1)[1] for form in forms}  # each half's runs (CRLF, LF, tab, space)
    assert runs == {"rn,rn", "rn", "n", "t", "s"}, forms
    back = drift_on(halves, tmp_path, ("lab", PROFILE), "rollback", "--yes")
    assert back.returncode == ExitCode.OK, back.stdout + back.stderr
    env = halves.service(LAB, "app").template.containers[0].env
    assert {v.name: v.value for v in env if v.name in HALVES} == HALVES


def _other_version(piece: dict[str, Any]) -> None:
    """As if the version read again gave another text."""
    if piece["version"].endswith("/s-env/versions/2"):
        piece["version"] = piece["version"].removesuffix("2") + "1"


def _hand_written(piece: dict[str, Any]) -> None:
    """Runs spelled as drift never writes them (`x0041`: no white space)."""
    piece["form"] = piece["form"].rpartition("=")[0] + "=x0041"


@pytest.mark.parametrize(
    ("edit", "said_so", "names"),
    [
        (
            _other_version,
            "nothing was guessed",
            ("HEAD_CRLF", "TAIL_CRLF", "TAIL_TABS", "HEAD_SPACES"),
        ),
        (_hand_written, "in a form drift does not write", tuple(HALVES)),  # helper-799 I2
    ],
    ids=["other-version", "hand-written"],
)
def test_a_half_whose_version_does_not_fit_its_record_is_not_guessed(
    halves: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: Callable[[dict[str, Any]], None],
    said_so: str,
    names: tuple[str, ...],
) -> None:
    text, _ = fixed_journal(halves, tmp_path, monkeypatch, PROFILE)
    _recorded(text)
    (path,) = (tmp_path / ".drift" / "journal").glob("*.json")
    data = json.loads(text)
    for record in data["withheld"]:
        for piece in record["pieces"]:
            if isinstance(piece, dict):
                edit(piece)
    raw = json.dumps(data).encode()
    path.write_bytes(raw)
    path.with_name(path.name + ".sha256").write_text(hashlib.sha256(raw).hexdigest())
    halves.clear_calls()
    back = drift_on(halves, tmp_path, ("lab", PROFILE), "rollback", "--yes")
    said = " ".join((back.stdout + back.stderr).split())
    assert back.returncode == ExitCode.ABORTED, said
    for name in names:
        assert f"`{name}` (container `app-1`): " in said and said_so in said, said
    assert ("nothing was guessed" in said) is (said_so == "nothing was guessed"), said
    assert not any(part in said for part in PARTS), said
    assert updates(halves) == []
    env = halves.service(LAB, "app").template.containers[0].env
    assert "DEBUG" not in {v.name for v in env}  # the fix stands
