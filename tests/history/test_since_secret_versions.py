"""`since` for a drift judged on a secret's value reached by `latest` or an alias: each older
revision is judged by the value that reference names today, so where that version was added
after the revision that begins the run was made, the drift may have begun with the version (a
new version makes no revision: `gcloud secrets versions add`), and `since` says so. A
reference by number names one value for good: nothing to say."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.findings import Since
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.test_since import acme_profile, acme_world

ACCOUNT = "api@acme.iam.gserviceaccount.com"
GOOD, BAD = "k" * 40, "too-short"
HISTORY = [
    {"env": {"MODE": "a"}, "created": "30d", "creator": "alice@acme.example"},
    {"env": {"MODE": "b"}, "created": "20d", "creator": "bob@acme.example"},
]
PROFILE = acme_profile("env:\n  JWT: {secret: jwt, version: VERSION, min_length: 32}")


def world(version: str, added: str) -> dict[str, Any]:
    """`api`'s revisions all name `jwt` at `version`; its second version (BAD) was added
    `added` ago; `current` is an alias of it."""
    template = {"service_account": ACCOUNT, "env": {"JWT": {"secret": "jwt", "version": version}}}
    grant = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
    versions = [{"value": GOOD, "created": "60d"}, {"value": BAD, "created": added}]
    secret = {"versions": versions, "aliases": {"current": 2}, "iam": grant}
    api = {"template": template, "history": HISTORY}
    return acme_world({"api": api}, secrets={"jwt": secret})


@pytest.fixture
def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()

    def run(version: str, added: str) -> Since | None:
        text = PROFILE.replace("VERSION", version)
        (tmp_path / "profiles" / "prod.yaml").write_text(text)
        with Sandbox(world(version, added)) as sandbox:
            for key, value in sandbox.environ().items():
                monkeypatch.setenv(key, value)
            profile = load_profile(Path("profiles"), "prod")
            result = asyncio.run(run_check(profile, load_settings(wait=0, history=True)))
        (finding,) = [f for f in result.report.findings if f.target == "env.JWT"]
        assert finding.rule == "env.constraint"
        return finding.since

    yield run


@pytest.mark.parametrize("version", ["latest", "current"])
def test_a_version_added_after_the_run_began_is_named_as_where_it_may_have_begun(
    check: Any, version: str
) -> None:
    since = check(version, "1d")
    assert since is not None and since.revision.startswith("api-00001-"), since
    assert since.last_good is None
    assert f"JWT is judged by the version {version} of secret jwt names today (2, added " in (
        since.note
    ), since.note
    assert "after api-00001-" in since.note and "may have begun when that version was added" in (
        since.note
    )
    assert BAD not in since.note and GOOD not in since.note


def test_a_version_older_than_the_run_says_nothing_of_it(check: Any) -> None:
    since = check("latest", "45d")
    assert since is not None and since.revision.startswith("api-00001-"), since
    assert "judged by the version" not in since.note, since.note


def test_a_version_named_by_number_says_nothing_of_it(check: Any) -> None:
    since = check("2", "1d")
    assert since is not None and since.revision.startswith("api-00001-"), since
    assert "judged by the version" not in since.note, since.note
