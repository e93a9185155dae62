"""One connection to the Google APIs: the only place clients are made. A session holds the
clients and the call runner (limits, retries, counts) and closes them together; reads and
writes go through it. Within a command (`one_set_of_clients`), its sessions share one set of
clients, made by the first, made anew after a person was asked (`after_a_prompt`), and closed
as the command ends."""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import AsyncIterator, Awaitable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any

from drift.errors import EmulatorUnreachable
from drift.kinds import Kind
from drift.live.calls import CallRunner, Limits

if TYPE_CHECKING:
    from drift.live.api import Listing
    from drift.live.clients import Clients
    from drift.live.reader import HistoryWanted
    from drift.live.resolve import Secrets
    from drift.live.secrets import Tasks
    from drift.live.state import LiveState
    from drift.live.storage import StorageObject
    from drift.live.value_reads import ValueReads
    from drift.profiles.model import Profile


@dataclass(frozen=True)
class Access:
    """What reaching the APIs needs: the call limits and whose credentials."""

    limits: Limits = field(default_factory=Limits)
    impersonate: str | None = None


class CommandClients:
    """The clients of one command's sessions, by whose credentials and which emulators: made
    by the first session that needs them, inside the command's event loop (gRPC asyncio
    channels belong to it), and closed once as the command ends. Against Google each client
    is a channel of its own — a TCP and TLS handshake — and `fix` opens five sessions. The
    sets retired (`renew`) are closed with the rest as the command ends."""

    def __init__(self) -> None:
        self._made: dict[tuple[str | None, tuple[str, ...]], Clients] = {}
        self._retired: list[Clients] = []
        self.renewed = 0
        """How many times the sets were renewed (a session's lent set is of the latest)."""

    def lend(self, impersonate: str | None) -> Clients:
        from drift.live.clients import EMULATORS, make_clients

        key = (impersonate, tuple(os.environ.get(name, "") for name in EMULATORS))
        clients = self._made.get(key)
        if clients is None:  # what make_clients refuses is refused to each session that asks
            clients = self._made[key] = make_clients(impersonate)
        return clients

    def renew(self) -> None:
        """The next `lend` makes its set anew: its connections are new ones. What was lent
        before is retired, not closed yet: a step that still holds it (another workload's, in
        a fan-out) is not cut off."""
        self._retired += self._made.values()
        self._made = {}
        self.renewed += 1

    async def close(self) -> None:
        """Close every set, each even when one before failed to close or a second Ctrl-C
        (a cancellation) came while it did; then the first such error goes on."""
        made = [*self._retired, *self._made.values()]
        self._retired, self._made = [], {}
        first: BaseException | None = None
        for clients in made:
            try:
                await clients.close()
            except BaseException as exc:  # the rest are closed all the same
                first = first or exc
        if first is not None:
            raise first


_COMMANDS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CommandClients] = (
    weakref.WeakKeyDictionary()
)


@asynccontextmanager
async def one_set_of_clients() -> AsyncIterator[None]:
    """The sessions opened in this event loop while the block runs share their clients
    (`CommandClients`), closed as it ends, however it ends (an error, a Ctrl-C). Inside
    another such block of the loop: that one's. A session outside any makes and closes its
    own."""
    loop = asyncio.get_running_loop()
    if loop in _COMMANDS:
        yield
        return
    shared = _COMMANDS[loop] = CommandClients()
    try:
        yield
    finally:
        del _COMMANDS[loop]
        await shared.close()


def after_a_prompt() -> None:
    """A person was asked (`drift.cli.prompt.PromptUI.confirm`): the command's sessions go on
    on new connections, open ones too (`Session.clients`). While a question waits, nothing
    crosses the ones made before, and a NAT or firewall that forgets an idle connection does
    so silently (no RST, no FIN): drift sets no keepalive, and a call sent on it would wait out
    its deadline, each retry too, until the retry budget ends. A channel made anew connects
    anew: a Google client's credentials are its own, and gRPC core's global subchannel pool
    lends a channel an open connection only to the same target, arguments and credentials
    (an emulator's channels: `drift.live.clients.OWN_CONNECTION`). Against Google that costs
    a TCP and TLS handshake a channel, next to a person's answer. Outside a command
    (`one_set_of_clients`): nothing (each session has its own clients)."""
    try:
        shared = _COMMANDS.get(asyncio.get_running_loop())
    except RuntimeError:  # no event loop running
        return
    if shared is not None:
        shared.renew()


class Session:
    """`async with Session(access) as session:` — clients made on entry (inside the running
    event loop: gRPC asyncio channels belong to it), closed on exit; within
    `one_set_of_clients`, the command's (those lent now: made anew after a prompt), closed as
    it ends."""

    def __init__(self, access: Access, runner: CallRunner | None = None) -> None:
        self.access = access
        self.runner = runner or CallRunner(access.limits)
        self._clients: Clients | None = None
        self._lent: CommandClients | None = None
        self._renewed = 0

    @property
    def clients(self) -> Clients:
        if self._clients is None:
            raise RuntimeError("the session is not open")
        if self._lent is not None and self._lent.renewed != self._renewed:  # made anew since
            self._clients = self._lent.lend(self.access.impersonate)
            self._renewed = self._lent.renewed
        return self._clients

    async def __aenter__(self) -> Session:
        from drift.live.clients import make_clients

        shared = self._lent = _COMMANDS.get(asyncio.get_running_loop())
        if shared is not None:
            self._renewed = shared.renewed
            self._clients = shared.lend(self.access.impersonate)
        else:
            self._clients = make_clients(self.access.impersonate)
        self.runner.emulator = self._clients.emulator
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._clients is not None:
            clients, self._clients = self._clients, None
            if self._lent is None:
                await clients.close()
            elif isinstance(exc, EmulatorUnreachable):
                # its channel backs off (5 s and more): the next session's connects anew
                self._lent.renew()
            self._lent = None

    async def read(
        self,
        profile: Profile,
        names: Iterable[str],
        *,
        wait: float = 0.0,
        history: HistoryWanted | None = None,
        secrets: Secrets = "read",
        shared: Tasks | None = None,
        compared: frozenset[str] = frozenset(),
        values: ValueReads | None = None,
    ) -> LiveState:
        """What the named services of a profile run with (see `Reader`); a deploy in progress
        is waited for up to `wait` seconds; `history` says whose revisions to list too;
        `secrets`: what is learnt of the secrets references name (`Secrets`); `shared`:
        answers shared with another read of the run (`Reader.shared`); `compared`: workloads
        read for a `same_as` of the others only (`SecretChecks`); `values`: where the value of
        each version the workloads reference is read as it resolves (`SecretChecks.values`)."""
        from drift.live.reader import Reader

        reader = Reader(
            self.clients,
            self.runner,
            profile.project,
            profile.region,
            wait=wait,
            history=history,
            secrets=secrets,
            shared=shared,
            compared=compared,
        )
        reader.checks.values = values
        return await reader.read(profile, names)

    async def check_secrets(
        self, profile: Profile, names: Iterable[str], state: LiveState, *, numbered: bool = False
    ) -> str:
        """What the secret references of the workloads `state` describes resolve to (for
        workloads described otherwise than by reading them: manifests); no Cloud Run call.
        `numbered`: the profile's project is looked up too, for its number
        (`LiveState.number_of`); why it could not be ("" when it was, or not asked)."""
        from drift.live.resolve import SecretChecks

        profiles = [profile.services[n] for n in names]
        checks = SecretChecks(self.clients, self.runner, profile.project, state)
        checks.expect(profiles)
        if not numbered:
            await checks.resolve(profiles)
            return ""
        _, why = await asyncio.gather(checks.resolve(profiles), checks.access.own_project())
        return why

    async def revision(self, name: str) -> Any:
        """One revision by its full name (GetRevision); `ApiError` when it cannot be read."""
        from drift.live.api import get_revision

        return await get_revision(self.clients, self.runner, name)

    async def own_project(self, project: str, state: LiveState) -> str:
        """Look `project` up (its number and id recorded in `state.projects`, as a read does
        for the projects references name); why it could not be, "" when it was."""
        from drift.live.resolve import SecretChecks

        return await SecretChecks(self.clients, self.runner, project, state).access.own_project()

    async def list_services(self, project: str, region: str) -> dict[str, Any]:
        from drift.live.api import list_services, parent

        return await list_services(self.clients, self.runner, parent(project, region))

    async def write_object(self, target: StorageObject, data: bytes) -> None:
        from drift.live.storage import upload

        await upload(self.clients.storage(), target, data)

    async def read_object(self, source: StorageObject, limit: int) -> bytes:
        from drift.live.storage import download

        return await download(self.clients.storage(), source, limit)

    async def list_workloads(
        self, project: str, region: str, kind: Kind, shared: Tasks | None = None
    ) -> list[str]:
        """The names of every workload of `kind` there; `shared`: the listing is kept there
        for a read of the same location to use (`read(..., shared=)`), not listed again."""
        from drift.live.api import parent
        from drift.live.workloads import list_workloads

        if shared is None:
            return await list_workloads(self.clients, self.runner, parent(project, region), kind)
        listing = await self.listing(project, region, kind, shared)
        if listing.error is not None:
            raise listing.error
        return sorted(listing.items)

    def listing(self, project: str, region: str, kind: Kind, shared: Tasks) -> Awaitable[Listing]:
        """Start listing every workload of `kind` there (its messages, and the failure that
        stopped the list), kept in `shared` for a read of the same location to use
        (`read(..., shared=)`), not listed again."""
        from drift.live.api import parent
        from drift.live.reader import shared_key
        from drift.live.workloads import list_kind

        where = parent(project, region)
        make = partial(list_kind, self.clients, self.runner, where, kind)
        return shared.once(shared_key(where, ("list", kind)), make)

    def list_secrets(self, project: str, shared: Tasks) -> None:
        """Start listing the secrets of `project`, kept in `shared` for a read of the project
        to use (`read(..., shared=)`), not listed again."""
        from drift.live.api import secrets_listed

        secrets_listed(self.clients, self.runner, project, shared)

    def values(self, project: str) -> ValueReads:
        """What reads the values a read's workloads reference (`read(..., values=)`)."""
        from drift.live.value_reads import ValueReads

        return ValueReads(self.clients, self.runner, project)

    async def access_secret(self, name: str) -> bytes:
        from drift.live.api import access_secret

        return await access_secret(self.clients, self.runner, name)


async def read_live(
    profile: Profile,
    names: Iterable[str],
    access: Access,
    runner: CallRunner | None = None,
    *,
    wait: float = 0.0,
    history: HistoryWanted | None = None,
    compared: frozenset[str] = frozenset(),
    secrets: Secrets = "read",
) -> LiveState:
    """Open a session, read, close (`secrets`: as `Session.read`)."""
    async with Session(access, runner) as session:
        return await session.read(
            profile, names, wait=wait, history=history, compared=compared, secrets=secrets
        )
