"""A secret pasted as two plain variables (`KEY_A` its start, `KEY_B` its end) shows neither
half (SPEC Safety invariant 1): each is masked on the data as a copy of the whole is, in
`check`'s findings, the plan, `compare --live` (also where it reads the value last), and
`init --from-live` does not copy them into the profile. Before, each half was printed as it
is, in every output and the profile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import drift

SECRET = "sK9-quartz/fjord+vexing-bawdy-42"
HALVES = {"KEY_A": SECRET[:16], "KEY_B": SECRET[16:]}
ACCOUNT = "api@acme.iam.gserviceaccount.com"
PROFILE = """\
project: {project}
region: us-central1
services:
  api:
    env:
      KEY: {{secret: key, min_length: 8}}
      KEY_A: a
      KEY_B: b
  web: {{env: {{KEY: {{secret: key}}}}}}
"""


def _project(number: int) -> dict[str, Any]:
    grant = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
    env = {"KEY": {"secret": "key"}, **HALVES}
    return {
        "number": number,
        "secrets": {"key": {"versions": [SECRET], "iam": grant}},
        # two workloads: init withholds the second's halves too (it registers the first's)
        "services": {
            name: {"template": {"service_account": ACCOUNT, "env": env}} for name in ("api", "web")
        },
    }


def _leaked(text: str) -> list[str]:
    return [half for half in HALVES.values() if half in text]


def test_a_secret_split_across_two_plain_variables_shows_neither_half(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    for env in ("prod", "dev"):
        (profiles / f"{env}.yaml").write_text(PROFILE.format(project=f"acme-{env}"))
        # no rule reads the value: compare reads it only after its views are made
        unread = PROFILE.replace(", min_length: 8", "").format(project=f"acme-{env}")
        (profiles / f"only-{env}.yaml").write_text(unread)
    world = {"projects": {"acme-prod": _project(1), "acme-dev": _project(2)}}
    dev = world["projects"]["acme-dev"]["services"]["api"]["template"]["env"]
    dev["KEY_A"] = "other"
    del dev["KEY_B"]  # compare shows prod's: `env.only_in`
    with Sandbox(world) as sandbox:

        def run(*args: str) -> str:
            done = drift(*args, "--profiles", str(profiles), env=sandbox.environ(), cwd=tmp_path)
            assert "Traceback" not in done.stderr, done.stderr
            return done.stdout + done.stderr

        report = json.loads(run("check", "prod", "--format", "json"))
        actual = {f["target"]: f["actual"] for f in report["findings"]}
        assert actual["env.KEY_A"] == "***" and actual["env.KEY_B"] == "***", actual
        plan = json.loads(run("plan", "prod", "--format", "json"))
        texts = {"plan json": json.dumps(plan)}
        for fmt in ("table", "github", "markdown", "sarif"):
            texts[f"check {fmt}"] = run("check", "prod", "--format", fmt)
        for fmt in ("table", "yaml", "gcloud"):
            texts[f"plan {fmt}"] = run("plan", "prod", "--format", fmt)
        texts["compare"] = run("compare", "prod", "dev", "--live", "--format", "json")
        texts["compare, read last"] = run("compare", "only-prod", "only-dev", "--live")
        init = run(
            "init", "new", "--from-live", "--project", "acme-prod", "--region", "us-central1"
        )
        texts["init"] = init + (profiles / "new.yaml").read_text()
    assert {where: _leaked(text) for where, text in texts.items() if _leaked(text)} == {}
    assert texts["init"].count("KEY_B: {required: true}") == 2  # said, not copied
