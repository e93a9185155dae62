"""The one error hierarchy for everything a user can cause or the cloud can answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum


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
        super().__init__(message)
        self.message = message
        self.hint = hint

    def diagnostics(self) -> str:
        """The text shown to the user: the message, then a hint if there is one."""
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class UsageError(DriftError):
    """Bad flags, settings or arguments: nothing was checked."""


@dataclass(frozen=True)
class Problem:
    """One `file:line: message` problem in a YAML input (profile or scenario)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class InputError(DriftError):
    """One or more problems in a YAML input, each located at `file:line`."""

    def __init__(self, problems: Sequence[Problem], *, kind: str = "profile") -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        noun = "error" if count == 1 else "errors"
        text = "\n".join(str(p) for p in self.problems)
        super().__init__(text if count == 1 else f"{count} {kind} {noun}:\n{text}")


class ProfileError(InputError):
    """A profile could not be loaded."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(problems, kind="profile")


class AuthError(DriftError):
    """No usable credentials: nothing was checked."""


class ApiError(DriftError):
    """A Google API call failed in a way that stops the command."""

    def __init__(self, call: str, resource: str, status: str, detail: str) -> None:
        self.call = call
        self.resource = resource
        self.status = status
        self.detail = detail
        super().__init__(f"{call} {resource}: {status}: {detail}")


class Aborted(DriftError):
    """`fix` or `rollback` stopped safely (declined, canary failed, changed underneath)."""

    exit_code = ExitCode.ABORTED
