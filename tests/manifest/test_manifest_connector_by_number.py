"""A manifest naming the service's own connector by the project's number (an export writes
`metadata.namespace: PROJECT_NUMBER`; VpcAccess.connector "where {project} can be project id or
number") is the profile's short name once the check knows the number (GetProject on the
namespace), and not verified — never drift, never clean — when it cannot (`--offline`)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world
from tests.manifest.conftest import findings_of
from tests.manifest.test_knative import OWN_CONNECTOR, _export

NUMBER = "555000111222"  # the number lab_world gives fix-lab
BY_NUMBER = f"projects/{NUMBER}/locations/us-central1/connectors/shared"
PROFILE = f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n"


def test_an_exports_connector_by_number_is_the_profiles_short_name(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    template = {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080}
    sandbox = make_sandbox(lab_world(template=template))
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(PROFILE + "      vpc_connector: shared\n")
    (tmp_path / "app.yaml").write_text(_export(NUMBER).replace(OWN_CONNECTOR, BY_NUMBER))
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}
    done = drift("check", "lab", "-m", "app.yaml", "-f", "json", env=env, cwd=tmp_path)
    assert (findings_of(done), done.returncode) == (set(), 0), done.stdout + done.stderr
    offline = drift(
        "check", "lab", "-m", "app.yaml", "-f", "json", "--offline", env=env, cwd=tmp_path
    )
    assert findings_of(offline) == set() and offline.returncode == 3, offline.stdout
    unread = {u["target"]: u["reason"] for u in json.loads(offline.stdout)["unverified"]}
    assert "could not be matched" in unread["setting.vpc_connector"], unread
