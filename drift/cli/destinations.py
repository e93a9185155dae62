"""Where a check's reports go, checked before anything is read (two options naming one
file, a file that would replace the baseline, a directory that is not there) and, once the
check ran, each written whatever became of the others."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from drift.cli.output import echo, error, location, readable
from drift.errors import ApiError, OutputLost, UsageError
from drift.writable import READ_ONLY, unwritable

if TYPE_CHECKING:
    from drift.cli.output import Destination
    from drift.profiles.model import Profile
    from drift.report import Report
    from drift.settings import Settings

IS_DIRECTORY = "it is a directory"


def distinct_outputs(places: dict[str, str | None]) -> None:
    """Refuse two outputs naming one file or object: the last write would silently replace
    the other's report."""
    seen: dict[str, str] = {}
    for option, value in places.items():
        if value is None:
            continue
        key = _place(value)
        if key in seen:
            raise UsageError(
                f"{seen[key]} and {option} name the same file: {value}",
                hint="give each output a file of its own",
            )
        seen[key] = option


def writable_files(places: dict[str, Path | None]) -> None:
    """`writable` for options that take a local file (`OutputOpt`)."""
    writable({option: None if path is None else str(path) for option, path in places.items()})


def writable(places: dict[str, str | None]) -> None:
    """Refuse, before anything is read, a local file an output could not be written to (its
    directory missing or not writable, a directory in its place), and a gs:// output a
    sandbox run could not write: one message naming each, exit 2 (nothing was checked),
    rather than a check that runs and then loses its report."""
    from drift.textsafe import visible

    reasons = {
        f"{option} {visible(value)}": why
        for option, value in places.items()
        if value is not None
        and isinstance(where := location(value), Path)
        and (why := _unwritable(where))
    }
    if reasons:
        refused = "; ".join(f"{named}: {why}" for named, why in reasons.items())
        raise UsageError(f"cannot write {refused} (nothing was read)", hint=_hint(reasons))
    uploads = [
        f"{option} {visible(value)}"
        for option, value in places.items()
        if value is not None and not isinstance(location(value), Path)
    ]
    if uploads:
        _storage_reachable(uploads)


def _hint(reasons: dict[str, str]) -> str:
    """What to do about each kind of reason `_unwritable` gave (a missing directory is not a
    directory named in a file's place)."""
    hints = []
    if any(why.endswith("does not exist") for why in reasons.values()):
        hints.append("create the directory first (mkdir -p DIR), or name a file in one that exists")
    if any(why == IS_DIRECTORY for why in reasons.values()):
        hints.append("name a file, not a directory (DIR/report.json)")
    if any(why.endswith(READ_ONLY) for why in reasons.values()):
        hints.append("name a file on a file system that is not mounted read-only")
    return "; ".join(hints) or "name a file you can write"


def _storage_reachable(uploads: list[str]) -> None:
    """Refuse, before anything is read, a gs:// output whose write is refused whatever the
    check finds: a run against emulators (the sandbox) with no Cloud Storage emulator
    (STORAGE_EMULATOR_HOST) never writes to the real Cloud Storage (`drift.live.clients`,
    `_storage_client`). Exit 2 says nothing was checked; a write that fails once the check
    ran stays exit 1 or 3 (`undelivered`)."""
    from drift.live.clients import NO_STORAGE_HINT, emulator_host, no_storage

    if why := no_storage(emulator_host()):
        raise UsageError(
            f"cannot write {'; '.join(uploads)}: {why} (nothing was read)", hint=NO_STORAGE_HINT
        )


def _unwritable(path: Path) -> str:
    """Why `path` cannot be written to, or an empty string. What is there is judged as
    opening it would (`/dev/stdout` into a pipe is the pipe, writable, though its directory
    /dev is not for a user but root: `drift.files.followed`)."""
    from drift.files import followed, linked_out, replaces_links

    if away := linked_out(path):  # a directory linked out of the working tree (revown34 F6)
        return away
    if passed := _passes_through(path):
        return passed
    if replaces_links(path):  # replaced by the report, not followed: its own directory counts
        why = unwritable(path.parent)
        return why and f"its directory {path.parent} {why}"
    with suppress(OSError):  # a path that cannot even be looked at: the directory says why
        if (info := followed(path)) is not None:
            if stat.S_ISDIR(info.st_mode):
                return IS_DIRECTORY
            why = unwritable(path, directory=False)
            return why and f"the file {why}"
    target = Path(os.path.realpath(path))
    folder = f"its directory {path.parent}"
    if Path(os.path.realpath(path.parent)) != target.parent:  # a link: where it points
        folder = f"it is a link, and its target's directory {target.parent}"
    if not target.parent.is_dir():
        return f"{folder} does not exist"
    why = unwritable(target.parent)
    return why and f"{folder} {why}"


def _passes_through(path: Path) -> str:
    """Why a folder `path` goes through before a `..` stops it ("" none does): open(2) walks
    each component ("ENOENT: A directory component in pathname does not exist"; ENOTDIR: one
    is not a directory), where `os.path.realpath` takes `nosub/..` for `.` when nosub is not
    there, and the report would be written where the kernel refuses it (helper-849 F2)."""
    parts = path.parent.parts
    for end, part in enumerate(parts[1:], start=1):
        if part != ".." or os.path.isdir(folder := Path(*parts[:end])):
            continue
        missing = "is not a directory" if os.path.exists(folder) else "does not exist"
        return f"its path passes through {folder}, which {missing}"
    return ""


@contextmanager
def undelivered(failed: list[str]) -> Iterator[None]:
    """A report output (a file, an object, standard output) that cannot be written after
    the check ran (a full disk, a refused upload, a reader that closed the pipe: `drift
    check … --json report.json | head`): said at once, added to `failed`, and the other
    outputs and the step summary still written (the next run's baseline among them; exit 1
    or 3, `delivered_code`). Not a usage error met while writing (a sandbox run asked to
    write to the real Cloud Storage, a standard output closed before drift started): that
    ends the command, exit 2."""
    try:
        yield
    except UsageError as exc:
        # a write that failed (a file's OSError, an upload's API status, a stream's OSError)
        written = isinstance(exc.__cause__, (OSError, ApiError))
        if not written:
            raise
        error(exc.diagnostics())
        failed.append(exc.message)


def said(report: Report, where: Destination | None, failed: list[str], shown: bool) -> int:
    """The exit code of a report whose outputs were tried (`delivered_code`), after its
    summary line on stderr — the CI log's last word on what was found — when the report went
    to a file or an object, or another output could not be written (the line then counts them
    and gives the exit code drift ends with: never "(exit 0)" on a run that exits 3). Not when
    standard output, which the report was `shown` on, was itself lost (a closed pipe, a full
    disk): its one message says it all (tests/cli/test_output_lost.py)."""
    from drift.format.summary import summary_line

    code = delivered_code(report.exit_code, failed)
    if where is not None or (failed and shown):
        with suppress(OutputLost):  # stderr gone (its reader left): the exit code stands
            echo(readable(summary_line(report, lost=len(failed), code=code)), err=True)
    return code


def delivered(write: Callable[[], None], code: int) -> int:
    """The exit code of a command that ran and found what `code` says, once `write` wrote its
    one output: a write that fails then (a full disk, a closed pipe) is one message, and the
    code `delivered_code` gives (helper-602 F7: plan, history and compare exited 2, "nothing
    was checked", after reading everything and finding drift)."""
    failed: list[str] = []
    with undelivered(failed):
        write()
    return delivered_code(code, failed)


def delivered_code(code: int, failed: list[str]) -> int:
    """The exit code of a check whose outputs `failed`: drift found stays 1 (it takes
    precedence over 3, SPEC "Exit codes"), anything else is 3: the report was not delivered
    whole. Never 2, which says nothing was checked."""
    from drift.errors import ExitCode

    if not failed or code == ExitCode.DRIFT:
        return code
    return int(ExitCode.INCOMPLETE)


def not_the_step_summary(places: Mapping[str, str | Path | None], what: str, hint: str) -> None:
    """Refuse, before anything is read, an output naming the step summary file (as
    `writes_step_summary` tells it: the same file, however named) that would put `what` (a
    format that is not Markdown: JSON, SARIF, YAML, a script, a table) there. GitHub renders
    that file as Markdown and appends the step's part to the job's summary, all of it dropped
    past 1 MiB ("Adding a job summary", docs.github.com/en/actions/reference/
    workflows-and-actions/workflow-commands#adding-a-job-summary): the document would be
    garbled there, and no longer a document a tool can read; cut to fit, not even whole."""
    from drift.cli.output import writes_step_summary
    from drift.textsafe import visible

    for option, value in places.items():
        where = location(str(value)) if value is not None else None
        if isinstance(where, Path) and writes_step_summary(where):
            raise UsageError(
                f"{option} names the step summary file $GITHUB_STEP_SUMMARY "
                f"({visible(str(value))}): GitHub shows it as Markdown, and {what} is not "
                "(nothing was read)",
                hint=hint,
            )


def markdown_only(output_file: str | Path | None, format: str, hint: str) -> None:
    """`not_the_step_summary` of `--output` in any `--format` but Markdown (which is
    appended there, within the room the step left)."""
    if format != "markdown":
        not_the_step_summary({"--output": output_file}, f"--format {format}", hint=hint)


FILE_OF_ITS_OWN = (
    "write it to a file of its own (--output FILE, kept as an artifact); without --output "
    "the step's log shows it"
)
REPORT_HINT = (
    "name a file of its own (report.json, kept as an artifact); the step summary takes the "
    "report's summary with --format markdown"
)


def report_to_step_summary(report: Report, code: int) -> int:
    """`to_step_summary` of a report's Markdown summary (`probe`, a `fix`'s re-check), cut
    as check's is (`MarkdownFormat`); the exit code."""
    from drift.format.markdown import MarkdownFormat
    from drift.format.summary import summary_line

    return to_step_summary(
        lambda room: MarkdownFormat(room).render(report),
        code,
        what="the report",
        wrote=lambda: f"appended the report to the step summary: {summary_line(report)}",
    )


def to_step_summary(
    render: Callable[[int], str], code: int, *, what: str, wrote: Callable[[], str]
) -> int:
    """The exit code of a command that ran and found what `code` says, once `render`'s
    Markdown (given the bytes it may take) was appended to the step summary within the room
    the step left, once (`drift.format.markdown.append_within`; `wrote`: the line said on
    stderr then). A write that fails, or a summary with no room left for even a cut `what`,
    is one message and the code `delivered_code` gives: the output asked for was not
    written."""
    from drift.cli.output import step_summary_file, summary_not_written
    from drift.format.markdown import append_within

    path = step_summary_file()
    assert path is not None
    message = summary_not_written(lambda: append_within(path, render), what)
    if message is None:
        with suppress(OutputLost):  # stderr gone: the exit code stands
            echo(readable(wrote()), err=True)
        return code
    error(message)
    return delivered_code(code, [message])


def not_the_baseline(baseline: str | None, places: dict[str, str | None]) -> None:
    """Refuse an output that would replace the baseline with what is not a JSON report (the
    next run would refuse it, and the GitHub Action take that for a first run)."""
    if baseline is None:
        return
    for option, value in places.items():
        if value is not None and _place(value) == _place(baseline):
            raise UsageError(
                f"--baseline and {option} name the same file: {value} (it would be replaced "
                "by a report that is not the JSON report a baseline is)",
                hint="write the next baseline with --json FILE, the other output elsewhere",
            )


def one_reader_of_stdin(baseline: str | None, manifests: Iterable[str] | None) -> None:
    """Refuse `--baseline /dev/stdin` (standard input by any name) beside `--manifest -`: the
    one stream cannot be both; the second reader found it empty (or read the same bytes
    again) and was refused as no manifest, or no report, of its own."""
    if baseline is None or "-" not in (manifests or ()):
        return
    try:
        same = os.path.samestat(os.stat(baseline), os.fstat(0))
    except (OSError, ValueError):  # nothing there, or standard input closed: their reads say
        return
    if same:
        raise UsageError(
            f"--baseline {baseline} and --manifest - both read standard input, which can be "
            "read once",
            hint="give one of them its file: --baseline last.json, or --manifest plan.json",
        )


def not_an_input(
    places: Mapping[str, str | Path | None],
    settings: Settings,
    profiles: Iterable[Profile],
    manifests: Iterable[str] = (),
) -> None:
    """Refuse, before anything is read from the cloud, an output that would replace a file
    the run reads (helper-602 F1: `--output profiles/staging.yaml` replaced the hand-written
    profile with the report, exit 0): a profile of the run and those it extends, a profile's
    name or the schema in the profiles directory (a report named otherwise may be written
    there: `--profiles .`, helper-606 F3), the pyproject.toml that holds `[tool.drift]`, a
    manifest, and anything in the journal (helper-606 F1: a report in place of an entry, or
    beside them, leaves `rollback` unable to read it)."""
    from drift.settings import project_config
    from drift.textsafe import visible

    read = {os.path.realpath(f): f"the profile {f}" for p in profiles for f in p.chain}
    read.update({os.path.realpath(m): f"the manifest {m}" for m in manifests if m != "-"})
    if (config := project_config()) is not None:
        read[os.path.realpath(config)] = f"the configuration {config} (`[tool.drift]`)"
    folder = os.path.realpath(settings.profiles_dir)
    journal = os.path.realpath(settings.journal())
    for option, value in places.items():
        where = location(str(value)) if value is not None else None
        if not isinstance(where, Path):
            continue
        target = os.path.realpath(where)
        what = read.get(target)
        if what is None and os.path.dirname(target) == folder and _profile_named(where):
            what = f"a profile's name in the profiles directory {settings.profiles_dir}"
        if what is None and os.path.commonpath([target, journal]) == journal:
            what = f"a file of drift's journal {settings.journal()}"
        if what is not None:
            raise UsageError(
                f"{option} names {visible(str(value))}: {what}, which this run reads; the "
                "report would replace it (nothing was checked)",
                hint="name another file for the report, outside the profiles directory and "
                "the journal (report.json)",
            )


def _profile_named(path: Path) -> bool:
    """A name a file of the profiles directory has that drift reads: a profile's (any YAML
    file: a misnamed one is said by `profiles validate`), the schema profiles name."""
    from drift.onboarding.write import SCHEMA_FILE

    return path.suffix.lower() in (".yaml", ".yml") or path.name == SCHEMA_FILE


def _place(value: str) -> str:
    """What a file or object option names, one key for each place."""
    where = location(value)
    return os.path.realpath(where) if isinstance(where, Path) else str(where)
