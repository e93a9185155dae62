"""What every command starts with: its options turned into settings (and a loaded profile),
logging set up, and the library's async work run with Ctrl-C turned into one clear line."""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from drift.cli.overlap import overlapped
from drift.cli.signals import ctrl_c_latched, like_ctrl_c
from drift.errors import DriftError, ExitCode, Interrupted, UsageError
from drift.findings import FailOn

if TYPE_CHECKING:
    from drift.live.calls import CallRunner
    from drift.profiles.model import Profile
    from drift.settings import Settings

T = TypeVar("T")


@dataclass
class RunState:
    """What `main` needs to know about the command that ran (set once options are parsed)."""

    verbose: bool = False
    declined: bool = False
    """A person answered "no" at a prompt: the abort that follows is an answer, not an
    error."""
    owns_process: bool = False
    """Run by `main` (the process ends with the command): the collector may be tuned."""
    annotate: bool = False
    """The command writes GitHub workflow commands (`--format github`): an input error is
    also an `::error` annotation on its file and line."""
    grpc_quieted: bool = False
    """GRPC_VERBOSITY is drift's own (`drift.cli.own_process`), not the user's: a command
    may quiet gRPC further (`drift sandbox`: none of its lines)."""


STATE = RunState()
BOTH_SIDES = ("drift.settings", "drift.profiles.model")
"""What the child reading a profile and this process, loading what it sends back, both import
(`Invocation.load`; the settings catalogue among them): 36 ms of CPU, once."""


@dataclass
class Invocation:
    """The options a command was given; `settings()` and `profile()` turn them into objects."""

    environment: str = ""
    profiles: Path | None = None
    project: str | None = None
    region: str | None = None
    fail_on: FailOn | None = None
    impersonate: str | None = None
    verbose: bool = False
    wait: str | float | None = None
    """Seconds, or a duration (`2m`): `load_settings` reads and bounds it."""

    def __post_init__(self) -> None:
        STATE.verbose = self.verbose
        _logging(self.verbose)
        _working_directory()

    def settings(self, **overrides: Any) -> Settings:
        from drift.settings import load_settings

        return load_settings(
            profiles_dir=self.profiles,
            project=self.project,
            region=self.region,
            fail_on=self.fail_on,
            impersonate_service_account=self.impersonate,
            wait=self.wait,
            **overrides,
        )

    def profile(self, settings: Settings, *, elsewhere: str = "options") -> Profile:
        """The environment's merged profile, with --project/--region applied (`elsewhere`:
        whether the command has them, `variables`: DRIFT_PROJECT and DRIFT_REGION alone)."""
        from drift.profiles.loader import load_profile
        from drift.settings import source_of

        profile = load_profile(
            settings.profiles_dir,
            self.environment,
            project=settings.project,
            region=settings.region,
            elsewhere=elsewhere,
            source=source_of("profiles_dir", self.profiles),
        )
        if settings.region:
            profile = replace(profile, region_from=source_of("region", self.region))
        if not settings.project:
            return profile
        return replace(profile, project_from=source_of("project", self.project))

    def load(
        self,
        *then: str,
        clients: bool = True,
        interrupted: ExitCode = ExitCode.INCOMPLETE,
        reads: Iterable[str] = (),
        **overrides: Any,
    ) -> tuple[Settings, Profile]:
        """The settings and the profile, read in a child process while this one imports
        the modules the command uses next (`then`) and, with `clients`, the Google client
        libraries (`drift.cli.overlap`: most of a command's start-up, on the other core).
        Ctrl-C meanwhile is one line and `interrupted`: nothing was read or written yet.

        A profile refused is said as soon as the child says it, the modules left unimported
        (one at a time: `overlapped` looks for the child's answer between them); and when a
        local file the command reads next (`reads`: a --baseline, a --manifest) is not a file,
        none is imported: the command stops there (exit 2), with that file's own error, said
        where it always was (helper-633 F2). A module not imported ahead is imported when
        used: only the time it takes moves."""

        import importlib

        def read() -> tuple[Settings, Profile]:
            settings = self.settings(**overrides)
            return settings, self.profile(settings)

        def meanwhile() -> Iterator[None]:
            from drift.live.clients import CLIENT_MODULES

            if not all(os.path.isfile(name) for name in reads):
                return
            for module in (*then, *CLIENT_MODULES) if clients else then:
                yield
                importlib.import_module(module)

        said = "before anything was read from Google Cloud or changed"
        tuned = STATE.owns_process and gc.isenabled()
        if tuned:  # the modules imported and the profile loaded are never garbage
            gc.disable()
        try:
            with _interrupted_as(interrupted, said):
                for module in BOTH_SIDES:  # once, before the fork: not once in each process
                    importlib.import_module(module)
                settings, profile = overlapped(read, meanwhile, errors=(DriftError,))
        finally:
            if tuned:
                # They live until the process ends: no collection needs to scan them. Frozen
                # before the collector is back on, so none begins by scanning them all once
                # (freezing also resets its count of new objects).
                gc.freeze()
                gc.enable()
        return settings, profile

    def pair(self, settings: Settings, first: str, second: str) -> tuple[Profile, Profile]:
        """Two environments' merged profiles (`drift compare`), read at once: the first in a
        child process, the second here. A refusal is the one reading them in turn would give:
        the first profile's if it has one, else the second's."""
        from drift.profiles.loader import load_profile
        from drift.settings import source_of

        here: list[Profile | DriftError] = []
        source = source_of("profiles_dir", self.profiles)

        def meanwhile() -> None:
            try:
                here.append(
                    load_profile(settings.profiles_dir, second, elsewhere="", source=source)
                )
            except DriftError as exc:  # said after the first profile's own refusal, if any
                here.append(exc)

        with _interrupted_as(ExitCode.INCOMPLETE, "nothing was compared"):
            profile = overlapped(
                lambda: load_profile(settings.profiles_dir, first, elsewhere="", source=source),
                meanwhile,
                errors=(DriftError,),
            )
        (other,) = here
        if isinstance(other, DriftError):
            raise other
        return profile, other


@contextmanager
def _interrupted_as(code: ExitCode, said: str) -> Iterator[None]:
    """A Ctrl-C while the block runs is `Interrupted(code, said)`: raised as
    KeyboardInterrupt, swallowed where Python reports it as ignored (`ctrl_c_latched`), or
    come out of an import as another error — CPython loses the KeyboardInterrupt while it
    builds the import's own error ("TypeError: expected a message argument": an "internal
    error" in a full run)."""
    with ctrl_c_latched() as ctrl_c:
        try:
            yield
        except KeyboardInterrupt:
            raise Interrupted(code, said) from None
        except Exception:
            if not ctrl_c:
                raise
            raise Interrupted(code, said) from None
    if ctrl_c:
        raise Interrupted(code, said)


@contextmanager
def progress_shown(label: str, runner: CallRunner, *, quiet: bool) -> Iterator[None]:
    """`drift.progress.progress` on a terminal, with SIGTERM and SIGHUP taken as Ctrl-C from
    the moment its line (and the cursor it hides) is up: whichever lands, the line comes down
    and the cursor is shown again, and the exit says the run is incomplete. Their default
    action ended the process on the spot (`timeout 60 drift check`: the shell left without a
    cursor, the run without a line saying why) (revcli88 F2)."""
    from drift.progress import progress, wanted

    with like_ctrl_c():
        try:
            with progress(label, runner, enabled=wanted(quiet=quiet)):
                yield
        except KeyboardInterrupt:  # before the run began, or after it ended: no step's own
            raise Interrupted(ExitCode.INCOMPLETE, "the command did not finish") from None


def _working_directory() -> None:
    """A working directory removed since the shell entered it (a checkout deleted under a
    terminal, a CI workspace cleaned) is one clear error before a command runs: its
    configuration, journal and reports are looked for from there, and `os.getcwd()` raises.
    Asked here, where a command begins: `--help` needs no directory."""
    try:
        os.getcwd()
    except FileNotFoundError:
        raise UsageError(
            "the working directory no longer exists (removed or moved since the shell entered "
            "it): `cd` to a directory that exists and run drift again"
        ) from None


def _logging(verbose: bool) -> None:
    from drift.redact import ScrubFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ScrubFilter())
    handler.setFormatter(logging.Formatter("drift: %(levelname)s: %(message)s"))
    logger = logging.getLogger("drift")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING)
