"""A token in the free text of a setting read — a probe's HTTP path (`/healthz?token=…`), a gRPC
probe's service, an NFS export's path — is shown masked everywhere drift shows the setting, by
the one rule `working_dir` is shown by (`drift.credentials.masked_text`), end to end through the
real CLI on the sandbox: `check` in every format, `plan` in every format (gcloud's script
leaving such a value to `drift fix`), `fix`, `history`, the `rollback` prompt, `init
--from-live` (a comment, never a line), and `check --manifest`. Each was printed whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.credentials import masked_text
from drift.fields.catalogue import FIELDS
from drift.redact import MASK
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields import container_world as cw
from tests.manifest.conftest import MINIMAL, check_offline

TOKEN = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
"""A GitHub token's shape (`credentials._CREDENTIAL_VALUE`): masked wherever it stands."""
WHERE = ("--project", cw.P, "--region", "us-central1")
NFS = {"volumes": [{"name": "n", "nfs": {"server": "10.0.0.2", "path": f"/x/{TOKEN}"}}]}
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], str, str]] = {
    # (the app container's fields, the template's, the profile's line, what check shows)
    "http path": (
        {"startupProbe": {"httpGet": {"path": f"/healthz?token={TOKEN}", "port": 8080}}},
        {},
        "startup_probe: http /healthz port 8080",
        f"http /healthz?token={MASK} port 8080 delay 0s timeout 1s period 10s failure 3",
    ),
    "grpc service": (
        {"startupProbe": {"grpc": {"service": f"health.{TOKEN}", "port": 8080}}},
        {},
        "startup_probe: grpc port 8080",
        f"grpc port 8080 service health.{MASK} delay 0s timeout 1s period 10s failure 3",
    ),
    "nfs path": (
        {"volumeMounts": [{"name": "n", "mountPath": "/n"}]},
        NFS,
        "nfs_shares: 10.0.0.2:/y",
        f"10.0.0.2:/x/{MASK}:rw",
    ),
}


def _world(make_sandbox: MakeSandbox, case: str) -> Any:
    app, template, _, _ = CASES[case]
    return make_sandbox(cw.service_world(app, {}, **template))


def _body(case: str) -> str:
    return f"    settings:\n      {CASES[case][2]}\n"


def _unshown(*done: Any) -> None:
    for each in done:
        assert "Traceback" not in each.stderr, each.stderr
        assert TOKEN not in each.stdout + each.stderr, each.stdout + each.stderr


@pytest.mark.parametrize("case", list(CASES))
def test_check_shows_the_token_masked_in_every_format(
    make_sandbox: MakeSandbox, tmp_path: Path, case: str
) -> None:
    sandbox = _world(make_sandbox, case)
    setting = CASES[case][2].split(":")[0]
    assert cw.drifted(sandbox, tmp_path, _body(case), setting)[0] == CASES[case][3]
    for form in ("table", "json", "github", "sarif", "markdown"):
        done = cw.run(sandbox, tmp_path, _body(case), "check", "env", "--no-history", "-f", form)
        assert done.returncode == 1, done.stdout + done.stderr
        assert MASK in done.stdout, done.stdout
        _unshown(done)


@pytest.mark.parametrize("case", list(CASES))
def test_plan_and_init_never_show_the_token(
    make_sandbox: MakeSandbox, tmp_path: Path, case: str
) -> None:
    sandbox = _world(make_sandbox, case)
    plans = [
        cw.run(sandbox, tmp_path, _body(case), "plan", "env", "--format", form)
        for form in ("table", "json", "yaml", "gcloud")
    ]
    assert MASK in plans[0].stdout and MASK in plans[1].stdout, plans[0].stdout
    init = drift_on(sandbox, tmp_path, ("other", "{}"), "init", "new", "--from-live", *WHERE)
    _unshown(*plans, init)
    written = (tmp_path / "profiles" / "new.yaml").read_text()
    setting = CASES[case][2].split(":")[0]
    line = f"# {setting}: {CASES[case][3]} (not written: it holds a value drift does not print)"
    assert line in written and TOKEN not in written, written


def test_fix_history_and_rollback_never_show_the_token(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    for case in ("http path", "nfs path"):
        sandbox = _world(make_sandbox, case)
        fixed = cw.run(sandbox, tmp_path, _body(case), "fix", "env", "--yes", "--no-verify")
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        history = cw.run(sandbox, tmp_path, _body(case), "history", "env")
        setting = CASES[case][2].split(":")[0]
        assert f"changed setting.{setting}: {CASES[case][3]} -> " in history.stdout, history.stdout
        prompt = cw.run(sandbox, tmp_path, _body(case), "rollback")  # no terminal: not confirmed
        assert "restore what served before change" in prompt.stdout, prompt.stdout
        _unshown(fixed, history, prompt)


def test_gclouds_script_leaves_a_probe_holding_a_token_to_drift_fix(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = _world(make_sandbox, "http path")
    body = f"    settings:\n      startup_probe: http /ready?token={TOKEN} port 8080\n"
    done = cw.run(sandbox, tmp_path, body, "plan", "env", "--format", "gcloud")
    _unshown(done)
    script = " ".join(done.stdout.replace("\\\n", " ").split())
    assert "--startup-probe" not in script, script
    said = "setting startup_probe: gcloud run services update holds a value drift does not print"
    assert said in script, script


KNATIVE = MINIMAL + (
    f"        startupProbe:\n          httpGet:\n            path: /healthz?token={TOKEN}\n"
)


def test_a_manifests_probe_path_is_shown_masked(tmp_path: Path) -> None:
    profile = "project: acme\nregion: us-central1\nservices:\n  api:\n    settings:\n"
    done = check_offline(
        tmp_path, profile + "      startup_probe: http /healthz port 8080\n", ("api.yaml", KNATIVE)
    )
    assert done.returncode == 1 and f"/healthz?token={MASK} port 8080" in done.stdout, done.stdout
    _unshown(done)


@pytest.mark.parametrize(
    ("setting", "around", "part"),
    [
        ("working_dir", "{}", "/srv/{}"),
        ("startup_probe", "http {} port 8080", "/{}"),
        ("liveness_probe", "grpc port 8080 service {}", "{}"),
        ("readiness_probe", "http {} port 8080", "/{}"),
        ("nfs_shares", "{}:ro", "10.0.0.2:/{}"),
        ("storage_buckets", "{}:rw", "{}"),
    ],
)
def test_every_free_text_row_shows_by_the_one_rule(setting: str, around: str, part: str) -> None:
    """A credential's shape, and a value moved from a variable (`hidden`), as `masked_text`
    masks it, in each row's own words (`around`: the row's value holding the part)."""
    for word, moved in ((TOKEN, False), ("moved-away-9", True)):
        held = part.format(word)
        hidden = (held,) if moved else ()
        masked = masked_text(held, hidden)
        assert word not in masked and MASK in masked
        assert FIELDS[setting].shown(around.format(held), hidden) == around.format(masked)


def test_the_http2_note_shows_a_stated_path_masked(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = _world(make_sandbox, "http path")
    body = (
        f"    settings:\n      http2: true\n      startup_probe: http /h?token={TOKEN} port 8080\n"
    )
    done = cw.run(sandbox, tmp_path, body, "profiles", "validate")
    assert f"startup_probe http /h?token={MASK} port 8080 beside http2: true" in done.stdout + (
        done.stderr
    )
    _unshown(done)
