"""A probe's HTTP header value is never shown, whatever its name or shape (helper-709 decision 4):
a header may carry a token the health endpoint checks, and one named `X-Check` holding
`e2e-canary-ok-4417` looks like nothing. Every check format, every plan format, a fix's plan
and a rollback's or a template's differences show its name at most. The YAML plan, which
`replace` applies whole, writes the value only under `--include-plain-credentials` (as a plain
value that looks like a credential): otherwise `***`, on the data, and the file says it is not
appliable. Before, the YAML plan wrote it as read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from google.cloud import run_v2

from drift.diff.differences import template_differences
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, probe_world

VALUE = "e2e-canary-ok-4417"
CHECK = {
    "httpGet": {"path": "/healthz", "httpHeaders": [{"name": "X-Check", "value": VALUE}]},
    "periodSeconds": 5,
}
PROFILE = ("env", HEAD + "      startup_probe: http / port 8080\n")


def _run(make_sandbox: MakeSandbox, tmp_path: Path, *args: str) -> str:
    sandbox = make_sandbox(probe_world(CHECK, CHECK))
    done = drift_on(sandbox, tmp_path, PROFILE, *args)
    out = done.stdout + done.stderr
    assert done.returncode in (0, 1) and "Traceback" not in out, out
    return out


@pytest.mark.parametrize(
    "args",
    [
        *(("check", "env", "--no-history", "-f", f) for f in ("table", "json", "markdown")),
        *(("check", "env", "--no-history", "-f", f) for f in ("sarif", "github")),
        *(("plan", "env", "--format", f) for f in ("table", "json", "gcloud", "yaml")),
        ("fix", "env", "--dry-run"),
    ],
    ids=lambda args: "-".join(args[:1] + args[-1:]),
)
def test_a_probe_header_value_is_in_no_output(
    make_sandbox: MakeSandbox, tmp_path: Path, args: tuple[str, ...]
) -> None:
    out = _run(make_sandbox, tmp_path, *args)
    assert "/healthz" in out or "startup_probe" in out, out
    assert VALUE not in out, out


def test_the_yaml_plan_names_the_header_and_withholds_its_value(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    out = _run(make_sandbox, tmp_path, "plan", "env", "--format", "yaml")
    assert (
        "NOT APPLIABLE" in out and "startupProbe header/X-Check: its value is not printed" in out
    ), out
    container = yaml.safe_load(out)["spec"]["template"]["spec"]["containers"][0]
    for key in ("startupProbe", "livenessProbe"):
        assert container[key]["httpGet"]["httpHeaders"] == [{"name": "X-Check", "value": "***"}]
    shown = _run(
        make_sandbox, tmp_path, "plan", "env", "--format", "yaml", "--include-plain-credentials"
    )
    assert VALUE in shown and "NOT APPLIABLE" not in shown, shown
    assert "container app startupProbe header/X-Check" in shown, shown  # said: written


def _template(value: str, name: str = "X-Check") -> Any:
    header = run_v2.HTTPHeader(name=name, value=value)
    probe = run_v2.Probe(http_get=run_v2.HTTPGetAction(path="/healthz", http_headers=[header]))
    container = run_v2.Container(name="app", image="i", liveness_probe=probe)
    return run_v2.RevisionTemplate(containers=[container])


def test_a_templates_differences_say_a_header_changed_not_what_it_is() -> None:
    lines = template_differences(_template("old-value-1"), _template(VALUE))
    assert lines == ["liveness_probe.http_get.http_headers[0].value: *** → *** (changed)"], lines
    added = template_differences(_template(VALUE, "X-Other"), _template(VALUE))
    assert added == ["liveness_probe.http_get.http_headers[0].name: X-Other → X-Check"], added
    assert template_differences(_template(VALUE), _template(VALUE)) == []
