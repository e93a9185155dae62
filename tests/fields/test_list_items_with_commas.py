"""A list setting one of whose items holds a comma (helper-662 F4): a custom audience is any
string, "the full URL" (Service.custom_audiences), and a URL may hold a comma. It stays one
item in `check`, in what `fix` writes, and in `plan --format gcloud` (gcloud's `^DELIM^`
list syntax, `gcloud topic escaping`), never two — the real CLI on the sandbox."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fields.test_network_settings import DIRECT, _world
from tests.fix.conftest import LAB
from tests.fix.test_cpu_below_one import _profile, _run

ONE = "https://b.example/?q=1,z"  # its halves sorted read as it: `a,b` text was the same
TWO = ["https://b.example/?q=1", "z"]


def _gcloud_items(word: str) -> list[str]:
    """A list flag's value as gcloud's ArgList reads it: `^D^` switches the delimiter
    (`gcloud topic escaping`: "--list-flag=^:^a,b:c,d # => ['a,b', 'c,d']")."""
    delim = ","
    if word.startswith("^") and word.count("^") >= 2:
        delim, word = word[1:].split("^", 1)
    return word.split(delim)


def _flag(script: str, name: str) -> list[str]:
    body = "\n".join(line for line in script.splitlines() if not line.startswith("#"))
    words = shlex.split(body)
    (value,) = [w.split("=", 1)[1] for w in words if w.startswith(f"--{name}=")]
    return _gcloud_items(value)


def _setting_findings(sandbox: Sandbox, tmp_path: Path, name: str) -> list[dict[str, Any]]:
    done = _run(sandbox, tmp_path, "check", "lab", "--format", "json", "--no-history")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    found = json.loads(done.stdout)["findings"]
    return [f for f in found if f["target"] == f"setting.{name}" and not f.get("tag")]


@pytest.mark.parametrize(("live", "stated"), [(TWO, [ONE]), ([ONE], TWO)])
def test_an_audience_holding_a_comma_is_not_two_audiences(
    make_sandbox: MakeSandbox, tmp_path: Path, live: list[str], stated: list[str]
) -> None:
    world = _world(None)
    world["projects"][LAB]["services"]["app"]["customAudiences"] = live
    sandbox = make_sandbox(world)
    _profile(tmp_path, f"      custom_audiences: {json.dumps(stated)}\n")
    (finding,) = _setting_findings(sandbox, tmp_path, "custom_audiences")
    assert finding["actual"] != finding["expected"], finding
    script = _run(sandbox, tmp_path, "plan", "lab", "--format", "gcloud")
    assert sorted(_flag(script.stdout, "set-custom-audiences")) == sorted(stated), script.stdout
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(sandbox.service(LAB, "app").custom_audiences) == sorted(stated)
    assert _setting_findings(sandbox, tmp_path, "custom_audiences") == []


def test_an_audience_holding_a_comma_reads_back_from_init(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`init --from-live` writes the audience as the profile reads it back: one audience."""
    world = _world(None)
    world["projects"][LAB]["services"]["app"]["customAudiences"] = [ONE, "https://c.example"]
    sandbox = make_sandbox(world)
    _profile(tmp_path, "      custom_audiences: none\n")
    made = _run(
        sandbox,
        tmp_path,
        "init",
        "lab",
        "--from-live",
        "--project",
        LAB,
        "--region",
        "us-central1",
        "--service",
        "app",
        "--force",
    )
    assert made.returncode in (0, 3), made.stdout + made.stderr
    assert "custom_audiences" in (tmp_path / "profiles" / "lab.yaml").read_text()
    assert _setting_findings(sandbox, tmp_path, "custom_audiences") == []


def test_a_network_tag_holding_a_comma_stays_one_tag_in_the_gcloud_plan(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """No tag holds a comma (RFC 1035 names): one that does is Cloud Run's to refuse, not
    two tags to write, and never the same as the two it would split into."""
    sandbox = make_sandbox(_world({"networkInterfaces": [{**DIRECT, "tags": ["t1", "t2"]}]}))
    _profile(tmp_path, '      vpc_network_tags: ["t1,t2"]\n')
    (finding,) = _setting_findings(sandbox, tmp_path, "vpc_network_tags")
    assert finding["actual"] == "t1,t2" and finding["expected"] != "t1,t2", finding
    script = _run(sandbox, tmp_path, "plan", "lab", "--format", "gcloud")
    assert _flag(script.stdout, "network-tags") == ["t1,t2"], script.stdout
