"""Each secret version's value read once a run (AccessSecretVersion), however the references
name it: by its number, or by `latest` (or an alias) that resolves to it. Each read is an entry
in Secret Manager's data-access audit log, and one version is read once (SPEC: each API call is
made once; helper-781 C2: `latest` on one side of `compare` and the same version pinned on the
other were two calls). A read of `latest` tells which version it is:
AccessSecretVersionResponse.name is "The resource name of the SecretVersion in the format
`projects/*/secrets/*/versions/*`" (google/cloud/secretmanager/v1/service.proto).

So a read one name would be refused is not made when the other name answered with that
version (helper-812 A-1): a pin of version N after `latest` read N, or `latest` after the pin
was read (`_by_number`), is judged on that answer, where it was said unverified before. Sound:
the value judged is version N's, as the answer names it, and drift says only what that value
breaks. What differs is a refusal that hangs on the name asked, e.g. an IAM condition on
`resource.name` that grants `versions/latest` and not `versions/N` (or the reverse). The docs
do not say which name such a condition is judged on for an alias: AccessSecretVersionRequest
calls `latest` "an alias to the most recently created SecretVersion", the IAM resource
attributes page gives each resource's name format and no word on aliases, and Secret
Manager's access-control page says roles "can't be granted on a secret version". Kept, as
the docs leave it open: what drift judges was read, and whether a workload's own account may
read the secret is another check's (`drift.live.access`), never this read's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from drift.errors import ApiError
from drift.live.api import access_version
from drift.live.calls import CallRunner
from drift.live.clients import Clients
from drift.live.secret_state import VersionState
from drift.live.state import LiveState
from drift.live.tasks import Tasks
from drift.refs import SecretRef

Answer = tuple[str, bytes] | ApiError
"""The version the read resolved to and its payload, or why it could not be read."""


def learn_number(state: LiveState, asked: str, answer: str) -> None:
    """The number of the project id `asked` named (`state.projects`): Secret Manager answers
    by number whatever the request used (`projects/{project_number}/secrets/{secret_id}/…`,
    as metastore v1 Secret.cloud_secret cites it): one secret whether or not GetProject could
    be read (revown46 R4; `drift.secret_target`). AccessSecretVersionResponse.name too
    (task 832: `compare --live` without GetProject then knows what its value reads named)."""
    token, number = asked.split("/")[1], str(answer).split("/")[1:2]
    if number and number[0].isdigit() and token and not token.isdigit():
        state.projects.setdefault(number[0], token)


def _read_key(name: str) -> tuple[str, tuple[str, str]]:
    return ("read", ("AccessSecretVersion", name))


def _group(name: str) -> tuple[str, str]:
    """The value reads of the secret of the version `name` (`Tasks.started`)."""
    return ("AccessSecretVersion", name.rsplit("/", 1)[0])


class VersionValues:
    """The value reads of one run (`tasks`: one task per version name asked for), and the
    state reads beside them (`state.versions`, when the run reads states: `check`)."""

    def __init__(
        self, clients: Clients, runner: CallRunner, tasks: Tasks, state: LiveState
    ) -> None:
        self.clients, self.runner, self.tasks, self.state = clients, runner, tasks, state

    async def value(self, name: str, ref: SecretRef | None = None) -> Answer:
        """The value of the version `name` names (`ref`'s, when a reference names it), read
        once a run however many references lead to it. By its number, when a read of
        `latest` (or an alias) of its secret started before it answered with that version
        (`_by_alias`). `latest`, when that version's read by its number is under way and the
        state read beside it says `latest` is that version (`_by_number`). Each read is
        awaited shielded: it is every reader's of its name (and of the name mapped onto it),
        and a reader cancelled leaves it to the others."""
        if _read_key(name) not in self.tasks:
            found = await self._by_alias(name) or await self._by_number(name, ref)
            if found is not None:
                return await asyncio.shield(self._once(name, lambda: found))
        return await asyncio.shield(self._once(name, lambda: self._read(name)))

    def _once(self, name: str, make: Callable[[], Awaitable[Answer]]) -> asyncio.Task[Answer]:
        """The read of `name`, one of its secret's (`_started`)."""
        return self.tasks.once(_read_key(name), make, _group(name))

    async def _read(self, name: str) -> Answer:
        try:
            answer = await access_version(self.clients, self.runner, name)
        except ApiError as exc:
            self.state.value_reads[name] = exc
            return exc
        learn_number(self.state, name, answer[0])  # the version it names: by number
        self.state.value_reads[name] = None  # registered by its reader
        return answer

    def _started(self, name: str) -> list[tuple[str, asyncio.Task[Any]]]:
        """The version reads of the secret of the version `name` started so far: each
        version as named, and its read."""
        return [
            (asked.rsplit("/", 1)[1], task) for (_, asked), task in self.tasks.started(_group(name))
        ]

    async def _by_alias(self, name: str) -> asyncio.Task[Any] | None:
        """The read of `latest` (or an alias) of its secret, started before it, whose answer
        is the value of the version `name` names by its number. None: none (a read refused,
        of another version, or none started)."""
        number = name.rsplit("/", 1)[1]
        if not number.isdigit():
            return None
        for version, task in self._started(name):
            if version.isdigit():
                continue
            answer = await asyncio.shield(task)  # a pin's reader cancelled: not `latest`'s read
            if not isinstance(answer, ApiError) and answer[0].rsplit("/", 1)[-1] == number:
                return task
        return None

    async def _by_number(self, name: str, ref: SecretRef | None) -> asyncio.Task[Any] | None:
        """The read by its number, under way, of the version the state read of `ref` (its
        GetSecretVersion, made anyway beside the value read: no call of its own) resolved
        `latest` (or an alias) to, ENABLED, when it gave that value; None when there is none,
        or no state is read (`compare`: its reads of `latest` come first, `_by_alias`;
        GetSecretVersion would be a call of its own, and the value read is then made)."""
        if ref is None or ref.version.isdigit():
            return None
        state = self.tasks.get(("version", ref))
        if state is None:
            return None
        numbered = {version: task for version, task in self._started(name) if version.isdigit()}
        if not numbered:
            return None
        await asyncio.shield(state)  # shared: the others' waits go on when this one is cancelled
        info = self.state.versions.get(ref)
        if info is None or info.state is not VersionState.ENABLED or not info.resolved:
            return None
        task = numbered.get(info.resolved)
        if task is None or isinstance(await asyncio.shield(task), ApiError):
            return None  # refused: `latest` is read and said as ever
        return task
