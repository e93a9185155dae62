"""An annotation of Cloud Run's namespaces (`run.googleapis.com/`, `autoscaling.knative.dev/`,
`serving.knative.dev/`) that drift does not read, at service or revision-template level: it
was kept as a plain annotation in silence, so a misspelt `run.googleapis.com/cpu-throttle`
left CPU throttling at its default and the check judged that default as if the file said
so, and a new key passed as checked. What Cloud Run does with such a key (refuses the deploy,
ignores it) its v1 docs do not say: it is not verified, at its line, naming the key it
resembles (`drift.manifest.misplaced.unread`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.manifest.conftest import MINIMAL, check_offline

PROFILE = (
    "project: acme-prod\nregion: us-central1\nservices:\n  api:\n    settings:\n"
    "      cpu_throttling: false\n      max_instances: 3\n"
)


def _with(service: dict[str, str], template: dict[str, str]) -> str:
    """MINIMAL with these annotations on the service (line 5 on) and on its template."""
    text = MINIMAL
    if service:
        lines = "".join(f"    {k}: '{v}'\n" for k, v in service.items())
        text = text.replace("  name: api\n", f"  name: api\n  annotations:\n{lines}")
    lines = "".join(f"        {k}: '{v}'\n" for k, v in template.items())
    scale = "        autoscaling.knative.dev/maxScale: '3'\n"
    if "autoscaling.knative.dev/maxscale" in template:
        scale = ""  # the misspelt one stands for it
    cpu = (
        ""
        if "run.googleapis.com/cpu-throttle" in template
        else ("        run.googleapis.com/cpu-throttling: 'false'\n")
    )
    return text.replace(
        "    spec:\n", f"    metadata:\n      annotations:\n{scale}{cpu}{lines}    spec:\n", 1
    )


def _report(tmp: Path, text: str) -> tuple[int, Any]:
    done = check_offline(tmp, PROFILE, ("m.yaml", text))
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def _unverified(report: Any) -> dict[str, str]:
    return {u["target"]: u["reason"] for u in report["unverified"]}


def test_the_file_with_the_keys_drift_reads_is_clean(tmp_path: Path) -> None:
    code, report = _report(tmp_path, _with({"example.com/team": "chat"}, {}))
    assert (code, report["findings"], report["unverified"]) == (0, [], []), report


def test_a_misspelt_template_key_is_not_verified_naming_the_key_it_resembles(
    tmp_path: Path,
) -> None:
    code, report = _report(tmp_path, _with({}, {"run.googleapis.com/cpu-throttle": "false"}))
    assert code == 3, report
    # the setting it meant was read as its default (true): not judged, not verified
    assert report["findings"] == [], report
    unverified = _unverified(report)
    reason = unverified["annotation.run.googleapis.com/cpu-throttle"]
    assert reason.startswith("m.yaml:10: run.googleapis.com/cpu-throttle in "), reason
    assert "did you mean run.googleapis.com/cpu-throttling?" in reason, reason
    assert unverified["setting.cpu_throttling"] == reason


def test_a_misspelt_case_names_the_key_too(tmp_path: Path) -> None:
    code, report = _report(tmp_path, _with({}, {"autoscaling.knative.dev/maxscale": "3"}))
    assert code == 3, report
    assert (
        "did you mean autoscaling.knative.dev/maxScale?"
        in (_unverified(report)["setting.max_instances"])
    )


def test_a_new_service_key_is_not_verified_at_its_line(tmp_path: Path) -> None:
    code, report = _report(tmp_path, _with({"run.googleapis.com/brand-new": "on"}, {}))
    assert code == 3, report
    (reason,) = _unverified(report).values()
    assert reason.startswith(
        "m.yaml:6: run.googleapis.com/brand-new in metadata.annotations of this service is "
        "no annotation drift reads;"
    ), reason
    assert "did you mean" not in reason


def test_what_the_server_writes_is_not_said(tmp_path: Path) -> None:
    served = {"run.googleapis.com/operation-id": "x", "serving.knative.dev/creator": "a@b"}
    code, report = _report(tmp_path, _with(served, {}))
    assert (code, report["unverified"]) == (0, []), report
