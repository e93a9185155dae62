"""A finding's `tag` is masked on the data with its message (helper-573 F1): a tag named by a
secret value drift read, one word of letters and `-` (which the scrub after rendering passes
over), was printed whole in `check --format json` and `sarif` while the table said `tag ***`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift

WORD = "correct-horse-battery-staple"
ACCOUNT = "api@p1.iam.gserviceaccount.com"
PROFILE = """project: p1
region: us-central1
services:
  api:
    env:
      PASSPHRASE: {secret: pass-phrase, min_length: 40}
"""


def _world() -> dict[str, Any]:
    secret = {
        "versions": [WORD],
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
    }
    service = {
        "template": {
            "service_account": ACCOUNT,
            "env": {"PASSPHRASE": {"secret": "pass-phrase"}},
        },
        "history": [{"env": {"PASSPHRASE": {"secret": "pass-phrase"}, "X": "1"}}],
        "traffic": [{"latest": True, "percent": 100}, {"revision": 1, "tag": WORD}],
    }
    return {"options": {"seed": 7}, "projects": {"p1": {
        "number": 123456789012, "region": "us-central1",
        "secrets": {"pass-phrase": secret}, "services": {"api": service},
    }}}  # fmt: skip


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "markdown", "table"])
def test_a_tag_named_by_a_secret_is_never_shown(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(PROFILE)
    with Sandbox(_world()) as sb:
        done = drift("check", "prod", "-f", fmt, "--no-history", env=sb.environ(), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "***" in done.stdout and WORD not in done.stdout + done.stderr, done.stdout


def test_a_masked_tag_left_out_by_check_tags_is_unchecked_not_resolved(tmp_path: Path) -> None:
    """The report's tag is `***`: a later run whose check_tags leaves tags out cannot tell
    which; the finding is unchecked (4e50b4ce called it resolved: helper-580 F3)."""
    import json

    world = _world()
    service = world["projects"]["p1"]["services"]["api"]
    service["history"][0]["env"]["MODE"] = "bad"
    service["template"]["env"]["MODE"] = "good"
    profile = PROFILE + "      MODE: good\n"
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(profile)
    with Sandbox(world) as sb:
        one = drift("check", "prod", "-f", "json", "--no-history", env=sb.environ(), cwd=tmp_path)
        (tmp_path / "base.json").write_text(one.stdout)
        tagged = [f for f in json.loads(one.stdout)["findings"] if f.get("tag")]
        assert tagged and all(f["tag"] == "***" for f in tagged), one.stdout
        (tmp_path / "profiles" / "prod.yaml").write_text("check_tags: none\n" + profile)
        base = str(tmp_path / "base.json")
        two = drift(
            "check", "prod", "-f", "json", "--no-history", "--baseline", base,
            env=sb.environ(), cwd=tmp_path,
        )  # fmt: skip
    report = json.loads(two.stdout)
    assert not [f for f in report.get("resolved", []) if f.get("tag")], report.get("resolved")
    unchecked = [u for u in report.get("unchecked", []) if u["finding"].get("tag")]
    assert unchecked and "its tag (masked: it names a secret)" in unchecked[0]["reason"], report


@pytest.mark.parametrize("fmt", ["table", "json", "gcloud"])
def test_plan_never_shows_a_tag_named_by_a_secret(tmp_path: Path, fmt: str) -> None:
    """The manual step of a tag-only revision's drift: its target, its words and its
    `--update-tags`/`--remove-tags` commands (a blank `<TAG>` there); 4e50b4ce masked the tag
    in `check` only (helper-582 F2)."""
    world = _world()
    service = world["projects"]["p1"]["services"]["api"]
    service["history"][0]["env"]["MODE"] = "bad"
    service["template"]["env"]["MODE"] = "good"
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(PROFILE + "      MODE: good\n")
    with Sandbox(world) as sb:
        done = drift("plan", "prod", "-f", fmt, env=sb.environ(), cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert WORD not in done.stdout + done.stderr, done.stdout
    assert "--remove-tags=<TAG>" in done.stdout or "--remove-tags <TAG>" in done.stdout, done.stdout


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_plan_never_shows_a_secret_in_a_settings_before(tmp_path: Path, fmt: str) -> None:
    """The live image's tag is a secret's payload of letters and `-` only: the setting's
    before is masked on the data (the scrub after rendering passes over such a word:
    helper-583 F2)."""
    world = _world()
    service = world["projects"]["p1"]["services"]["api"]
    service["template"]["image"] = f"us-docker.pkg.dev/p1/r/api:{WORD}"
    del service["history"], service["traffic"]
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(
        PROFILE.replace(
            "    env:\n", '    settings: {image: "us-docker.pkg.dev/p1/r/api:v2"}\n    env:\n'
        )
    )
    with Sandbox(world) as sb:
        done = drift("plan", "prod", "-f", fmt, env=sb.environ(), cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert "api:v2" in done.stdout and WORD not in done.stdout + done.stderr, done.stdout


def test_a_short_payload_never_masks_an_ordinary_setting(tmp_path: Path) -> None:
    """A payload too short to be searched for (`80`) equal to a setting's value: shown, as
    the gcloud and yaml plans show it (e365a241 wrote `*** -> 1`, which told the payload and
    changed a saved plan's digest when the secret rotated: helper-584 F2)."""
    world = _world()
    world["projects"]["p1"]["secrets"]["pass-phrase"]["versions"] = ["80"]
    service = world["projects"]["p1"]["services"]["api"]
    del service["history"], service["traffic"]
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(
        PROFILE.replace("min_length: 40", "min_length: 1").replace(
            "    env:\n", "    settings: {concurrency: 1}\n    env:\n"
        )
    )
    with Sandbox(world) as sb:
        done = drift("plan", "prod", "-f", "json", env=sb.environ(), cwd=tmp_path)
    import json

    settings = [s for sp in json.loads(done.stdout)["services"] for s in sp["settings"]]
    assert [(s["name"], s["before"], s["after"]) for s in settings] == [("concurrency", "80", "1")]
