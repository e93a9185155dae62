"""`make bench`, large secrets: a project whose services hold service-account keys (JSON with a
PEM private key, ~2.4 KB each) and a 64 KiB config file in Secret Manager, each value read (a
`min_length` rule). Every value drift reads is registered with its escaped and encoded forms
and masked in every line the check prints; the masker's first search once compiled all of them
into one pattern, which alone took 5 to 18 s here (helper-660's measures): `drift check`, as a
user times it (whole process, median of RUNS), on a clean environment."""

from __future__ import annotations

import base64
import json
import random
import statistics
import string
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.measure import LATENCY_MS, child_env, drift_command, timed

KEYS = 20
"""Services, each with a service-account key secret of its own."""
CONFIG_BYTES = 65536
RUNS = 3
PROJECT, REGION, NUMBER = "bench-secrets", "us-central1", 700000000043
# Target (here, in the benchmark's output; never in timed tests).
SECRETS_WALL = 2.5
"""Seconds for `drift check` of the KEYS services and the 64 KiB config (clean)."""


def _key(rng: random.Random, k: int) -> str:
    lines = [base64.b64encode(rng.randbytes(48)).decode() for _ in range(26)]
    pem = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END PRIVATE KEY-----\n"
    return json.dumps(
        {
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": rng.randbytes(20).hex(),
            "private_key": pem,
            "client_email": f"app{k}@{PROJECT}.iam.gserviceaccount.com",
        },
        indent=2,
    )


def world() -> dict[str, Any]:
    """KEYS services, each reading its key from a secret, the first also a 64 KiB config."""
    rng = random.Random(7)
    config = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(CONFIG_BYTES))
    secrets: dict[str, Any] = {"config": {"versions": [config]}}
    services = {}
    for k in range(KEYS):
        secrets[f"key-{k:02d}"] = {"versions": [_key(rng, k)]}
        env: dict[str, Any] = {"GOOGLE_KEY": {"secret": f"key-{k:02d}", "version": "1"}}
        if k == 0:
            env["CONFIG"] = {"secret": "config", "version": "1"}
        template = {"image": f"us-docker.pkg.dev/{PROJECT}/app/s{k}:1", "port": 8080, "env": env}
        services[f"s{k:02d}"] = {"template": template}
    project = {"number": NUMBER, "region": REGION, "secrets": secrets, "services": services}
    project["iam"] = {  # the default runtime account reads every secret: a clean check
        "roles/secretmanager.secretAccessor": [
            f"serviceAccount:{NUMBER}-compute@developer.gserviceaccount.com"
        ]
    }
    return {"projects": {PROJECT: project}}


def _profile(world: dict[str, Any], directory: Path) -> None:
    lines = [f"project: {PROJECT}", f"region: {REGION}", "services:"]
    for name, service in world["projects"][PROJECT]["services"].items():
        lines += [f"  {name}:", "    env:"]
        for var, ref in service["template"]["env"].items():
            lines.append(f'      {var}: {{secret: {ref["secret"]}, version: "1", min_length: 16}}')
    (directory / "big.yaml").write_text("\n".join(lines) + "\n")


def measure_secrets(runs: int = RUNS) -> float:
    """The median wall of `drift check big --format json` (exit 0 asserted)."""
    from drift.sandbox import Sandbox

    scenario = world()
    with (
        tempfile.TemporaryDirectory(prefix="drift-bench-") as tmp,
        Sandbox(scenario, latency_ms=LATENCY_MS) as sandbox,
    ):
        where = Path(tmp)
        (where / "profiles").mkdir()
        _profile(scenario, where / "profiles")
        env = child_env(sandbox.environ())
        argv = [*drift_command(), "check", "big", "--format", "json"]
        argv += ["--profiles", str(where / "profiles")]
        timed(argv, env, where, expect=(0,))  # warm-up; clean, or the bench stops
        walls = [timed(argv, env, where, expect=(0,)).wall for _ in range(runs)]
    return statistics.median(walls)


def rows(wall: float) -> list[list[str]]:
    """The target's row of the report."""
    return [
        [
            f"{KEYS} key secrets and a {CONFIG_BYTES // 1024} KiB config, values read: check",
            f"{wall * 1000:,.0f} ms",
            f"≤ {SECRETS_WALL * 1000:,.0f} ms",
            "PASS" if wall <= SECRETS_WALL else "MISS",
        ]
    ]


if __name__ == "__main__":
    print(f"{measure_secrets():.2f} s")
