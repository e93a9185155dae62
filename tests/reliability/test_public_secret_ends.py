"""A plain value that is, all of it, a public part of a read secret's payload (a DSN's
`scheme://host:port` when the URL has no userinfo, a PEM armour line, a service account key's
fixed members: `drift.public_ends`) is shown by `check` in every format and by `plan`, and
copied by `init --from-live` (helper-746 F1: masked, `{required: true}`, plan NOT APPLIABLE);
helper-757's halves of structured secrets (F1-F3: a token as a URL's username, a hook's path,
`.env` lines, JSON members, a PEM key's short last line) stay masked in all of them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from drift.sandbox import Sandbox
from drift.secretforms import escaped_forms
from drift.textsafe import json_inert, sarif_plain, visible
from tests.cliutil import drift
from tests.public_ends_cases import HALVES, PUBLIC, PUBLIC_SECRETS, SPLITS

ACCOUNT = "api@acme.iam.gserviceaccount.com"
SECRETS = {**PUBLIC_SECRETS, **{name.lower(): payload for name, (payload, _) in SPLITS.items()}}


def _profile(service: str, names: list[str], kept: Any = "drifted") -> str:
    """Each of `names` drifts (`check` and `plan` show it), or with `kept` is kept as it is
    while `MODE` drifts (a plan yaml's document holds it)."""
    env: dict[str, Any] = {f"S_{s.upper()}": {"secret": s, "min_length": 8} for s in SECRETS}
    env |= dict.fromkeys(names, kept) | {"MODE": "drifted"}
    doc = {"project": "acme", "region": "us-central1", "services": {service: {"env": env}}}
    return yaml.safe_dump(doc)


def _world() -> dict[str, Any]:
    grant = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
    refs = {f"S_{s.upper()}": {"secret": s} for s in SECRETS}
    secrets = {name: {"versions": [value], "iam": grant} for name, value in SECRETS.items()}
    services = {
        name: {"template": {"service_account": ACCOUNT, "env": {**refs, **values}}}
        for name, values in (("api", PUBLIC | {"MODE": "live"}), ("web", HALVES))
    }
    return {"projects": {"acme": {"number": 1, "secrets": secrets, "services": services}}}


def _shown(value: str, text: str) -> bool:
    """`value` in `text`, as any format writes it (a SARIF message: its line breaks visible)."""
    sarif = json_inert(json.dumps(sarif_plain(visible(value)))[1:-1])
    return any(form in text for form in {*escaped_forms(value), sarif})


def test_public_parts_are_shown_and_copied_and_halves_are_not(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "public.yaml").write_text(_profile("api", list(PUBLIC)))
    (profiles / "split.yaml").write_text(_profile("web", list(HALVES)))
    (profiles / "kept.yaml").write_text(_profile("api", list(PUBLIC), {"required": True}))
    texts: dict[str, dict[str, str]] = {"public": {}, "split": {}}
    with Sandbox(_world()) as sandbox:

        def run(*args: str) -> str:
            done = drift(*args, "--profiles", str(profiles), env=sandbox.environ(), cwd=tmp_path)
            assert "Traceback" not in done.stderr, done.stderr
            return done.stdout + done.stderr

        for env in texts:
            for f in ("table", "json", "github", "sarif", "markdown"):
                texts[env][f"check {f}"] = run("check", env, "--format", f)
            for f in ("table", "json"):
                texts[env][f"plan {f}"] = run("plan", env, "--format", f)
        texts["public"]["plan yaml"] = run("plan", "kept", "--format", "yaml")
        texts["split"]["plan yaml"] = run("plan", "split", "--format", "yaml")
        said = run("init", "new", "--from-live", "--project", "acme", "--region", "us-central1")
        copied = yaml.safe_load((profiles / "new.yaml").read_text())
    findings = json.loads(texts["public"]["check json"])["findings"]
    actual = {f["target"]: f["actual"] for f in findings if f["target"].startswith("env.")}
    assert actual == {f"env.{name}": value for name, value in (PUBLIC | {"MODE": "live"}).items()}
    hidden = {
        where: [name for name, value in PUBLIC.items() if not _shown(value, text)]
        for where, text in texts["public"].items()
    }
    assert {where: names for where, names in hidden.items() if names} == {}
    plan = texts["public"]["plan yaml"]
    assert "NOT APPLIABLE" not in plan and "driftNotAppliable" not in plan, plan
    assert {name: copied["services"]["api"]["env"][name] for name in PUBLIC} == PUBLIC
    texts["split"]["init"] = said + yaml.safe_dump(copied["services"]["web"])
    leaked = {
        where: [name for name, half in HALVES.items() if _shown(half.strip(), text)]
        for where, text in texts["split"].items()
    }
    assert {where: names for where, names in leaked.items() if names} == {}
