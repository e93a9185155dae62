"""The one error tree for everything a user can cause or the cloud can answer. Each error is
one clear message (`diagnostics()`) and an exit code; `main` catches them once."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import IntEnum

from drift.redact import Secrets, mask, mask_cut, register
from drift.textsafe import visible


class ExitCode(IntEnum):
    """Exit codes shared by every command (SPEC: Exit codes)."""

    OK = 0
    DRIFT = 1
    USAGE = 2
    INCOMPLETE = 3
    ABORTED = 4


class DriftError(Exception):
    """Base of every error drift reports as one clear message and an exit code."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        # Masked where it is made: a message may quote a value drift knows is a secret.
        message = mask(message)
        super().__init__(message)
        self.message = message
        self.hint = None if hint is None else mask(hint)

    def diagnostics(self) -> str:
        """The text shown to the user: the message, then a hint if there is one."""
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled as it stands, without calling `__init__` again (whose arguments differ
        from subclass to subclass): an error a child process met travels whole
        (`drift.cli.overlap`)."""
        return (_rebuilt, (type(self), self.args, dict(self.__dict__)))


def _rebuilt(
    cls: type[DriftError], args: tuple[object, ...], state: dict[str, object]
) -> DriftError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class UsageError(DriftError):
    """Bad flags, settings or arguments: nothing was checked."""


@dataclass(frozen=True)
class Problem:
    """One `file:line: message` problem in a YAML input (profile, scenario, manifest), or
    `file: path: message` where a JSON path says more than a line (a Terraform plan is one
    line)."""

    file: str
    line: int
    message: str
    path: str = ""

    def __str__(self) -> str:
        # one line of an error: a key, value or path of the input it quotes is shown visibly
        # (a line break in it would start a line of its own, which a CI runner may act on)
        file, message = visible(self.file), visible(self.message)
        if self.path:
            return f"{file}: {visible(self.path)}: {message}"
        return f"{file}:{self.line}: {message}"


class InputError(DriftError):
    """One or more problems in a YAML input, each located at `file:line`."""

    def __init__(self, problems: Sequence[Problem], *, kind: str = "profile") -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        noun = "error" if count == 1 else "errors"
        text = "\n".join(str(p) for p in self.problems)
        super().__init__(text if count == 1 else f"{count} {kind} {noun}:\n{text}")


class OutputLost(UsageError):
    """Standard output (or error) could not be written: the reader closed the pipe (`drift
    check | head`, a `tee` or log collector that died), the disk is full. What the command had
    to say is lost, so its exit code never reads as a report that was read: 2; `drift check`,
    `plan`, `history` and `compare` treat it as any output lost once they read (a check's other
    outputs still written, exit 1 if drift was found, else 3: `drift.cli.destinations`);
    `drift fix` ends it as an abort
    (exit 4, cleaned up: `drift.fix.context.Fixer`), and as incomplete (3) once its change is
    made."""

    def __init__(self, message: str, *, code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.exit_code = code


class EmulatorUnreachable(UsageError):
    """The `*_EMULATOR_HOST` variables point where nothing answers: a configuration to fix,
    never a transient failure to retry (nothing was checked)."""


class ProfileError(InputError):
    """A profile could not be loaded."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(problems, kind="profile")


class AuthError(DriftError):
    """No usable credentials: nothing was checked."""


class ProbeConfigError(DriftError):
    """A probe cannot be built from its profile block in this environment (nothing probed)."""


class ProbeAuthError(AuthError):
    """No Google ID token could be obtained for a probe with `auth: google-id-token`."""


class ApiError(DriftError):
    """A Google API call that failed for good: what was asked, of what, and the status it
    got. Reads turn it into an unverified item; writes stop with it."""

    refused_each = False
    """A write's failure (`drift.fix.update.update_workload`): it was sent, and each attempt
    sent got the server's refusal (`drift.fix.update.refusal`), none an answer lost: nothing
    of it was written (helper-817 K2). A refused retry after an attempt whose answer was lost
    is not: that attempt may land after the read made before the retry, and its new etag get
    the retry refused."""

    done = False
    """A write's failure that is its long-running operation's own result
    (`drift.fix.update.update_workload`): the operation is done ("If true, the operation is
    completed, and either error or response is available", google/longrunning
    operations.proto), so the request will not be carried out later (`lost_answer.lost`)."""

    def __init__(
        self,
        call: str,
        resource: str,
        status: str,
        detail: str,
        *,
        retry_after: float | None = None,
        disabled: str = "",
        withheld: Collection[str] = (),
    ) -> None:
        """`withheld`: the values a write sent that every output shows as `***` for their
        variable's name (`drift.fix.update.withheld`), masked in the server's words where they
        stand, cut or whole (`_withheld`)."""
        self.call = call
        self.resource = resource
        self.status = status
        # `not_enabled`'s sentence when the server's ErrorInfo says SERVICE_DISABLED (set by
        # drift.live.calls `_details`), never read out of the server's words
        self.disabled = disabled
        # What in the server's words is shaped like a credential (a URL with a password drift
        # never read, a value it is writing or restoring: revleak70) is registered as a live
        # value's is (`drift.live.remember`), masked here and in every output.
        from drift.credentials import credential_pieces  # an error's path: not `--help`'s

        for piece in credential_pieces(detail):
            register(piece)
        detail = _withheld(detail, withheld)
        # The server's words, masked before they are flattened and cut (what drift learns is
        # a secret later is found when the report is rendered: see drift.redact), a secret
        # the server cut where its text ends included: drift quotes this text inside its own
        # sentences, where that end is no longer the end of what is printed.
        self.detail = _clipped(" ".join(mask_cut(detail).split()))
        self.retry_after = retry_after
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        said = f"{self.disabled}. " if self.disabled else ""
        return f"{self.call} {self.resource}: {self.status}: {said}{self.detail}"

    @property
    def brief(self) -> str:
        """The reason without the server's message, for logs written while the run goes on:
        a message may quote a value before drift knows it is a secret (and can scrub it)."""
        return f"{self.call} {self.resource}: {self.status}"


def _withheld(text: str, values: Collection[str]) -> str:
    """`text` with each of `values` masked wherever it stands, and the prefixes a server that
    cut it leaves (`Secrets.mask(echo=True)`, as a live secret's): the plan showed each as
    `***`, so no output of the run may show it or a piece of it (revown71 F1: `'hunter2hun...'`,
    `…/check/hunter2hunter`). Never registered for the whole run: a value masked for its
    variable's name alone is masked as its own variable's value only (`drift.live.remember`);
    the names drift shows in clear are not among them (`drift.fix.update.withheld`)."""
    if not values:
        return text
    sent = Secrets()
    for value in values:
        sent.add(value)
    return sent.mask(text, echo=True)


def _clipped(text: str, limit: int = 300) -> str:
    """`text`, or its first words within `limit` characters and `…`: never a word cut in
    two ("roles/secr", revjobs60 F2)."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return f"{head.rstrip()} …"


class IncompleteRead(DriftError):
    """Some items could not be read: the command did not complete (never looks clean)."""

    exit_code = ExitCode.INCOMPLETE


class Aborted(DriftError):
    """`fix` or `rollback` stopped safely (declined, canary failed, changed underneath)."""

    exit_code = ExitCode.ABORTED


class JournalError(DriftError):
    """The journal (`.drift/journal/`) cannot be read or written, or an entry is not what drift
    recorded: nothing more is written to the cloud."""


class JournalUnwritable(JournalError):
    """The journal (its directory, `.gitignore`, a lock) cannot be written before `fix` or
    `rollback` sent anything (a full or read-only disk, no permission): aborted safely with
    nothing changed (exit 4), as when its first entry cannot be written, in every path
    (helper-601 F3: exit 2 or 4, and a different ending, by which file failed first)."""

    exit_code = ExitCode.ABORTED


class SecretUnrecordable(JournalError):
    """A secret's value drift read stands where the journal could record it only as it is (a
    label's or an annotation's name): the entry is not written, so nothing is changed (SPEC
    safety invariant 1; `drift.fix.withheld`)."""


class JournalUnreadable(JournalError):
    """The journal's directory (or its locks') cannot be listed (permission denied): what it
    holds is unknown, never "no change recorded" (exit 3: incomplete, as an unread item)."""

    exit_code = ExitCode.INCOMPLETE


class Interrupted(DriftError):
    """Ctrl-C: one line saying what state things were left in, and the command's code."""

    def __init__(self, code: ExitCode, what: str) -> None:
        super().__init__(f"interrupted: {what}")
        self.exit_code = code
