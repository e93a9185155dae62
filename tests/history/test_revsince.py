"""`since` and `drift history` on revision histories as teams have them (revsince, session
2026-11-30b): the ListRevisions calls a check makes, revisions deleted in the middle of a
history, a `last_good` that had the same target wrong in another way, and drift's own canary
and cleanup revisions when Cloud Run records no client on them."""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.findings import Finding, Since
from drift.format.summary import since_text
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import ClientsFor, MakeSandbox

CI = "ci@acme.iam.gserviceaccount.com"
ALICE = "alice@acme.example"
BOB = "bob@acme.example"
BAD, GOOD = {"MODE": "bad"}, {"MODE": "good"}


def older(envs: list[dict[str, Any]], creators: dict[int, str]) -> list[dict[str, Any]]:
    """Older revisions 1..len(envs), oldest first, each deployed by CI with gcloud but where
    `creators` names someone else (by revision number)."""
    return [
        {
            "env": env,
            "creator": creators.get(n, CI),
            "client": "gcloud",
            "client_version": f"4{n:02d}.0.0",
            "created": f"{(len(envs) + 1 - n) * 2}d",
        }
        for n, env in enumerate(envs, 1)
    ]


def acme(services: dict[str, Any]) -> dict[str, Any]:
    region = {"number": 111, "region": "us-central1", "services": services}
    return {"options": {"seed": 3}, "projects": {"acme": region}}


def scenario() -> dict[str, Any]:
    return acme(
        {
            # MODE went bad in 00006 (alice)
            "gap": {
                "template": {"env": BAD},
                "history": older([GOOD] * 5 + [BAD] * 6, {6: ALICE, 9: BOB}),
            },
            # FLAG removed in 00003 (alice: the variable missing for four deploys), set again
            # with a wrong value in 00007 (bob)
            "flag": {
                "template": {"env": {"FLAG": "off"}},
                "history": older(
                    [{"FLAG": "on"}] * 2 + [{"FLAG": None}] * 4 + [{}], {3: ALICE, 7: BOB}
                ),
            },
            # names given by the writer (Terraform `template.revision`): no number in them
            "named": {
                "template": {"env": BAD},
                "history": [
                    {**r, "name": f"named-{name}"}
                    for r, name in zip(
                        older([GOOD, GOOD, BAD], {3: ALICE}), ("v1", "v2", "v9"), strict=True
                    )
                ],
            },
        }
    )


PROFILE = """
project: acme
region: us-central1
services:
  gap: {env: {MODE: good}}
  flag: {env: {FLAG: "on"}}
  named: {env: {MODE: good}}
"""


def write_profile(folder: Path, text: str = PROFILE) -> None:
    (folder / "profiles").mkdir()
    (folder / "profiles" / "prod.yaml").write_text(textwrap.dedent(text))


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    monkeypatch.chdir(tmp_path)
    write_profile(tmp_path)
    with Sandbox(scenario()) as sandbox:
        for key, value in sandbox.environ().items():
            monkeypatch.setenv(key, value)
        yield sandbox


def acme_lab(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    services: dict[str, Any],
    text: str,
) -> Sandbox:
    """acme with `services` in a sandbox of its own, the environment pointed at it, run from
    `tmp_path`, where profile prod (`text`) is written."""
    sandbox = make_sandbox(acme(services))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    write_profile(tmp_path, text)
    return sandbox


def check() -> list[Finding]:
    profile = load_profile(Path("profiles"), "prod")
    return list(asyncio.run(run_check(profile, load_settings(wait=0))).report.findings)


def since_of(findings: list[Finding], service: str, target: str) -> Since:
    found = next(f for f in findings if f.service == service and f.target == target)
    assert found.since is not None, found
    return found.since


# -- one ListRevisions per service ----------------------------------------------------------


def long_history(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Sandbox:
    """A service of 250 revisions: MODE good in 1..200, bad since 00201 (alice)."""
    envs: list[dict[str, Any]] = [GOOD] * 200 + [BAD] * 49
    history = older(envs, {201: ALICE})
    sandbox = acme_lab(
        make_sandbox,
        monkeypatch,
        tmp_path,
        {"gap": {"template": {"env": BAD}, "history": history}},
        PROFILE.split("  flag")[0],
    )
    return sandbox


def test_a_history_of_250_revisions_is_one_list_revisions(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """SPEC: one `ListRevisions` per service with findings. drift asks for pages of 1,000
    (a service keeps up to 1,000 revisions): 250 revisions are one RPC, not three."""
    sandbox = long_history(make_sandbox, monkeypatch, tmp_path)
    sandbox.clear_calls()
    since = since_of(check(), "gap", "env.MODE")
    assert since.revision.startswith("gap-00201-") and since.creator == ALICE
    assert since.last_good is not None and since.last_good.startswith("gap-00200-")
    listed = [c for c in sandbox.calls if c.short == "ListRevisions"]
    assert [c.request.page_size for c in listed] == [1000]


def test_a_listing_larger_than_grpcs_default_message_limit_is_one_list_revisions(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """250 revisions each holding a 20,000-character value: one page of over 4 MiB, gRPC's
    default receive limit, which the Google clients' channels lift (no limit: `create_channel`
    of each generated transport). The channel drift makes for an emulator did not: the answer
    was refused as RESOURCE_EXHAUSTED, retried for 44 s, and `since` was lost."""
    long = {"LONG": "v" * 20_000}
    envs: list[dict[str, Any]] = [GOOD | long] * 200 + [BAD | long] * 49
    history = older(envs, {201: ALICE})
    template = {"env": BAD | long}
    sandbox = acme_lab(
        make_sandbox,
        monkeypatch,
        tmp_path,
        {"gap": {"template": template, "history": history}},
        PROFILE.split("  flag")[0],
    )
    sandbox.clear_calls()
    since = since_of(check(), "gap", "env.MODE")
    assert since.revision.startswith("gap-00201-") and since.creator == ALICE
    assert [c.short for c in sandbox.calls].count("ListRevisions") == 1


def test_a_server_that_coerces_the_page_size_is_read_to_the_end(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A server whose maximum page is smaller coerces the page size down (AIP-158): drift
    follows `next_page_token` to the last page, and `since` is the same."""
    from drift.sandbox import rpc

    monkeypatch.setattr(rpc, "MAX_PAGE_SIZE", 100)
    sandbox = long_history(make_sandbox, monkeypatch, tmp_path)
    sandbox.clear_calls()
    since = since_of(check(), "gap", "env.MODE")
    assert since.revision.startswith("gap-00201-")
    assert since.last_good is not None and since.last_good.startswith("gap-00200-")
    listed = [c for c in sandbox.calls if c.short == "ListRevisions"]
    assert len(listed) == 3 and all(c.request.page_size == 1000 for c in listed)


# -- plan and fix read no history they never show -------------------------------------------


def revisions_listed(sandbox: Sandbox) -> list[str]:
    return [
        c.request.parent.rsplit("/", 1)[-1] for c in sandbox.calls if c.short == "ListRevisions"
    ]


def test_plan_lists_each_drifted_services_history_once_in_any_format(world: Sandbox) -> None:
    """No plan output shows `since`, but a plan shows live values: `drift plan` reads the
    history of each drifted service as `check` does (one paged ListRevisions, never two), so
    that a value pasted over an older revision's secret reference is masked in the plan too
    (tests/check/test_masks_pasted_over_older_reference.py)."""
    from tests.cliutil import drift

    for fmt in ("table", "json", "gcloud", "yaml"):
        world.clear_calls()
        done = drift("plan", "prod", "--format", fmt, env=world.environ(), cwd=Path.cwd())
        assert done.returncode == 1, (fmt, done.stderr)
        assert "last good" not in done.stdout, fmt
        listed = revisions_listed(world)
        assert listed and len(listed) == len(set(listed)), (fmt, listed)


def test_fix_lists_each_drifted_services_revisions_once(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`drift fix`'s first read is a plan's: one ListRevisions per drifted service. Its
    re-check is a report with `since` (listed then, for what still drifts: here nothing). A
    fix with nothing to patch shows the check's report with any format but the table: its
    `since` comes from the plan's read, never a second listing."""
    from drift.fix.apply import FixOptions
    from tests.cliutil import drift
    from tests.fix.conftest import ScriptedUI, lab_fix, lab_world

    sandbox = make_sandbox(lab_world())
    ui = ScriptedUI([True, True])  # the plan yes, the promotion yes: fixed, re-checked clean
    assert lab_fix(tmp_path, sandbox, ui, FixOptions(verify=False), monkeypatch).exit_code == 0
    assert revisions_listed(sandbox) == ["app"]

    manual = acme({"gap": {"template": {"env": BAD}, "history": older([GOOD, BAD], {2: ALICE})}})
    other = make_sandbox(manual)  # a pattern no patch can satisfy: nothing to patch
    folder = tmp_path / "manual"
    folder.mkdir()
    write_profile(folder, "project: acme\nregion: us-central1\nservices:\n  gap:\n"
                  "    env: {MODE: {pattern: '^good$'}}\n")  # fmt: skip
    for fmt in ("table", "json"):
        other.clear_calls()
        args = ("fix", "prod", "--yes", "--no-verify", "--format", fmt)
        done = drift(*args, env=other.environ(), cwd=folder)
        assert done.returncode == 1, (fmt, done.stderr)
        assert revisions_listed(other) == ["gap"], fmt
    (finding,) = json.loads(done.stdout)["findings"]
    assert finding["since"]["creator"] == ALICE


# -- revisions deleted in the middle of a history --------------------------------------------


GAP = "revisions 00004–00008 are not listed (deleted, or numbers Cloud Run skipped)"


def delete(sandbox: Sandbox, clients_for: ClientsFor, service: str, numbers: range) -> None:
    """Delete the revisions of `service` with these numbers (retired: DeleteRevisionRequest
    "Only retired revisions can be deleted"), as a clean-up job or `gcloud run revisions
    delete` does."""
    clients = clients_for(sandbox)
    parent = f"projects/acme/locations/us-central1/services/{service}"
    for revision in clients.revisions.list_revisions(parent=parent):
        if int(revision.name.rsplit("-", 2)[-2]) in numbers:
            clients.revisions.delete_revision(name=revision.name).result(timeout=10)


def test_since_says_revisions_missing_right_before_it(
    world: Sandbox, clients_for: ClientsFor
) -> None:
    """gap-00004..00008 deleted; MODE went bad in the deleted 00006 (alice). drift said
    "since gap-00009 by bob; last good gap-00003" as if nothing lay between: bob's deploy
    changed nothing. Now: since gap-00009 *or earlier*, gap-00003 the last good one listed,
    and the words say which revisions are not listed."""
    delete(world, clients_for, "gap", range(4, 9))
    findings = check()
    since = since_of(findings, "gap", "env.MODE")
    assert since.revision.startswith("gap-00009-") and since.creator == BOB
    assert since.last_good is not None and since.last_good.startswith("gap-00003-")
    assert since.earlier
    assert since.note == GAP
    finding = next(f for f in findings if f.service == "gap")
    text = since_text(finding)
    assert text is not None and text.startswith(f"since {since.revision} or earlier, ")
    assert text.endswith(f"; last good {since.last_good}; {GAP}")


def test_a_drift_as_old_as_the_oldest_listed_says_which_are_not_listed(
    world: Sandbox, clients_for: ClientsFor
) -> None:
    """gap-00001..00007 deleted: the oldest listed, 00008, already has the drift (as SPEC
    says, no last good) — and revisions 1 to 7 are not listed: it may be older."""
    delete(world, clients_for, "gap", range(1, 8))
    since = since_of(check(), "gap", "env.MODE")
    assert since.revision.startswith("gap-00008-") and since.earlier
    assert (
        since.note == "revisions 00001–00007 are not listed (deleted, or numbers Cloud Run skipped)"
    )


def test_names_given_by_the_writer_tell_no_gap(world: Sandbox) -> None:
    """`named-v1`, `named-v2`, `named-v9`: names a writer chose carry no Cloud Run number,
    so nothing can be told missing between them: the run and its last good as listed."""
    since = since_of(check(), "named", "env.MODE")
    assert (since.revision, since.last_good, since.note) == ("named-v9", "named-v2", "")
    assert since.creator == ALICE and not since.earlier


def test_history_says_which_revisions_are_not_listed(
    world: Sandbox, clients_for: ClientsFor
) -> None:
    """`drift history` compares gap-00009 with gap-00003: it says that 00004..00008 are not
    listed between them, so its changes may span several revisions (table and JSON)."""
    from tests.cliutil import drift

    delete(world, clients_for, "gap", range(4, 9))
    args = ("history", "prod", "--service", "gap", "--limit", "0")
    table = drift(*args, env=world.environ(), cwd=Path.cwd())
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("gap-00009-"))
    assert GAP in lines[at + 2], lines[at : at + 4]
    document = json.loads(
        drift(*args, "--format", "json", env=world.environ(), cwd=Path.cwd()).stdout
    )
    entries = {e["revision"][:9]: e for e in document["services"][0]["revisions"]}
    assert entries["gap-00009"]["unlisted_before"] == GAP
    assert entries["gap-00010"]["unlisted_before"] is None


# -- last_good never had the same target wrong -----------------------------------------------


def test_last_good_is_never_a_revision_where_the_same_variable_was_missing(
    world: Sandbox,
) -> None:
    """FLAG expected "on": missing in flag-00003..00006 (alice removed it), "off" since 00007
    (bob). The env.value finding said "since flag-00007 by bob; last good flag-00006" — but
    in 00006 FLAG was not set at all: traffic rolled back to that "last good" revision runs
    without the variable. `since` keeps its meaning (the same rule and target: 00007, bob);
    there is no last good, and the words say what the revision before had."""
    findings = check()
    since = since_of(findings, "flag", "env.FLAG")
    assert since.revision.startswith("flag-00007-") and since.creator == BOB
    assert since.last_good is None, since
    assert since.note.startswith("before it, flag-00006-")
    assert since.note.endswith(" had env.missing on FLAG")
    text = since_text(next(f for f in findings if f.service == "flag"))
    assert text is not None and text.endswith(f"; {since.note}")


def test_the_json_report_says_why_there_is_no_last_good(world: Sandbox) -> None:
    from drift.format import OutputFormat, formatter_for

    profile = load_profile(Path("profiles"), "prod")
    report = asyncio.run(run_check(profile, load_settings(wait=0))).report
    document = json.loads(formatter_for(OutputFormat.JSON).render(report))
    flag = next(f for f in document["findings"] if f["service"] == "flag")
    assert flag["since"]["last_good"] is None
    assert flag["since"]["note"].endswith(" had env.missing on FLAG")
    mode = next(f for f in document["findings"] if f["service"] == "named")
    assert "note" not in mode["since"] and mode["since"]["last_good"] == "named-v2"


# -- drift's canary and cleanup without a client recorded on revisions ------------------------


def lab(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, annotations: bool) -> Sandbox:
    """The fix lab (`tests.fix.conftest.lab_world`), where Cloud Run copies the writer's
    client onto the revisions it creates or not (`revision_client_annotations`: the v2
    Revision has no client field, and nothing documents that it does)."""
    from tests.fix.conftest import lab_world

    world = lab_world()
    world["options"]["revision_client_annotations"] = annotations
    sandbox = make_sandbox(world)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    return sandbox


def lab_since(tmp_path: Path, *, journal: bool) -> dict[str, Since | None]:
    """Each finding's `since` as `drift check lab` says it: with the journal beside the
    profiles (as the command reads it), or without one at hand (a CI checkout)."""
    from drift.fix.served import canary_record
    from tests.fix.conftest import TODAY, lab_profiles

    settings = load_settings()
    read = {"canaries": canary_record(settings.journal())} if journal else {}
    profile = load_profile(lab_profiles(tmp_path), "lab")
    done = asyncio.run(run_check(profile, settings, today=TODAY, **read))
    return {f.target: f.since for f in done.report.findings}


def lab_history(tmp_path: Path) -> tuple[Any, ...]:
    from drift.history.read import read_history

    profile = load_profile(tmp_path / "profiles", "lab")
    return asyncio.run(read_history(profile, load_settings())).services[0].revisions


@pytest.mark.parametrize("annotations", [True, False])
def test_a_canary_declined_at_promotion_is_passed_over_whatever_revisions_record(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    annotations: bool,
) -> None:
    """drift's canary declined at promotion, then drift's clean-up: where Cloud Run records
    no client on the clean-up revision, drift said "since <its own clean-up>, last good <the
    canary that never served>". Now the canary is passed over — with the journal, and without
    one (the clean-up put back what served before the canary) — and `since` is what it was
    before the fix. `drift history` marks the canary; where only the shape tells (no journal,
    no client), `since` says it took the canary as never served (revown10 3)."""
    from drift.diff.unserved import PUT_BACK, UNDONE
    from drift.fix.apply import FixOptions
    from tests.fix.conftest import ScriptedUI, lab_fix

    sandbox = lab(make_sandbox, monkeypatch, annotations)
    monkeypatch.chdir(tmp_path)
    before = lab_since(tmp_path, journal=False)
    ui = ScriptedUI([True, False])  # the plan yes, the promotion no: drift cleans up
    lab_fix(tmp_path, sandbox, ui, FixOptions(verify=False), monkeypatch)
    assert lab_since(tmp_path, journal=True) == before
    cleanup, canary, first = lab_history(tmp_path)
    guessed = f"drift's canary {canary.name} taken as never served (no journal of its change here"
    for target, since in lab_since(tmp_path, journal=False).items():
        assert since is not None and replace(since, note="") == before[target], target
        assert since.note.startswith(guessed) if not annotations else since.note == "", since
    assert "-drift-" in canary.name and canary.never_served == UNDONE
    assert cleanup.never_served == "" and cleanup.against == first.name
    (tmp_path / ".drift").rename(tmp_path / "elsewhere")  # no journal here
    _, canary, _ = lab_history(tmp_path)
    assert canary.never_served == (UNDONE if annotations else PUT_BACK)


Undone = Callable[[bool], tuple[Sandbox, Path]]


@pytest.fixture(scope="module")
def undone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Undone]:
    """`undone(annotations)`: the lab (`lab`) where drift's canary was promoted (it served)
    and the change rolled back later; the sandbox and the folder of its profiles and journal.
    Made once per `annotations` for the module: the tests after it only read (a check, the
    history), never write."""
    from drift.fix.apply import FixOptions
    from tests.fix.conftest import ScriptedUI, lab_fix, rollback

    made: dict[bool, tuple[Sandbox, Path]] = {}
    with ExitStack() as stack:

        def get(annotations: bool) -> tuple[Sandbox, Path]:
            if annotations not in made:
                where = tmp_path_factory.mktemp("undone")
                with pytest.MonkeyPatch.context() as mp:  # given back before any test reads

                    def make(world: Any) -> Sandbox:
                        return stack.enter_context(Sandbox(world))

                    sandbox = lab(make, mp, annotations)
                    mp.chdir(where)
                    ui = ScriptedUI([True, True])  # the plan yes, the promotion yes
                    options = FixOptions(verify=False)
                    assert lab_fix(where, sandbox, ui, options, mp).exit_code == 0
                    assert rollback(where).restored
                made[annotations] = (sandbox, where)
            return made[annotations]

        yield get


def at(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, where: Path) -> None:
    """As `lab_fix` left the process: the sandbox's emulator variables set, `where` the
    working directory."""
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(where)


@pytest.mark.parametrize("annotations", [True, False])
def test_a_promoted_canary_that_a_rollback_undid_served_as_the_journal_says(
    undone: Undone, monkeypatch: pytest.MonkeyPatch, annotations: bool
) -> None:
    """A canary promoted (it served) and rolled back later: the drift came back with the
    rollback's revision, and the canary is the last good one — as the journal says, whether
    or not Cloud Run records a client on the revisions."""
    sandbox, where = undone(annotations)
    at(monkeypatch, sandbox, where)
    restoration, canary, _ = lab_history(where)
    assert "-drift-" in canary.name and canary.never_served == ""
    found = lab_since(where, journal=True)["env.MODE"]
    assert found is not None and (found.revision, found.last_good) == (
        restoration.name,
        canary.name,
    )


def test_drift_check_reads_the_journal_for_its_canaries(
    undone: Undone, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`drift check` as a user runs it, revisions without a client recorded: a canary that
    was promoted and rolled back is the last good revision (the journal says it served).
    The fix and rollback are `undone`'s, shared with the test above ([False])."""
    from tests.fix.conftest import lab_cli

    sandbox, where = undone(False)
    at(monkeypatch, sandbox, where)
    _, canary, _ = lab_history(where)
    done = lab_cli(sandbox, where, "check", "lab", "--format", "json")
    assert done.returncode == 1, done.stderr
    mode = next(f for f in json.loads(done.stdout)["findings"] if f["target"] == "env.MODE")
    assert mode["since"]["last_good"] == canary.name


def test_a_journal_that_cannot_be_read_says_nothing_of_canaries(tmp_path: Path) -> None:
    """A check never fails on the journal: one that cannot be read (a file where its
    directory should be) records no canary, and `since` goes by the revisions."""
    from drift.fix.served import canary_record

    (tmp_path / "journal").write_text("not a directory")
    assert canary_record(tmp_path / "journal")("app-drift-20261130-120000-0a1b") is None
    assert canary_record(tmp_path / "absent")("app-drift-20261130-120000-0a1b") is None


def test_a_teammate_reverting_drifts_fix_is_not_taken_for_drifts_clean_up(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No client recorded, no journal at hand: drift's fix was promoted (the canary served),
    then bob's deploy put the old configuration back (a Terraform apply that never heard of
    the fix). Bob's revision has the shape of drift's clean-up, but not its author: the
    canary is not passed over, and the drift is bob's, the canary its last good."""
    from drift.fix.apply import FixOptions
    from tests.fix.conftest import LAB, ScriptedUI, lab_fix

    sandbox = lab(make_sandbox, monkeypatch, False)
    monkeypatch.chdir(tmp_path)
    ui = ScriptedUI([True, True])
    assert lab_fix(tmp_path, sandbox, ui, FixOptions(verify=False), monkeypatch).exit_code == 0
    sandbox.act_as(BOB)
    sandbox.deploy(LAB, "app", env={"MODE": None, "DEBUG": "true"})
    theirs, canary, _ = lab_history(tmp_path)
    assert "-drift-" in canary.name and canary.never_served == ""
    found = lab_since(tmp_path, journal=False)["env.MODE"]
    assert found is not None and (found.revision, found.creator) == (theirs.name, BOB)
    assert found.last_good == canary.name


@pytest.mark.parametrize("later", [True, False], ids=["a-later-run", "the-same-hour"])
def test_a_reapply_by_the_account_that_ran_the_fix_is_told_by_its_time(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, later: bool
) -> None:
    """revown10 3. No client recorded, no journal at hand (CI's fresh checkout): drift's fix
    was promoted (the canary served), then the SAME account (a CI service account running
    drift and Terraform) re-applied the old configuration. It has the shape and the author of
    drift's clean-up; drift said "since app-00001 (the first revision), last good none".
    Made later than a fix can take (`CLEANUP_WINDOW`), it is not drift's clean-up: the drift
    came back with it, and the canary is the last good revision. Made within it, it cannot
    be told apart: the canary is passed over, and `since` says so."""
    from drift.diff.unserved import CLEANUP_WINDOW, PUT_BACK
    from drift.fix.apply import FixOptions
    from tests.fix.conftest import LAB, ScriptedUI, lab_fix

    sandbox = lab(make_sandbox, monkeypatch, False)
    monkeypatch.chdir(tmp_path)
    ui = ScriptedUI([True, True])  # the plan yes, the promotion yes: the canary serves
    assert lab_fix(tmp_path, sandbox, ui, FixOptions(verify=False), monkeypatch).exit_code == 0
    if later:
        sandbox.advance(CLEANUP_WINDOW.total_seconds() + 60)
    sandbox.deploy(LAB, "app", env={"MODE": None, "DEBUG": "true"})  # the fix's own caller
    theirs, canary, first = lab_history(tmp_path)
    assert "-drift-" in canary.name
    journal = lab_since(tmp_path, journal=True)["env.MODE"]
    assert journal is not None
    assert (journal.revision, journal.last_good, journal.note) == (theirs.name, canary.name, "")
    found = lab_since(tmp_path, journal=False)["env.MODE"]
    assert found is not None
    (tmp_path / ".drift").rename(tmp_path / "elsewhere")  # `drift history` without it too
    _, unjournaled, _ = lab_history(tmp_path)
    if later:
        assert (found.revision, found.last_good, found.note) == (theirs.name, canary.name, "")
        assert unjournaled.never_served == ""
    else:
        assert (found.revision, found.last_good) == (first.name, None)
        assert found.note.startswith(f"drift's canary {canary.name} taken as never served")
        assert unjournaled.never_served == PUT_BACK


def test_the_clean_up_window_covers_what_a_fix_can_take() -> None:
    """drift's clean-up is created after the canary's deploy and settling, its probe and the
    promotion prompt: the window holds their longest, with time left for a person's answer."""
    from drift.diff.unserved import CLEANUP_WINDOW
    from drift.fix.update import OPERATION_TIMEOUT
    from drift.profiles.probe_spec import MAX_HOLD, MAX_TIMEOUT

    automated = 2 * OPERATION_TIMEOUT + MAX_TIMEOUT + MAX_HOLD
    assert CLEANUP_WINDOW.total_seconds() - automated >= 30 * 60


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dated-00042-xiz", 42),  # Cloud Run's own shape
        ("dated-00042-x1z", 42),
        ("dated-20261125-a1b2c3d", None),  # --revision-suffix=DATE-SHA
        ("dated-1234-a1b2c3d", None),  # --revision-suffix=RUN_NUMBER-SHA
        ("dated-00042-a1b2c3d", None),  # a run number padded to five digits, then a sha
        ("dated-000042-xiz", None),
        ("dated-00042", None),
    ],
)
def test_only_cloud_runs_own_shape_is_read_as_a_number(name: str, expected: int | None) -> None:
    """revown10 4: `_NUMBERED` read any five-or-more digits then a suffix as Cloud Run's
    number."""
    from drift.revision_names import number

    assert number("dated", name) == expected


def test_dated_revision_suffixes_tell_no_missing_revisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revown10 4: a CI pipeline names its revisions with `gcloud run deploy
    --revision-suffix=DATE-SHA` (the revision is SERVICE-SUFFIX, gcloud run deploy reference).
    drift read the dates as Cloud Run's numbers: every `since` across two deploys said
    "revisions 20261126–20261129 are not listed (deleted, or numbers Cloud Run skipped)" and
    "or earlier"."""
    suffixes = ("20261120-a1b2c3d", "20261125-e4f5a6b", "20261130-c7d8e9f")
    history = [
        {**r, "name": f"dated-{suffix}"}
        for r, suffix in zip(older([GOOD, GOOD, BAD], {3: ALICE}), suffixes, strict=True)
    ]
    monkeypatch.chdir(tmp_path)
    write_profile(
        tmp_path, "project: acme\nregion: us-central1\nservices:\n  dated: {env: {MODE: good}}\n"
    )
    with Sandbox(acme({"dated": {"template": {"env": BAD}, "history": history}})) as sandbox:
        for key, value in sandbox.environ().items():
            monkeypatch.setenv(key, value)
        profile = load_profile(Path("profiles"), "prod")
        found = asyncio.run(run_check(profile, load_settings(wait=0))).report.findings
    since = next(f for f in found if f.target == "env.MODE").since
    assert since is not None
    assert since.revision == "dated-20261130-c7d8e9f"
    assert since.last_good == "dated-20261125-e4f5a6b"
    assert (since.note, since.earlier) == ("", False), since.note


@pytest.mark.parametrize("numbers", ["service_generation", "template_generation"])
def test_a_skip_within_the_run_neither_cuts_it_nor_goes_unsaid(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    clients_for: ClientsFor,
    numbers: str,
) -> None:
    """MODE went bad in skip-00002 (alice). Then a traffic-only update (no revision) and a
    deploy of another variable. Cloud Run's numbering is not documented (sandbox
    `revision_numbers`): by the service's generation the newest revision's number skips one
    (the traffic write had a generation); by the template's, as Knative, it does not. Either
    way the drift is still alice's, since skip-00002 with last good skip-00001 (cutting the
    run at every skip would blame the deploy after each traffic change); where a number is
    missing the note says so, and only there."""
    from google.cloud import run_v2

    history = older([GOOD, BAD], {2: ALICE})
    scenario = acme({"skip": {"template": {"env": BAD}, "history": history}})
    scenario["options"]["revision_numbers"] = numbers
    sandbox = make_sandbox(scenario)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    write_profile(
        tmp_path, "project: acme\nregion: us-central1\nservices:\n  skip: {env: {MODE: good}}\n"
    )
    services = clients_for(sandbox).services
    name = "projects/acme/locations/us-central1/services/skip"
    service = services.get_service(name=name)
    serving = service.traffic_statuses[0].revision or service.latest_ready_revision
    service.traffic = [
        run_v2.TrafficTarget(
            type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
            revision=serving.rsplit("/", 1)[-1],
            percent=100,
        )
    ]
    services.update_service(service=service).result(timeout=10)
    service = services.get_service(name=name)
    service.template.containers[0].env.append(run_v2.EnvVar(name="OTHER", value="x"))
    service.traffic = [
        run_v2.TrafficTarget(
            type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST,
            percent=100,
        )
    ]
    services.update_service(service=service).result(timeout=10)
    findings = check()
    checked = next(f for f in findings if f.target == "env.MODE").revision
    since = since_of(findings, "skip", "env.MODE")
    assert since.revision.startswith("skip-00002-") and since.creator == ALICE, (checked, since)
    assert since.last_good is not None and since.last_good.startswith("skip-00001-")
    assert not since.earlier
    newest = clients_for(sandbox).services.get_service(name=name).latest_created_revision
    if numbers == "template_generation":
        assert newest.startswith(f"{name}/revisions/skip-00004-") and since.note == "", since
    else:
        assert newest.startswith(f"{name}/revisions/skip-00005-"), newest
        assert since.note == "revision 00004 is not listed (deleted, or a number Cloud Run skipped)"
