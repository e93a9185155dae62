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

from tests.cliutil import REPO, drift, package_source

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
    hooks = YAML(typ="safe", pure=True).load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "drift-profiles-validate")
    assert hook["always_run"] is True and hook["pass_filenames"] is False
    assert "files" not in hook


def test_the_precommit_hook_in_a_monorepo_is_given_its_directory(tmp_path: Path) -> None:
    """revown23 2: pre-commit runs a hook from the repository's root (pre-commit.com,
    "Creating new hooks"); with drift's project in svc/ ([tool.drift] in svc/pyproject.toml,
    searched upward only), the always_run hook failed every commit with "profiles directory
    not found" and the README showed no `args:`. The README's monorepo hook passes; without
    its args the error says how to give them."""
    import shutil

    hooks = YAML(typ="safe", pure=True).load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "drift-profiles-validate")
    root = tmp_path / "mono"
    shutil.copytree(REPO / "profiles", root / "svc" / "profiles")
    (root / "svc" / "pyproject.toml").write_text('[tool.drift]\nprofiles_dir = "profiles"\n')
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("For pre-commit:") : readme.index("### A scheduled check")]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    given = [YAML(typ="safe", pure=True).load(block)[0]["hooks"][0] for block in blocks]
    args = next(h["args"] for h in given if h["id"] == hook["id"] and "args" in h)
    entry = hook["entry"].split()
    assert entry[0] == "drift"
    assert drift(*entry[1:], *args, cwd=root).returncode == 0
    bare = drift(*entry[1:], cwd=root)
    assert bare.returncode == 2
    assert "drift profiles validate DIR (in a pre-commit hook: args: [DIR])" in bare.stderr
