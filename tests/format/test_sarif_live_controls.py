"""`check --format sarif`: a live value's bidi override, ESC and line breaks are escaped in
the result's message — the text GitHub code scanning shows as the alert's — as the table,
Markdown and annotations escape them; the JSON report keeps them whole (helper-662 F5). The
real CLI on the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world
from tests.fix.test_cpu_below_one import _run

LIVE = {"BIDI": "abc\u202edcba", "ESC": "\x1b[31mred", "CRLF": "a\r\n::notice::h"}
RAW = ("\u202e", "\x1b", "\r", "\n::notice")
SHOWN = ("abc\\u202edcba", "\\x1b\\[31mred", "a\\r\\n::notice::h")
"""As SARIF plain text writes `visible`'s escapes: a lone backslash kept, `[` escaped."""


def test_sarif_messages_escape_what_a_live_value_hides(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    template = {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080, "env": LIVE}
    sandbox = make_sandbox(lab_world(template=template))
    folder = tmp_path / "profiles"
    folder.mkdir()
    wanted = dict.fromkeys(LIVE, "expected")
    profile = {"project": LAB, "region": "us-central1", "services": {"app": {"env": wanted}}}
    (folder / "lab.yaml").write_text(yaml.safe_dump(profile))
    done = _run(sandbox, tmp_path, "check", "lab", "--format", "sarif", "--no-history")
    assert done.returncode == 1, done.stdout + done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    texts = [r["message"]["text"] for r in run["results"]]
    joined = "\n".join(texts)
    assert not [r for r in RAW if r in joined], texts
    for shown in SHOWN:
        assert any(shown in text for text in texts), (shown, texts)
    report = _run(sandbox, tmp_path, "check", "lab", "--format", "json", "--no-history")
    actual = {f["target"]: f["actual"] for f in json.loads(report.stdout)["findings"]}
    assert {t[4:]: v for t, v in actual.items() if t.startswith("env.")} == LIVE
