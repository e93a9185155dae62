"""README sections a newcomer follows to the letter: the Cloud Run job's roles reach a complete
run, and the Layout names every module (where a thing lives)."""

from __future__ import annotations

import json
import re
import shutil
from fnmatch import fnmatch
from pathlib import Path

from drift.sandbox.scenario import default_scenario_path
from tests.cliutil import REPO, drift
from tests.conftest import MakeSandbox

README = (REPO / "README.md").read_text()

# Predefined roles holding resourcemanager.projects.getIamPolicy (the project's policy, which
# drift reads for every secret its own policy does not grant): Browser
# (cloud.google.com/iam/docs/roles-permissions/browser), Security Reviewer, Viewer and above.
PROJECT_POLICY_READERS = {
    "roles/browser",
    "roles/iam.securityReviewer",
    "roles/viewer",
    "roles/editor",
    "roles/owner",
}


def _job_roles() -> set[str]:
    section = README.split("## Running on Google Cloud on a schedule", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    return set(re.findall(r"gcloud projects add-iam-policy-binding .*?--role (\S+)", block, re.S))


def _scenario(project_policy_readable: bool) -> str:
    """The shipped story with the runtime account granted the accessor role on the project (a
    common setup), not on the secret: only the project's policy says it may read it."""
    deny = "" if project_policy_readable else "    deny: [GetIamPolicy]\n"
    scenario = default_scenario_path().read_text()
    scenario = scenario.replace(
        "    iam:\n      roles/secretmanager.admin: [user:ops-lead@acme-chat.dev]\n",
        f"{deny}    iam:\n"
        "      roles/secretmanager.admin: [user:ops-lead@acme-chat.dev]\n"
        "      roles/secretmanager.secretAccessor:"
        " [serviceAccount:api@acme-chat-staging.iam.gserviceaccount.com]\n",
        1,
    )
    return scenario.replace(
        "5432/acme_chat\n        iam:\n          roles/secretmanager.secretAccessor:\n"
        "            - serviceAccount:api@acme-chat-staging.iam.gserviceaccount.com\n",
        "5432/acme_chat\n",
        1,
    )


def test_readme_job_roles_read_the_project_policy(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """With the roles the README grants the job, a secret granted on the project is verified:
    the run is complete (no exit 3 every day, SARIF uploaded)."""
    roles = _job_roles()
    assert {"roles/run.viewer", "roles/secretmanager.viewer"} <= roles, roles
    readable = bool(roles & PROJECT_POLICY_READERS)
    path = tmp_path / "scenario.yaml"
    path.write_text(_scenario(project_policy_readable=readable))
    assert path.read_text() != default_scenario_path().read_text()
    sandbox = make_sandbox(path)
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    result = drift("check", "staging", "--format", "json", env=sandbox.environ(), cwd=tmp_path)
    unverified = json.loads(result.stdout)["unverified"]
    assert not unverified, (
        f"with the README job's roles {sorted(roles)}, a project-level grant is not "
        f"verified: {[u['reason'] for u in unverified]}"
    )
    bullet = README.split("- **Roles.** The job's service account", 1)[1].split("\n- **", 1)[0]
    assert "resourcemanager.projects.getIamPolicy" in bullet, "the Roles bullet says why"


def _layout() -> str:
    return README.split("## Layout", 1)[1].split("```", 2)[1]


def _blocks(layout: str) -> dict[str, str]:
    """Each entry of the Layout (`drift/fix/`, `drift/settings.py`, ...) with its text: from
    its line to the next line that starts another entry."""
    blocks: dict[str, str] = {}
    name = ""
    for line in layout.splitlines():
        if line.startswith("drift/"):
            name, _, rest = line.partition(" ")
            blocks[name] = rest
        elif name:
            blocks[name] += "\n" + line
    return blocks


def test_layout_names_every_module() -> None:
    """A module the Layout never names is invisible to whoever looks for where a thing lives:
    a package's module is named in its package's entry (its own word there, or its path
    anywhere), a top-level module by its path or in an entry whose pattern it matches
    (`drift/yaml*.py`). A word elsewhere does not count (a module `limits` in drift/probe/ is
    not named by drift/fields/'s `limits`)."""
    layout = _layout()
    blocks = _blocks(layout)
    missing = []
    for path in sorted((REPO / "drift").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith("drift/sandbox/") or path.stem in ("__init__", "__main__"):
            continue
        if rel in layout:
            continue
        folder = path.parent.relative_to(REPO).as_posix() + "/"
        entries = [
            text
            for name, text in blocks.items()
            if (name.endswith("/") and folder.startswith(name)) or fnmatch(rel, name)
        ]
        words = {w for text in entries for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)}
        if path.stem not in words:
            missing.append(rel)
    assert not missing, f"{len(missing)} modules the Layout never names: {missing}"


def test_layout_names_settings_py() -> None:
    """The one module that reads every option, DRIFT_* variable and [tool.drift] key."""
    assert "drift/settings.py" in _layout()
