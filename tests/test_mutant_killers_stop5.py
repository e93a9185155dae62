"""Killers of mutation round 5 (revmutant5): behaviours this stop's new code guards that no
test pinned (each fails on the mutant named in its docstring, passes on main)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from drift.errors import Problem, UsageError
from drift.fix import waiting
from drift.fix.wire import carry_unknown, unknown_bytes
from drift.format.github import MESSAGE_UNITS
from drift.format.github_problems import problem_lines
from drift.live import googleenv
from drift.runnervars import runner_credential

_CLIENT_VARS = (
    googleenv.UNIVERSE,
    googleenv.MTLS_ENDPOINT,
    googleenv.CLIENT_CERTIFICATE,
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in _CLIENT_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_universe_domain_of_blanks_is_refused(clean_env: pytest.MonkeyPatch) -> None:
    """E03 (`not universe.strip()` -> `not universe`): the clients strip it
    (run_v2/_compat.py `get_universe_domain`), so "  " is as empty as ""."""
    clean_env.setenv(googleenv.UNIVERSE, "  ")
    with pytest.raises(UsageError, match="set but empty"):
        googleenv.check_client_variables()


@pytest.mark.parametrize("value", ["NEVER", "Always", "AUTO"])
def test_the_mtls_endpoint_is_taken_in_any_case(clean_env: pytest.MonkeyPatch, value: str) -> None:
    """E05 (`value.lower() not in allowed` -> `value not in allowed`): the generated clients
    lower it (`os.getenv("GOOGLE_API_USE_MTLS_ENDPOINT", "auto").lower()`,
    run_v2/_compat.py `read_environment_variables`), and google-auth lowers
    GOOGLE_API_USE_CLIENT_CERTIFICATE: refusing NEVER would stop a run the clients accept."""
    clean_env.setenv(googleenv.MTLS_ENDPOINT, value)
    clean_env.setenv(googleenv.CLIENT_CERTIFICATE, "TRUE")
    googleenv.check_client_variables()


def _documented() -> list[str]:
    """The names runnervars' docstring lists as the job's own credentials (its bullets; the
    `RUNNER_*` it names there are the ones that carry none)."""
    from drift import runnervars

    doc = runnervars.__doc__ or ""
    listed = doc[doc.index("\n- ") : doc.index("Not covered")]
    names = re.findall(r"`([A-Z][A-Z0-9_]*[A-Z0-9])`", listed)
    return [n for n in names if not n.startswith("RUNNER_")]


def test_the_docstring_lists_the_runner_credentials() -> None:
    assert len(_documented()) >= 25 and "AWS_SECRET_ACCESS_KEY" in _documented()


@pytest.mark.parametrize("name", [*_documented(), "gh_enterprise_token"])
def test_every_documented_runner_credential_is_refused(name: str) -> None:
    """V03 (a name dropped from `_NAMES`): each name runnervars' docstring lists is one."""
    assert runner_credential(name)


def test_not_every_variable_is_a_runner_credential() -> None:
    assert not runner_credential("STAGING_TEST_JWT")
    assert not runner_credential("RUNNER_TEMP")


def _unknown(number: int, value: int) -> bytes:
    """A varint field `number` no client knows, serialized."""
    key, out = number << 3, b""
    for part in (key, value):
        while part > 0x7F:
            out += bytes([part & 0x7F | 0x80])
            part >>= 7
        out += bytes([part])
    return out


def test_carry_unknown_keeps_a_target_s_own_unknown_fields() -> None:
    """W01 (`if not unknown_bytes(target)` -> `if True`): a target with unknown fields of its
    own does not get the donor's besides (a field sent twice: the last one wins on the
    server, the donor's)."""
    from google.cloud import run_v2

    target = run_v2.RevisionTemplate.pb(run_v2.RevisionTemplate(revision="a"))
    donor = run_v2.RevisionTemplate.pb(run_v2.RevisionTemplate(revision="b"))
    target.MergeFromString(_unknown(9001, 1))
    donor.MergeFromString(_unknown(9001, 2))
    carry_unknown(target, donor)
    assert unknown_bytes(target) == _unknown(9001, 1)
    empty = run_v2.RevisionTemplate.pb(run_v2.RevisionTemplate(revision="c"))
    carry_unknown(empty, donor)
    assert unknown_bytes(empty) == _unknown(9001, 2)


def test_a_problem_at_a_json_path_is_annotated_at_its_file_with_no_line() -> None:
    """GP2 (`0 if problem.path else problem.line` -> `problem.line`): a problem located by
    a JSON path (a Terraform plan is one line) is annotated at the file, not at line 1."""
    lines = problem_lines([Problem("plan.json", 1, "bad", path="resource_changes[0]")], [])
    assert lines[0].startswith("::error file=plan.json,title="), lines
    assert "line=" not in lines[0]
    lines = problem_lines([Problem("p.yaml", 7, "bad")], [])
    assert "line=7" in lines[0]


def test_a_long_problem_of_wide_characters_fits_github_s_message_limit() -> None:
    """GP3 (the cut at `MESSAGE_UNITS // 2 - 80` -> `MESSAGE_UNITS - 80`): a character outside
    the BMP is two UTF-16 units, and the runner counts units."""
    message = "\U0001f600" * 5000
    (line,) = problem_lines([Problem("p.yaml", 3, message)], [])
    said = line.split("::", 2)[2]
    assert len(said.encode("utf-16-le")) // 2 <= MESSAGE_UNITS


def _wait(cadence: waiting.Cadence, inside: float, after: float) -> None:
    async def run() -> None:
        async with waiting.waiting("app: waiting", 600):
            await asyncio.sleep(inside)
        cadence.say("END")
        await asyncio.sleep(after)

    old = waiting.CADENCE
    waiting.CADENCE = cadence
    try:
        asyncio.run(run())
    finally:
        waiting.CADENCE = old


def test_a_wait_says_nothing_once_it_ends() -> None:
    """WT1 (`task.cancel()` dropped): the speaker outlives the block and goes on saying
    'waiting' while drift does other things."""
    said: list[str] = []
    _wait(waiting.Cadence(first=0.01, every=0.01, say=said.append), 0.1, 0.2)
    assert len(said) >= 2, said
    assert said[-1] == "END", said


def test_a_sink_that_fails_does_not_end_the_lines() -> None:
    """WT2 (`suppress(Exception)` dropped): one failing write ends every later line."""
    said: list[str] = []

    def flaky(text: str) -> None:
        said.append(text)
        if len(said) == 1 and text != "END":
            raise RuntimeError("sink failed once")

    _wait(waiting.Cadence(first=0.01, every=0.01, say=flaky), 0.15, 0.0)
    assert len(said) >= 3, said


def _older_baseline(message: str, revision: str | None) -> tuple[str, ...]:
    """The `also_on` a baseline written before `also_on` existed (no key) is read with."""
    import json
    from dataclasses import replace

    from drift.baseline import parse_baseline
    from drift.format.json import report_document
    from tests.baseline.test_what_fails import _finding, _report

    finding = replace(_finding("api-00001-abc", ("x",)), message=message, revision=revision)
    document = report_document(_report(finding))
    for item in document["findings"]:
        item.pop("also_on", None)
    (read,) = parse_baseline("last.json", json.dumps(document).encode()).findings
    return tuple(read.also_on)


def test_also_on_is_read_back_only_from_a_revision_finding_s_message_tail() -> None:
    """B01 (the `revision is not None` guard dropped) and B02 (the `$` anchor dropped): a
    message quotes values, so "(also on …)" elsewhere in it, or in the message of a service-
    level finding, names no revision; read as one, the finding is never resolved while that
    'revision' is unread."""
    assert _older_baseline("m (also on api-00002-xyz)", "api-00001-abc") == ("api-00002-xyz",)
    assert _older_baseline("description is now x (also on y)", None) == ()
    assert _older_baseline("DESC is 'a (also on b)' not 'c'", "api-00001-abc") == ()


def test_a_saved_plan_with_a_workload_gone_is_not_called_an_older_drift_s() -> None:
    """S02 (`any(key not in now for key in was)` dropped): a workload the saved plan has and
    this one does not is a change of the plan ('(gone)'), not drift's own new key."""
    from drift.fix.saved import _older

    was = {"service/api": {"image": "i"}, "service/web": {"image": "w"}}
    now = {"service/api": {"image": "i", "promotion_tags": []}}
    assert _older(was, now) == ""
    now["service/web"] = {"image": "w"}
    assert "promotion_tags" in _older(was, now)


def test_the_service_before_is_read_from_its_bytes_unknown_fields_and_all() -> None:
    """R01 (`before_service` reading `service_before_pb` skipped: JSON only): restore_request
    copies the service-level parts a change set back from `before_service` (`scaling`, …),
    so a newer Cloud Run's field inside the service's scaling was dropped by a rollback of a
    service-level scaling change. The JSON has no place for it (drift.fix.wire)."""
    import json
    from types import SimpleNamespace

    from google.cloud import run_v2

    from drift.fix.recorded import before_service
    from drift.fix.wire import packed

    service = run_v2.Service(name="projects/p/locations/r/services/api")
    service.scaling.min_instance_count = 1
    run_v2.Service.pb(service).scaling.MergeFromString(_unknown(9001, 7))
    entry: Any = SimpleNamespace(
        service_before=json.loads(run_v2.Service.to_json(service)),
        service_before_pb=packed(service),
    )
    before = before_service(entry)
    assert unknown_bytes(run_v2.Service.pb(before).scaling) == _unknown(9001, 7)


def test_two_refusals_of_apis_not_enabled_in_one_row_stay_apart() -> None:
    """H02 (`keep = "; "` dropped): a row whose reason joins two calls refused as their APIs
    are not enabled (`…; Call resource: STATUS: …`) says each short cause, separated."""
    from drift.next_steps import condensed, not_enabled

    run = not_enabled("run.googleapis.com", "acme-staging")
    secrets = not_enabled("secretmanager.googleapis.com", "acme-staging")
    reason = (
        f"GetService projects/acme-staging/x: PERMISSION_DENIED: {run}. Cloud Run API has not "
        f"been used; AccessSecretVersion projects/acme-staging/s: PERMISSION_DENIED: {secrets}. "
        "Secret Manager API has not been used"
    )
    said = condensed(reason)
    assert "(see the hint); AccessSecretVersion" in said, said
    assert said.endswith("(see the hint)"), said


def test_a_fixed_revision_name_is_named_once() -> None:
    """RN2 (`dict.fromkeys` dropped): the live template and the recorded one naming the same
    fixed revision is one name, not 'api-v1 and api-v1 are cleared'."""
    from drift.fix.revision_name import cleared_names

    said = cleared_names("api", ["api-v1", "api-v1"], "the restored revision")
    assert "name api-v1 is cleared" in said, said


def test_a_gitignore_that_is_a_link_is_left_as_it_is(tmp_path: Any) -> None:
    """J05 (`ignore.is_symlink()` -> never): a `.drift/.gitignore` linked to a team's shared
    file is their arrangement: drift neither replaces the link with a file of its own nor
    writes what it names, even when that does not ignore everything."""
    from drift.fix.journalfiles import create

    shared = tmp_path / "shared.gitignore"
    shared.write_text("*.log\n")
    (tmp_path / ".drift").mkdir(mode=0o700)
    link = tmp_path / ".drift" / ".gitignore"
    link.symlink_to(shared)
    create(tmp_path / ".drift" / "journal")
    assert link.is_symlink()
    assert shared.read_text() == "*.log\n"


def test_a_gitignore_that_only_mentions_a_star_gets_drift_s_line(tmp_path: Any) -> None:
    """J07 (the line `*` -> any `*` in the text): `.drift/.gitignore` holding `*.log` ignores
    no journal entry; read as ignoring everything, the journal stays committable."""
    from drift.fix.journalfiles import create

    (tmp_path / ".drift").mkdir(mode=0o700)
    ignore = tmp_path / ".drift" / ".gitignore"
    ignore.write_text("*.log\n")
    create(tmp_path / ".drift" / "journal")
    lines = [line.strip() for line in ignore.read_text().splitlines()]
    assert lines[0] == "*.log" and "*" in lines, lines


def test_an_emulator_host_is_one_backend_whatever_its_case() -> None:
    """K04 (`host.lower()` dropped): host names are case-insensitive (RFC 4343), so
    EMU.example:8080 and emu.example:8080 are one sandbox, not a change made elsewhere."""
    from drift.live.backendid import elsewhere

    assert not elsewhere("the emulator at EMU.example:8080", "the emulator at emu.example:8080")
    assert elsewhere("the emulator at emu.example:8080", "the emulator at emu.example:8081")


def test_a_link_to_a_sibling_that_shares_the_working_directory_s_prefix_is_out(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F05 (`_within` without the separator): /x/work2 is not inside /x/work."""
    from drift.files import linked_out

    work, sibling = tmp_path / "work", tmp_path / "work2"
    work.mkdir()
    sibling.mkdir()
    (work / "reports").symlink_to(sibling)
    monkeypatch.chdir(work)
    assert "outside the working directory" in linked_out(Path("reports/drift.sarif"))


def test_a_path_that_says_dot_dot_is_where_it_was_meant(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F04 (the lexical `../` early return dropped): `../out/r.json` typed by a person names
    where they meant, even when `../out` is a link."""
    from drift.files import linked_out

    work, away = tmp_path / "work", tmp_path / "away"
    work.mkdir()
    away.mkdir()
    (tmp_path / "out").symlink_to(away)
    monkeypatch.chdir(work)
    assert linked_out(Path("../out/r.json")) == ""


def test_a_link_to_this_process_s_stdout_is_not_replaced(tmp_path: Any) -> None:
    """F01 (`descriptor(path) is None` dropped): a link to /dev/stdout is the stream the
    shell handed drift (the outputs' check asks `replaces_links` before anything is run)."""
    from drift.files import replaces_links

    link = tmp_path / "out.json"
    link.symlink_to("/dev/stdout")
    assert not replaces_links(link)
    (tmp_path / "f").write_text("x")
    other = tmp_path / "other.json"
    other.symlink_to(tmp_path / "f")
    assert replaces_links(other)


def test_a_group_of_no_one_is_not_the_user_s_private_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """J11 (`bool(primary or group.gr_mem)` -> True): a group no user has as primary group
    and with no member (a setgid binary's) is not the owner's own: group-writable there is
    writable by whoever the group is given to."""
    import grp
    import pwd
    from types import SimpleNamespace

    from drift.fix import journalfiles

    monkeypatch.setattr(grp, "getgrgid", lambda gid: SimpleNamespace(gr_mem=[]))
    monkeypatch.setattr(pwd, "getpwuid", lambda uid: SimpleNamespace(pw_name="me"))
    monkeypatch.setattr(pwd, "getpwall", lambda: [SimpleNamespace(pw_uid=1000, pw_gid=1000)])
    assert not journalfiles._own_group(4242, 1000)
    assert journalfiles._own_group(1000, 1000)


def test_a_filesystem_that_shows_a_new_file_group_readable_keeps_no_modes(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """J12 (`mode & 0o077` -> `mode & 0o007`): a probe made 0600 that reads back 0640 (an
    SMB mount's file_mode=0640) is a filesystem that keeps no modes."""
    import os

    from drift.fix import journalfiles

    real = os.stat

    def stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        info = real(path, *args, **kwargs)
        if ".drift-mode-probe-" not in str(path):
            return info
        fields = list(info)
        fields[0] = (info.st_mode & ~0o777) | 0o640
        return os.stat_result(fields)

    real_fstat = os.fstat

    def fstat(fd: int) -> Any:  # the probe's mode is read from its descriptor (revown35 F1)
        info = real_fstat(fd)
        if ".drift-mode-probe-" not in os.readlink(f"/proc/self/fd/{fd}"):
            return info
        fields = list(info)
        fields[0] = (info.st_mode & ~0o777) | 0o640
        return os.stat_result(fields)

    monkeypatch.setattr(journalfiles, "_MODES_KEPT", {})
    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "fstat", fstat)
    assert not journalfiles.keeps_modes(tmp_path)


def test_a_generated_revision_name_is_not_called_terraform_s() -> None:
    """revreal61 F3: gcloud's deploy writes Cloud Run's generated name (`app-00003-amy`) into
    the template; clearing it is no change Terraform's next plan shows. A name a writer chose
    still is (`app-v7`), with it or alone."""
    from drift.fix.revision_name import cleared_names

    said = cleared_names("app", ["app-00003-amy"], "the canary", "app-drift-CHANGE")
    assert said == (
        "the template's revision name app-00003-amy is cleared: the canary gets drift's name "
        "app-drift-CHANGE (a revision name is unique)"
    ), said
    said = cleared_names("app", ["app-00004-xcm", "app-v7"], "the restored revision")
    assert "fixed revision names app-00004-xcm and app-v7 are cleared" in said, said
    assert said.endswith("(a revision name is unique; Terraform's next plan will show it)")
