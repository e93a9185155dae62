"""Installing drift as a developer does (`pip install -e`) prints no warning of the
project's own: no setuptools deprecation (the licence is an SPDX string), no "Editable
installation" notice (the flat layout is declared, so the install is a plain path entry); the
pre-commit hook the repository ships."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

from tests.cliutil import REPO, package_source

# what the machine's pip configuration says about its own package indexes, not about drift
PIP_CONFIG = re.compile(r"^WARNING: Location '[^']*' is ignored")


def test_editable_install_prints_no_warning(tmp_path: Path) -> None:
    source = package_source(tmp_path / "src")
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    done = subprocess.run(
        [
            sys.executable, "-m", "pip", "--python", str(env / "bin" / "python"), "install",
            "--no-deps", "--disable-pip-version-check", "-e", str(source),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    said = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    own = [
        line
        for line in said
        if re.search(r"warn|deprecat|!!", line, re.I) and not PIP_CONFIG.match(line)
    ]
    assert own == [], "\n".join(said)
    assert (env / "bin" / "drift").exists()  # the console script, as `make install` gives


def test_the_precommit_hook_runs_wherever_the_profiles_are() -> None:
    """`files: ^profiles/...` never matched a project whose profiles are in deploy/profiles
    (the README's own `[tool.drift] profiles_dir` example): pre-commit skipped the lint on
    every commit without a word. The hook runs on every commit, on the whole directory."""
    hooks = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "drift-profiles-validate")
    assert hook["always_run"] is True and hook["pass_filenames"] is False
    assert "files" not in hook
