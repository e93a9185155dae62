"""`since`: where each drift began, found from the service's revision history (one
ListRevisions per service with configuration drift, none for clean services): the oldest
revision of the unbroken run, who created it and with which client, and the revision before."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.check import CheckResult, run_check
from drift.findings import Finding
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings

CI = "ci-deployer@acme.iam.gserviceaccount.com"


def scenario() -> dict[str, Any]:
    template = {"image": "img:5", "env": {"KEEP": "k", "TESTING": "1"}}
    history = [
        {"env": {"REMOVED": "x", "TESTING": None}, "created": "90d",
         "creator": "alice@acme.example", "client": "gcloud", "client_version": "460.0.0"},
        {"env": {"REMOVED": "x"}, "created": "60d", "creator": CI, "client": "gcloud",
         "client_version": "465.0.0"},
        {"env": {"REMOVED": "x", "TESTING": None}, "created": "30d", "creator": CI,
         "client": "cloud-console"},
        {"created": "10d", "creator": CI, "client": "gcloud", "client_version": "467.0.0"},
    ]  # fmt: skip
    split = [{"latest": True, "percent": 50}, {"revision": 4, "percent": 50}]
    return acme_world(
        {
            "api": {"template": template, "history": history},
            "split": {"template": template, "history": history, "traffic": split},
            "clean": {"template": {"image": "img:1", "env": {"A": "1"}}},
        }
    )


def acme_profile(api: str) -> str:
    """A profile of project acme (us-central1) whose one service, `api`, has the rules `api`
    (YAML, indented as it likes)."""
    head = "project: acme\nregion: us-central1\nservices:\n  api:\n"
    return head + textwrap.indent(textwrap.dedent(api).strip("\n") + "\n", "    ")


def acme_world(services: dict[str, Any], **project: Any) -> dict[str, Any]:
    """One project, acme (number 111, us-central1), with `services` and `project`'s keys."""
    region = {"number": 111, "region": "us-central1", "services": services, **project}
    return {"options": {"seed": 3}, "projects": {"acme": region}}


API_KEEP = (
    "project: acme\nregion: us-central1\nservices:\n  api:\n    env:\n      KEEP: k\n"
    "      REMOVED: x\n"
)
"""A profile of acme's api wanting KEEP and REMOVED; more of api's env may follow (indent 6)."""
PROFILE = (
    "\n"
    + API_KEEP
    + """\
      TESTING: {forbidden: true}
      NEVER: {required: true}
  split:
    env:
      TESTING: {forbidden: true}
  clean:
    env:
      A: "1"
"""
)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(textwrap.dedent(PROFILE))
    with Sandbox(scenario()) as sandbox:
        for key, value in sandbox.environ().items():
            monkeypatch.setenv(key, value)
        yield sandbox


def check(*, history: bool = True) -> CheckResult:
    profile = load_profile(Path("profiles"), "prod")
    return asyncio.run(run_check(profile, load_settings(wait=0, history=history)))


def by_target(result: CheckResult, service: str) -> dict[str, Finding]:
    return {f.target: f for f in result.report.findings if f.service == service}


def test_a_variable_removed_revisions_ago(world: Sandbox) -> None:
    api = by_target(check(), "api")
    since = api["env.REMOVED"].since
    # REMOVED was there in 00001-00003; the CI deploy 10 days ago (00004) dropped it, and the
    # revision checked (00005) still lacks it
    assert since is not None and since.revision.startswith("api-00004-")
    assert since.last_good is not None and since.last_good.startswith("api-00003-")
    assert (since.creator, since.client) == (CI, "gcloud 467.0.0")
    assert since.create_time is not None and api["env.REMOVED"].revision != since.revision


def test_a_variable_that_never_existed_has_no_last_good(world: Sandbox) -> None:
    since = by_target(check(), "api")["env.NEVER"].since
    assert since is not None and since.revision.startswith("api-00001-")
    assert since.last_good is None
    assert (since.creator, since.client) == ("alice@acme.example", "gcloud 460.0.0")


def test_drift_introduced_fixed_and_reintroduced_counts_the_latest_run(world: Sandbox) -> None:
    since = by_target(check(), "api")["env.TESTING"].since
    # TESTING came in 00002, went in 00003 (console), came back in 00004 by CI with gcloud
    assert since is not None and since.revision.startswith("api-00004-")
    assert since.last_good is not None and since.last_good.startswith("api-00003-")
    assert (since.creator, since.client) == (CI, "gcloud 467.0.0")


def test_a_split_service_traces_the_revision_the_finding_names(world: Sandbox) -> None:
    finding = by_target(check(), "split")["env.TESTING"]
    assert finding.since is not None and finding.since.revision.startswith("split-00004-")


def test_one_list_revisions_per_drifted_service_and_none_for_clean_ones(world: Sandbox) -> None:
    world.clear_calls()
    check()
    listed = [c.request.parent for c in world.calls if c.short == "ListRevisions"]
    assert sorted(p.rsplit("/", 1)[-1] for p in listed) == ["api", "split"]
    world.clear_calls()
    result = check(history=False)
    assert not [c for c in world.calls if c.short == "ListRevisions"]
    assert all(f.since is None for f in result.report.findings)


def test_drift_a_write_by_drift_introduced_names_drift(world: Sandbox) -> None:
    world.deploy("acme", "clean", env={"A": "2"}, client=("drift", "0.9.0"))
    since = by_target(check(), "clean")["env.A"].since
    assert since is not None and since.client == "drift 0.9.0"


def test_a_teammates_update_after_drifts_write_is_not_credited_to_drift(world: Sandbox) -> None:
    """drift wrote last; then `gcloud run services update --update-env-vars` (the sandbox's
    set_env) introduced the drift: `since` names gcloud, the client of that write."""
    world.deploy("acme", "clean", env={"A": "1"}, client=("drift", "0.9.0"))
    world.set_env("acme", "clean", "A", "2")
    since = by_target(check(), "clean")["env.A"].since
    assert since is not None and since.client == "gcloud 467.0.0", since


def test_every_format_says_where_it_began(world: Sandbox) -> None:
    import json

    from drift.format import OutputFormat, formatter_for

    report = check().report
    document = json.loads(formatter_for(OutputFormat.JSON).render(report))
    testing = next(f for f in document["findings"] if f["target"] == "env.TESTING")
    assert testing["since"]["client"] == "gcloud 467.0.0" and testing["since"]["creator"] == CI
    assert testing["since"]["revision"].startswith("api-00004-")
    for fmt in (OutputFormat.TABLE, OutputFormat.MARKDOWN, OutputFormat.GITHUB, OutputFormat.SARIF):
        text = formatter_for(fmt).render(report)
        # Markdown cuts an address's `@` apart: no mail link, no @mention (md_text)
        who = CI.replace("@", "<span>@</span>") if fmt is OutputFormat.MARKDOWN else CI
        assert f"by {who} via gcloud 467.0.0" in text, fmt
        assert "last good api-00003-" in text, fmt
    table = formatter_for(OutputFormat.TABLE).render(report)
    line = next(li for li in table.splitlines() if "since api-00004-" in li)
    assert line.strip().startswith("since ") and line.rstrip()[-3:].isalpha()  # words, no label


def test_a_history_that_cannot_be_read_is_said(world: Sandbox) -> None:
    """ListRevisions denied for api: its findings have no `since`, and every format says why,
    so that it is not read as "no revision began it" (revgh 6); split's still trace."""
    from drift.format import OutputFormat, formatter_for
    from drift.sandbox import Fault

    world.inject(Fault(method="ListRevisions", code="PERMISSION_DENIED", match="/services/api"))
    report = check().report
    assert all(f.since is None for f in report.findings if f.service == "api")
    assert all(f.since is not None for f in report.findings if f.service == "split")
    (note,) = report.notes
    assert note.startswith("api: revision history not read (ListRevisions ")
    assert note.endswith(": PERMISSION_DENIED): its findings have no since")
    assert not report.unverified  # the configuration was read: not incomplete
    for fmt in (OutputFormat.JSON, OutputFormat.MARKDOWN, OutputFormat.GITHUB, OutputFormat.TABLE):
        assert "revision history not read" in formatter_for(fmt).render(report), fmt


def test_a_drift_on_both_sides_of_a_split_began_where_it_began_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TESTING is on 00002 (since 00002, last good 00001) and on 00005 (since 00004, last good
    00003), 50 % each: one finding, since 00002 whichever way the traffic is listed (revhist62
    F1), in JSON and in the table alike, and still one ListRevisions."""
    import json

    from drift.format import OutputFormat, formatter_for

    split = [{"revision": 2, "percent": 50}, {"latest": True, "percent": 50}]
    world = scenario()
    world["projects"]["acme"]["services"] = {
        "split": {**world["projects"]["acme"]["services"]["split"], "traffic": split}
    }
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(textwrap.dedent(PROFILE))
    with Sandbox(world) as sandbox:
        for key, value in sandbox.environ().items():
            monkeypatch.setenv(key, value)
        first = by_target(check(), "split")["env.TESTING"]
        assert first.revision is not None and first.also_on, first
        (other,) = first.also_on
        sandbox.update_traffic("acme", "split", {other: 50, first.revision: 50})
        sandbox.clear_calls()
        result = check()
        listed = [c for c in sandbox.calls if c.short == "ListRevisions"]
    again = by_target(result, "split")["env.TESTING"]
    assert (again.revision, again.also_on) == (other, (first.revision,))  # the order changed
    assert len(listed) == 1
    assert again.since == first.since and first.since is not None
    assert first.since.revision.startswith("split-00002-"), first.since
    assert first.since.last_good and first.since.last_good.startswith("split-00001-")
    document = json.loads(formatter_for(OutputFormat.JSON).render(result.report))
    (found,) = [f for f in document["findings"] if f["target"] == "env.TESTING"]
    assert found["since"]["revision"] == first.since.revision
    table = formatter_for(OutputFormat.TABLE).render(result.report)
    assert f"since {first.since.revision}, " in table and "split-00004-" not in table
