"""A manifest's file name holding a line break is shown `x\\n` in every format: SARIF wrote
`visible`'s escape with its backslash doubled (`x\\\\n`, SARIF plain text's escape of a
backslash, §3.11.6), although a lone backslash before `n` escapes nothing to any reader
(`drift.textsafe.sarif_plain`). Its `::error::` and `%0A` stay text on no line of their own."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cliutil import drift
from tests.format.sarif_reader import shown

NAME = "x\n::error::FORGED%0Ay.json"
V1 = "google_cloud_run_service"
PLAN = {
    "format_version": "1.2",
    "resource_changes": [
        {
            "address": f'{V1}.svc["k"]',
            "mode": "managed",
            "type": V1,
            "name": "svc",
            "change": {
                "actions": ["create"],
                "before": None,
                "after": {"name": "api", "location": "us-central1"},
            },
        }
    ],
}
"""A plan deploying api as a Cloud Run v1 resource: not verified, the reason naming the file."""


def test_a_file_name_with_a_line_break_is_escaped_once_in_sarif(tmp_path: Path) -> None:
    manifest = tmp_path / NAME
    manifest.write_text(json.dumps(PLAN))
    said = f"{tmp_path}/x\\n::error::FORGED%0Ay.json: "
    table = drift("check", "staging", "--manifest", str(manifest), "--offline")
    assert table.returncode == 3, table.stderr
    assert said in table.stdout
    done = drift("check", "staging", "--manifest", str(manifest), "--offline", "-f", "sarif")
    assert done.returncode == 3, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    text = note["message"]["text"]
    assert f"could not be verified: {said}" in text  # as written: one backslash
    assert f"could not be verified: {said}" in shown(text)  # and as a SARIF reader shows it
    assert "\\\\" not in text
    lines = (done.stdout + done.stderr).splitlines()
    assert [line for line in lines if line.lstrip().startswith(("::", "##["))] == []
    assert "FORGED%0Ay.json" in text  # never decoded into a line break
