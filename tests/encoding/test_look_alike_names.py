"""Variables whose names look alike are different variables (Cloud Run passes the bytes as
written), but the report showed them the same: `CAFÉ_URL is not set` (NFC) beside `CAFÉ_URL
is set … the profile does not name it` (NFD) with no "did you mean" (casefold only, ratio
0.82), `АPI_KEY is not set; did you mean API_KEY?` (Cyrillic А), `TRAIL  is not set; did you
mean TRAIL?`. Now the look-alike is offered and both names are shown with the characters that
differ escaped, saying so."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import yaml

from tests.cliutil import drift
from tests.conftest import MakeSandbox

NFC, NFD = (unicodedata.normalize(form, "CAFÉ_URL") for form in ("NFC", "NFD"))


def test_look_alike_variable_names_are_told_apart_in_the_report(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    live = {"API_KEY": "x", NFD: "https://a", "TRAIL": "t"}
    template = {"image": "us-docker.pkg.dev/p-acme/r/api:1", "env": live}
    world = {"projects": {"p-acme": {"number": 5, "services": {"api": {"template": template}}}}}
    env = {"\u0410PI_KEY": "x", NFC: "https://a", "TRAIL ": "t"}
    profile = {"project": "p-acme", "region": "us-central1", "services": {"api": {"env": env}}}
    sandbox = make_sandbox(world)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True))
    run = drift(
        "check", "prod", "--format", "json", "--profiles", "profiles",
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip
    findings = json.loads(run.stdout)["findings"]
    missing = {f["target"]: f["message"] for f in findings if f["rule"] == "env.missing"}
    assert len(missing) == 3, findings
    said = "the names differ only in characters that look alike (shown escaped)"
    for message in missing.values():
        assert "did you mean" in message and said in message, message
    assert missing["env.\u0410PI_KEY"].startswith("\\u0410PI_KEY is not set"), missing
    assert "did you mean CAFE\\u0301_URL?" in missing[f"env.{NFC}"], missing
    assert missing["env.TRAIL "].startswith("TRAIL\\x20 is not set"), missing


def test_a_look_alike_is_the_closest_name_and_plain_typos_are_shown_as_they_are() -> None:
    from drift.diff.suggest import closest, told_apart

    assert closest(NFC, [NFD, "CAFE_URI"]) == NFD
    assert told_apart("QUEUE_NAM", "QUEUE_NAME") == ("QUEUE_NAM", "QUEUE_NAME", "")
