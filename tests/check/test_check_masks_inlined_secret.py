"""`drift check` never shows the plain value of a variable that is a Secret Manager reference
in another configuration it read of the same workload (another serving revision of a traffic
split, the template, an older revision read for `since`): very likely that secret's value
pasted in, whether or not anything reads the secret (SPEC: no secret value in any output).
The rule `drift history` applies too (`drift.live.remember.inlined`); before it, check showed
it in `env.unexpected`'s actual (revsincerows envhist2.log, fixsincerows "Left open")."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from drift.diff.context import Context
from drift.findings import Location
from drift.live.model import ServingRevision
from drift.live.state import LiveState, RevisionRecord
from drift.profiles.model import Profile, ServiceProfile
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.livestate import config, plain, ref, service

FORMATS = ("table", "json", "sarif", "github", "markdown")
VALUES = ["lic-7781-inlined-value", "inlinedlicencevalue", "k7781ab"]
"""The second is one word: the final scrub of rendered text leaves words alone, so it is
hidden only if masked on the data; the third is shorter than any value `redact` searches
for in text (`SEARCH_MIN`): only the finding's own masking hides it."""
IDS = ["dashed", "one-word", "short"]


def _profiles(tmp_path: Path) -> Path:
    """The profiles folder (`lab`: service `inl` naming no variable), written once."""
    folder = tmp_path / "profiles"
    if not folder.exists():
        folder.mkdir()
        (folder / "lab.yaml").write_text(
            "project: p\nregion: us-central1\nservices:\n  inl: {unexpected_env: warn, env: {}}\n"
        )
    return folder


def _check(sandbox: Sandbox, tmp_path: Path, fmt: str) -> subprocess.CompletedProcess[str]:
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(_profiles(tmp_path))}
    done = drift("check", "lab", "--format", fmt, env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
    return done


def _assert_never_shown(
    sandbox: Sandbox, tmp_path: Path, value: str, revisions: int
) -> dict[str, Any]:
    """Checks in every format; returns the JSON report (the `--format json` run's stdout)."""
    stdout: dict[str, str] = {}
    for fmt in FORMATS:
        done = _check(sandbox, tmp_path, fmt)
        shown = done.stdout + done.stderr
        assert "LICENSE_CODE" in shown, (fmt, shown)
        assert value not in shown, (fmt, shown)
        stdout[fmt] = done.stdout
    report: dict[str, Any] = json.loads(stdout["json"])
    found = [
        f
        for f in report["findings"]
        if f["target"] == "env.LICENSE_CODE" and f["rule"] == "env.unexpected"
    ]
    # masked on the data: the plain one `***`, the reference shown as it is
    assert len(found) == revisions, report["findings"]
    assert {f["actual"] for f in found} <= {"***", "secret lic:latest"}, found
    assert "***" in {f["actual"] for f in found}, found
    return report


def _sandbox(make_sandbox: MakeSandbox, service: dict[str, Any]) -> Sandbox:
    region = {
        "number": 3,
        "region": "us-central1",
        "services": {"inl": service},
        "secrets": {"lic": {"versions": [VALUES[0]]}},
    }
    return make_sandbox({"options": {"seed": 3}, "projects": {"p": region}})


@pytest.mark.parametrize("plain_serves_latest", [True, False], ids=["plain-latest", "ref-latest"])
@pytest.mark.parametrize("value", VALUES, ids=IDS)
def test_a_traffic_split_where_one_revision_references_the_secret_and_another_inlines_it(
    tmp_path: Path, make_sandbox: MakeSandbox, plain_serves_latest: bool, value: str
) -> None:
    """Two revisions serve (90 % / 10 %): one has LICENSE_CODE as a reference to secret
    `lic`, the other as a plain value. The profile does not name it: each is an
    `env.unexpected` warning, the plain one's actual never the value, in every format."""
    plain, ref = {"LICENSE_CODE": value}, {"LICENSE_CODE": {"secret": "lic"}}
    latest, older = (plain, ref) if plain_serves_latest else (ref, plain)
    service = {
        "template": {"env": latest},
        "history": [{"env": older, "created": "2d"}],
        "traffic": [{"latest": True, "percent": 90}, {"revision": 1, "percent": 10}],
    }
    sandbox = _sandbox(make_sandbox, service)
    _assert_never_shown(sandbox, tmp_path, value, revisions=2)


@pytest.mark.parametrize("value", VALUES, ids=IDS)
def test_the_previous_revision_not_serving_had_it_as_a_secret_reference(
    tmp_path: Path, make_sandbox: MakeSandbox, value: str
) -> None:
    """LICENSE_CODE was a reference to `lic` in the previous revision, which no longer
    serves; the serving one has the value as plain text. Check reads the older revisions for
    the finding's `since`: what they say of LICENSE_CODE masks the plain value, in every
    format, before anything renders."""
    service = {
        "template": {"env": {"LICENSE_CODE": value}},
        "history": [{"env": {"LICENSE_CODE": {"secret": "lic"}}, "created": "2d"}],
    }
    sandbox = _sandbox(make_sandbox, service)
    report = _assert_never_shown(sandbox, tmp_path, value, revisions=1)
    (finding,) = report["findings"]
    assert finding["since"] is not None, finding  # the history was read: that is what tells


def _pasted_over_an_older_reference(
    tmp_path: Path, make_sandbox: MakeSandbox, value: str
) -> dict[str, str]:
    """LICENSE_CODE plain (`value`) where the previous revision referenced secret `lic`; the
    profile; the environment `drift fix` runs with. (The `drift check --format json` each of
    its tests ran first, on the same world with the same profile, was that of
    `test_the_previous_revision_not_serving_had_it_as_a_secret_reference` for the same value,
    which asserts all it did and more; a check writes nothing `drift fix` reads.)"""
    service = {
        "template": {"env": {"LICENSE_CODE": value}},
        "history": [{"env": {"LICENSE_CODE": {"secret": "lic"}}, "created": "2d"}],
    }
    sandbox = _sandbox(make_sandbox, service)
    return {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(_profiles(tmp_path)),
        "DRIFT_STATE_DIR": str(tmp_path / "state"),
    }


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_fix_reads_the_since_after_its_plan_and_still_never_shows_it(
    tmp_path: Path, make_sandbox: MakeSandbox, fmt: str
) -> None:
    """`drift fix` shows its plan's check report, read with the history (`plan_environment`):
    findings made before the older revision's reference was known are masked again on the
    data (a one-word value, which the final scrub of rendered text leaves alone)."""
    value = VALUES[1]
    env = _pasted_over_an_older_reference(tmp_path, make_sandbox, value)
    done = drift("fix", "lab", "--dry-run", "--format", fmt, env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert "LICENSE_CODE" in done.stdout + done.stderr, done.stdout
    assert value not in done.stdout + done.stderr, done.stdout + done.stderr


def test_fix_never_shows_a_short_inlined_value_either(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    """As above with a value shorter than any `redact` searches for in text: the finding
    made before the history was read is masked on the data once it is (`hide_inlined`)."""
    value = VALUES[2]
    env = _pasted_over_an_older_reference(tmp_path, make_sandbox, value)
    for fmt in ("table", "json"):
        done = drift("fix", "lab", "--dry-run", "--format", fmt, env=env, cwd=tmp_path)
        assert "Traceback" not in done.stderr, done.stderr
        assert "since" in done.stdout, done.stdout  # the report read the history
        assert value not in done.stdout + done.stderr, done.stdout + done.stderr


def test_context_inlined_is_a_plain_value_whose_name_is_a_reference_in_any_read_config() -> None:
    """`Context.inlined`, the rules' own judgement (the end-to-end tests above pass without
    it: `remember.inlined` registers the longer values, and `hide_inlined` masks afterwards):
    a plain variable is a pasted secret where a serving revision (a traffic split) or an
    older revision read for `since` has a reference of the same name; a reference itself is
    not, nor a plain variable no configuration references."""
    pasted = config([plain("LICENSE_CODE", VALUES[2]), plain("API_KEY", "k1"), plain("MODE", "x")])
    split = config([ref("API_KEY", "key")])
    svc = replace(
        service("api", []),
        template=pasted,
        serving=(
            ServingRevision("api-00003-new", 90, (), (), pasted),
            ServingRevision("api-00002-old", 10, (), (), split),
        ),
    )
    first = config([ref("LICENSE_CODE", "lic")])
    older = RevisionRecord("api-00001-first", None, "", None, lambda: first)
    state = LiveState(services={"api": svc}, history={"api": [older]})
    profile = Profile("e", "p", "r", Location("p.yaml", 1))
    ctx = Context(profile, state, ServiceProfile("api", Location("p.yaml", 2)), svc)
    assert [name for name, var in pasted.main.env.items() if ctx.inlined(var)] == [
        "LICENSE_CODE",
        "API_KEY",
    ]
    assert not ctx.inlined(split.main.env["API_KEY"])
