"""A probe's HTTP header values in every output past a check's and a plan's (helper-791; those:
tests/fields/test_probe_headers.py): one that looks like nothing (`X-Probe: 7f3a9c1e2b`) and
one that looks like a token (`X-Auth: ghp_…`), sent by the live startup and liveness probes, and
another value a profile states. The rule (drift/fields/health.py): no output shows a header's
value, whatever its name or shape, masked on the data (`probe_text.shown`, `Conversion.header`,
`differences._headers_masked`), the name shown. Every format of a fix (dry run and real), the
saved plan, `history`, a rollback's preview and its run, `init`'s output and the profile it
writes, `compare` of profiles and of live services, a refusal at a profile's line, `-v`'s log,
and `check --manifest` of a Knative manifest sending them, in every format. The journal (state
for a rollback, not an output) holds them; it is not checked here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, IMAGE, PROFILE, P
from tests.manifest.conftest import MINIMAL

PLAIN = "7f3a9c1e2b"
TOKEN = "ghp_R8x2Lq9Vw4Zk7Tn3Ym6Pb1Hc5Jd0Fs2Ga4E"
STATED = ("aa11bb22cc", "zz99yy88xx")
"""The values the profile states for the liveness probe's headers."""
LIVENESS = f"http /healthz port 8080 header X-Probe={STATED[0]} header X-New={STATED[1]}"
VALUES = (PLAIN, TOKEN, *STATED)


def _project(number: int, path: str) -> dict[str, Any]:
    """A project whose service `api` sends `X-Probe: PLAIN` and `X-Auth: TOKEN` in both probes,
    its startup probe's path `path`."""
    headers = [{"name": "X-Probe", "value": PLAIN}, {"name": "X-Auth", "value": TOKEN}]

    def probe(at: str) -> dict[str, Any]:
        return {"httpGet": {"path": at, "httpHeaders": headers}, "periodSeconds": 5}

    app: dict[str, Any] = {"name": "app", "image": IMAGE, "ports": [{"containerPort": 8080}]}
    app |= {"startupProbe": probe(path), "livenessProbe": probe("/healthz")}
    template = {"api": {"containers": [app]}}
    return {"number": number, "region": "us-central1", "services": {"api": {"template": template}}}


def test_no_output_shows_a_probe_header_value(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    world = {"p1": _project(123456789012, "/healthz"), "p2": _project(123456789013, "/p2")}
    sandbox = make_sandbox({"options": {"seed": 7}, "projects": world})
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "env.yaml").write_text(HEAD + f"      liveness_probe: {LIVENESS}\n")
    (folder / "other.yaml").write_text(
        HEAD.replace(P, "p2") + f"      liveness_probe: {LIVENESS}\n"
    )
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
    }
    outs: dict[str, str] = {}

    def run(*args: str) -> None:
        done = drift(*args, env=env, cwd=tmp_path, timeout=120, stdin="n\n")
        outs[" ".join(args)] = done.stdout + done.stderr
        assert "Traceback" not in done.stderr, done.stderr

    for fmt in ("table", "json", "markdown"):
        run("fix", "env", "--dry-run", "-f", fmt)
    run("plan", "env", "-f", "yaml", "--from-template", "--out", str(tmp_path / "plan.json"))
    outs["plan.json"] = (tmp_path / "plan.json").read_text()
    run("fix", "env", "--yes", "--no-verify", "-v", "-f", "json")
    for fmt in ("table", "json", "markdown"):
        run("history", "env", "-f", fmt)
    run("rollback")  # its preview, declined
    run("compare", "env", "other", "-f", "json")
    run("compare", "env", "other", "--live")
    run("init", "live", "--from-live", "--project", P, "--region", "us-central1")
    outs["live.yaml"] = (folder / "live.yaml").read_text()
    (folder / "bad.yaml").write_text(HEAD + f"      startup_probe: {LIVENESS} period 1801s\n")
    run("profiles", "validate")
    run("rollback", "--yes", "-v")
    for name, out in outs.items():
        assert not [v for v in VALUES if v in out], (name, out)
    # each shows the probes, their headers by name: the masking is what hides the values
    assert "header X-Probe=*** header X-New=***" in outs["fix env --dry-run -f table"]
    assert "header X-Probe=*** header X-Auth=***" in outs["history env -f table"]
    assert "header X-Probe=\\*\\*\\* header X-New=" in outs["history env -f markdown"]
    assert "http_headers[0].value: *** → *** (changed)" in outs["rollback"]
    assert "sends headers X-Probe, X-Auth" in outs["live.yaml"]
    assert "bad.yaml:6" in outs["profiles validate"], outs["profiles validate"]


MANIFEST = MINIMAL + (
    "        ports:\n"
    "        - containerPort: 8080\n"
    "        startupProbe:\n"
    "          httpGet:\n"
    "            path: /ready\n"
    "            httpHeaders:\n"
    "            - name: X-Probe\n"
    f"              value: {PLAIN}\n"
    "            - name: X-Auth\n"
    f"              value: {TOKEN}\n"
)


@pytest.mark.parametrize("fmt", ["table", "json", "sarif", "github", "markdown"])
def test_a_manifests_probe_header_value_is_in_no_check_output(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    stated = f"      startup_probe: http /healthz port 8080 header X-Probe={STATED[0]}\n"
    (folder / "prod.yaml").write_text(PROFILE + stated)
    (tmp_path / "api.yaml").write_text(MANIFEST)
    args = ("check", "prod", "--profiles", str(folder), "-m", "api.yaml", "--offline", "-f", fmt)
    done = drift(*args, cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 1 and "X-Auth" in out, out
    assert not [v for v in VALUES if v in out], out
