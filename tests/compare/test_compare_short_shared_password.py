"""A short password in a variable named like one (`DB_PASSWORD=Tr0ub4d`), the same in both
environments: drift never shows such a value (`credentials.hidden_plain`: a password "however
short"), yet `value.shared` asked only `looks_like_credential`, which wants 8 characters or
more under a credential's name, so staging and prod sharing it were "equivalent", exit 0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.sandbox import Fault
from tests.cliutil import drift
from tests.conftest import MakeSandbox

PASSWORD = "Tr0ub4d"  # fake, 7 characters


def _profiles(tmp_path: Path, env: str) -> None:
    for name, project in (("staging", "acme-staging"), ("prod", "acme-prod")):
        text = f"project: {project}\nregion: us-central1\nservices:\n  api:{env}\n"
        (tmp_path / f"{name}.yaml").write_text(text)


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = drift(
        "compare", "staging", "prod", *args, "--profiles", str(tmp_path), "-f", "json", env=env
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    table = drift("compare", "staging", "prod", *args, "--profiles", str(tmp_path), env=env)
    assert PASSWORD not in table.stdout + table.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    document["exit_code"] = done.returncode
    return document


def test_live_the_same_short_password_in_both_is_shared(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    api = {"api": {"template": {"env": {"DB_PASSWORD": PASSWORD}}}}
    sandbox = make_sandbox(
        {
            "projects": {
                "acme-staging": {"number": 700000000001, "services": api},
                "acme-prod": {"number": 700000000002, "services": api},
            }
        }
    )
    _profiles(tmp_path, " {}")
    document = _run(tmp_path, "--live", env=sandbox.environ())
    found = [(d["kind"], d["target"]) for d in document["differences"]]
    assert found == [("value.shared", "env.DB_PASSWORD")], document
    assert "credential" in document["differences"][0]["message"]
    assert document["exit_code"] == 1


def test_profiles_the_same_short_password_in_both_is_shared(tmp_path: Path) -> None:
    _profiles(tmp_path, f"\n    env:\n      DB_PASSWORD: {{value: {PASSWORD}}}")
    document = _run(tmp_path)
    found = [(d["kind"], d["target"]) for d in document["differences"]]
    assert found == [("value.shared", "env.DB_PASSWORD")], document
    assert document["exit_code"] == 1


def test_a_harmless_word_in_a_password_variable_is_not_shared(tmp_path: Path) -> None:
    """`DB_PASSWORD=true` in both (`_inert`): a switch, no credential."""
    _profiles(tmp_path, "\n    env:\n      DB_PASSWORD: {value: 'true'}")
    assert _run(tmp_path)["exit_code"] == 0


def test_live_a_password_renamed_is_never_shown(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """Staging's older revision held the password as DB_PASSWORD; the one that serves holds
    it as PGPASS, a name that says nothing (helper-588 L2). `compare --live` lists the
    revisions of what it reads, and shows it masked, as `check` does, in every format; that
    prod has no PGPASS is still said."""
    renamed = "Qm7vKp2Zr9"
    first = {"created": "20d", "env": {"DB_PASSWORD": renamed, "PGPASS": None}}
    staging = {"api": {"template": {"env": {"PGPASS": renamed}}, "history": [first]}}
    prod = {"api": {"template": {"env": {"PG_HOST": "db.prod"}}}}
    sandbox = make_sandbox(
        {
            "projects": {
                "acme-staging": {"number": 700000000001, "services": staging},
                "acme-prod": {"number": 700000000002, "services": prod},
            }
        }
    )
    _profiles(tmp_path, " {}")
    for fmt in ("json", "table"):
        done = drift(
            "compare", "staging", "prod", "--live", "--profiles", str(tmp_path), "-f", fmt,
            env=sandbox.environ(),
        )  # fmt: skip
        shown = done.stdout + done.stderr
        assert "Traceback" not in shown and done.returncode in (0, 1), shown
        assert renamed not in shown, shown
        assert "PGPASS" in shown and "db.prod" in shown, shown  # the differences, said


def test_live_says_so_when_the_revisions_cannot_be_listed(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """ListRevisions denied: a renamed password cannot be known, and compare said nothing of
    it (helper-594 F2); a note says so, by environment and workload."""
    api = {"api": {"template": {"env": {"MODE": "x"}}}}
    sandbox = make_sandbox(
        {
            "projects": {
                "acme-staging": {"number": 700000000001, "services": api},
                "acme-prod": {"number": 700000000002, "services": api},
            }
        }
    )
    sandbox.inject(Fault("ListRevisions", "PERMISSION_DENIED"))
    _profiles(tmp_path, " {}")
    document = _run(tmp_path, "--live", env=sandbox.environ())
    said = [n for n in document["notes"] if "older revisions could not be listed" in n]
    assert len(said) == 2 and all("PERMISSION_DENIED" in n for n in said), document["notes"]
    assert said[0].startswith("staging: api: "), said
