"""A traffic tag is part of its URL's DNS label (lowercase letters, digits, '-'; compute v1
NetworkEndpointGroupCloudRun.tag: "comply with RFC1035"). `check_tags: [E2E]` was taken: the
revision tagged `e2e` (running a forbidden TESTING=1) went unchecked and the check said
"no drift" (exit 0); `probe.tag` took upper case the same way. Now both are profile errors
at their line, offering the lower-case tag."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox

WORLD = {
    "projects": {
        "p-acme": {
            "number": 5,
            "services": {
                "api": {
                    "template": {"image": "us-docker.pkg.dev/p-acme/r/api:2"},
                    "history": [{"name": "api-00001-abc", "env": {"TESTING": "1"}}],
                    "traffic": [
                        {"latest": True, "percent": 100},
                        {"revision": "api-00001-abc", "percent": 0, "tag": "e2e"},
                    ],
                }
            },
        }
    }
}
HEAD = "project: p-acme\nregion: us-central1\n"
RULE = "    env:\n      TESTING: {forbidden: true}\n"


@pytest.mark.parametrize(
    ("profile", "line"),
    [
        (f"{HEAD}check_tags: [E2E]\nservices:\n  api:\n{RULE}", 3),
        (f"{HEAD}services:\n  api:\n    check_tags: [E2E]\n{RULE}", 5),
        (f"{HEAD}services:\n  api:\n    probe:\n      websocket: /ws\n      tag: E2E\n", 7),
    ],
)
def test_a_tag_in_upper_case_is_a_profile_error_not_a_clean_check(
    make_sandbox: MakeSandbox, tmp_path: Path, profile: str, line: int
) -> None:
    sandbox = make_sandbox(WORLD)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(profile)
    run = drift("check", "prod", "--profiles", "profiles", env=sandbox.environ(), cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"prod.yaml:{line}" in run.stderr, run.stderr
    assert "did you mean 'e2e'" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
