"""A secret pasted as plain variables (`KEY_A` its start, `KEY_B` its end; `KEY_M` its middle,
helper-805) shows none of them (SPEC Safety invariant 1): each is masked on the data as a copy
of the whole is, in
`check`'s findings, the plan, `compare --live` (also where it reads the value last), and
`init --from-live` does not copy them into the profile. Before, each half was printed as it
is, in every output and the profile. So is a half copied in its other Unicode normal form
(helper-746 F4: an NFC payload's start as NFD, and the reverse, was shown and copied by init,
though the journal withheld it)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import drift

SECRET = "sK9-quartz/fjord+vexing-bawdy-42"
HALVES = {"KEY_A": SECRET[:11], "KEY_M": SECRET[11:22], "KEY_B": SECRET[22:]}
ACCOUNT = "api@acme.iam.gserviceaccount.com"
PROFILE = """\
project: {project}
region: us-central1
services:
  api:
    env:
      KEY: {{secret: key, min_length: 8}}
      KEY_A: a
      KEY_M: m
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


FORMATS = ("json", "table", "github", "markdown", "sarif")
PLAN_FORMATS = ("json", "table", "yaml", "gcloud")


def _runner(sandbox: Sandbox, tmp_path: Path) -> Callable[..., str]:
    """Runs drift on the sandbox and the profiles in `tmp_path`, -> its stdout and stderr."""

    def run(*args: str) -> str:
        profiles = str(tmp_path / "profiles")
        done = drift(*args, "--profiles", profiles, env=sandbox.environ(), cwd=tmp_path)
        assert "Traceback" not in done.stderr, done.stderr
        return done.stdout + done.stderr

    return run


def _init(run: Callable[..., str], profiles: Path) -> str:
    """What `init --from-live` of acme-prod said, and the profile it wrote."""
    said = run("init", "new", "--from-live", "--project", "acme-prod", "--region", "us-central1")
    return said + (profiles / "new.yaml").read_text()


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
    dev["KEY_A"], dev["KEY_M"] = "other", "other-m"
    del dev["KEY_B"]  # compare shows prod's: `env.only_in`
    with Sandbox(world) as sandbox:
        run = _runner(sandbox, tmp_path)
        report = json.loads(run("check", "prod", "--format", "json"))
        actual = {f["target"]: f["actual"] for f in report["findings"]}
        assert {actual[f"env.{name}"] for name in HALVES} == {"***"}, actual
        plan = json.loads(run("plan", "prod", "--format", "json"))
        texts = {"plan json": json.dumps(plan)}
        for fmt in ("table", "github", "markdown", "sarif"):
            texts[f"check {fmt}"] = run("check", "prod", "--format", fmt)
        for fmt in ("table", "yaml", "gcloud"):
            texts[f"plan {fmt}"] = run("plan", "prod", "--format", fmt)
        texts["compare"] = run("compare", "prod", "dev", "--live", "--format", "json")
        texts["compare, read last"] = run("compare", "only-prod", "only-dev", "--live")
        texts["init"] = _init(run, profiles)
    assert {where: _leaked(text) for where, text in texts.items() if _leaked(text)} == {}
    for name in ("KEY_M", "KEY_B"):
        assert texts["init"].count(f"{name}: {{required: true}}") == 2  # said, not copied


NFC = unicodedata.normalize("NFC", "café-résumé-naïve-Q7x9")
NFD = unicodedata.normalize("NFD", "Zürich-Straße-ключ-Ünïcode-9")
OTHER = {  # each half in the other normal form than its payload's
    "NFC_HEAD": unicodedata.normalize("NFD", NFC[:12]),
    "NFC_TAIL": unicodedata.normalize("NFD", NFC[12:]),
    "NFD_HEAD": unicodedata.normalize("NFC", NFD[:14]),
    "NFD_TAIL": unicodedata.normalize("NFC", NFD[15:]),
}
NORMAL_PROFILE = """\
project: acme-prod
region: us-central1
services:
  api:
    env:
      A: {secret: a, min_length: 8}
      B: {secret: b, min_length: 8}
""" + "".join(f"      {name}: x\n" for name in OTHER)


def test_a_half_in_the_other_normal_form_is_masked_and_not_copied(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "prod.yaml").write_text(NORMAL_PROFILE)
    grant = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
    env = {"A": {"secret": "a"}, "B": {"secret": "b"}, **OTHER}
    template = {"service_account": ACCOUNT, "env": env}
    secrets = {name: {"versions": [v], "iam": grant} for name, v in (("a", NFC), ("b", NFD))}
    project = {"number": 1, "secrets": secrets, "services": {"api": {"template": template}}}
    with Sandbox({"projects": {"acme-prod": project}}) as sandbox:
        run = _runner(sandbox, tmp_path)
        report = json.loads(run("check", "prod", "--format", "json"))
        actual = {f["target"]: f["actual"] for f in report["findings"]}
        assert {actual[f"env.{name}"] for name in OTHER} == {"***"}, actual
        texts = {f"check {f}": run("check", "prod", "--format", f) for f in FORMATS}
        texts |= {f"plan {f}": run("plan", "prod", "--format", f) for f in PLAN_FORMATS}
        texts["init"] = _init(run, profiles)
    shown = {where: [n for n, v in OTHER.items() if v in text] for where, text in texts.items()}
    assert {where: names for where, names in shown.items() if names} == {}
    assert all(f"{name}: {{required: true}}" in texts["init"] for name in OTHER), texts["init"]
