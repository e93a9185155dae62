"""Build the official async clients: Application Default Credentials in production, an
insecure channel with anonymous credentials when `*_EMULATOR_HOST` points at an emulator
(Cloud Run's and Secret Manager's both or none: an emulator is never mixed with the real
API)."""

from __future__ import annotations

import asyncio
import os
import weakref
from dataclasses import dataclass, field
from typing import Any

from drift.errors import AuthError, UsageError
from drift.live.credfail import default_refresh_failed, key_file_unusable, token_file_missing, words
from drift.live.googleenv import (
    DEFAULT_UNIVERSE,
    UNIVERSE,
    check_client_variables,
    check_ssl_roots,
    check_universe,
    configured_universe,
)
from drift.textsafe import visible

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
RUN_EMULATOR = "CLOUD_RUN_EMULATOR_HOST"
SECRETS_EMULATOR = "SECRET_MANAGER_EMULATOR_HOST"
RESOURCES_EMULATOR = "RESOURCE_MANAGER_EMULATOR_HOST"
EMULATORS = (RUN_EMULATOR, SECRETS_EMULATOR, RESOURCES_EMULATOR)
CLIENT_MODULES = tuple(
    "grpc google.api_core.exceptions requests google.auth.transport.grpc google.api_core.gapic_v1"
    " google.cloud.run_v2 google.cloud.secretmanager_v1".split()
)
"""What `make_clients` imports, for a command to import ahead of it in steps of about 0.05 s
(run_v2's own dependencies first), between which `Invocation.load` learns of a bad profile."""
STORAGE_EMULATOR = "STORAGE_EMULATOR_HOST"
KEY_FILE = "GOOGLE_APPLICATION_CREDENTIALS"
"""Read by the Cloud Storage client itself: it then talks to that host anonymously."""
PROXIES = ("grpc_proxy", "https_proxy", "http_proxy")
"""The proxy variables gRPC core reads, the first set winning (gRPC environment_variables.md)."""


@dataclass(frozen=True)
class Emulators:
    """Where each API's emulator answers: the variables set, each client at its own (Google's
    `*_EMULATOR_HOST` convention: one variable per client); Resource Manager at the Cloud
    Run emulator's address unless RESOURCE_MANAGER_EMULATOR_HOST says otherwise (the SPEC
    names the first two; `drift sandbox` serves all three at one address)."""

    hosts: dict[str, str]
    """The variables set, with their addresses (CLOUD_RUN_… and SECRET_MANAGER_… always)."""

    @property
    def run(self) -> str:
        return self.hosts[RUN_EMULATOR]

    def of(self, api: str) -> str:
        """The address of an API (`drift.live.outages.Api`; a client package: run_v2, …)."""
        if api in ("secrets", "access", "secretmanager_v1"):
            return self.hosts[SECRETS_EMULATOR]
        if api in ("resources", "resourcemanager_v3"):
            return self.hosts.get(RESOURCES_EMULATOR, self.run)
        return self.run

    def naming(self, host: str) -> str:
        """The variables set to `host`, as a message names them: `A, B and C`."""
        names = [name for name, value in self.hosts.items() if value == host]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass
class Clients:
    services: Any
    revisions: Any
    _secrets: Any = None
    """The Secret Manager client given, or (None) the one `secrets` makes on first use."""
    credentials: Any = None
    emulator: Emulators | None = None
    _resources: dict[str, Any] = field(default_factory=dict)
    _storage: Any = None
    _channel: Any = None
    """The emulator channel of the Secret Manager emulator's host, when the Cloud Run clients
    already have one to it (the lazy client shares it, as the clients made together did)."""

    @property
    def secrets(self) -> Any:
        """The Secret Manager client, made on first use (like `jobs` below): a command that
        reads no secret never builds its transport."""
        if self._secrets is None:
            self._secrets = _secrets_client(self)
        return self._secrets

    def resource_manager(self, kind: str) -> Any:
        """The Resource Manager v3 client of `kind` (projects, folders, organizations), made
        on first use: most checks never read the resource hierarchy."""
        client = self._resources.get(kind)
        if client is None:
            client = self._resources[kind] = _lazy_client("resourcemanager_v3", kind, self)
        return client

    @property
    def jobs(self) -> Any:
        """The Cloud Run v2 Jobs client (made on first use, like the two below: most
        profiles describe services only)."""
        return self._run("jobs")

    @property
    def executions(self) -> Any:
        return self._run("executions")

    @property
    def worker_pools(self) -> Any:
        return self._run("worker_pools")

    def _run(self, kind: str) -> Any:
        client = self._resources.get(kind)
        if client is None:
            # WorkerPoolsClient: since google-cloud-run 0.11.0
            client = self._resources[kind] = _lazy_client("run_v2", kind, self)
        return client

    def storage(self) -> Any:
        """The Cloud Storage client, made on first use (only reports named gs://… need it)."""
        if self._storage is None:
            self._storage = _storage_client(self)
        return self._storage

    async def close(self) -> None:
        made = (self.services, self.revisions, self._secrets, *self._resources.values())
        for client in made:
            if client is not None:
                await client.transport.close()
        if self._storage is not None:
            self._storage.close()


_MADE: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str | None, Any]] = (
    weakref.WeakKeyDictionary()
)


def credentials(impersonate: str | None = None) -> Any:
    """ADC (optionally impersonating a service account), or one clear AuthError: made once a
    command (its running event loop), so its sessions share one access token."""
    try:
        made = _MADE.setdefault(asyncio.get_running_loop(), {})
    except RuntimeError:  # no command running
        return _credentials(impersonate)
    if impersonate not in made:
        made[impersonate] = _credentials(impersonate)
    return made[impersonate]


def _credentials(impersonate: str | None = None) -> Any:
    import google.auth
    from google.auth import exceptions as auth_exc

    named = os.environ.get(KEY_FILE, "")
    source = f"{KEY_FILE}={visible(named)}" if named else "Application Default Credentials"
    try:
        creds, _ = google.auth.default(scopes=SCOPES)
    except auth_exc.RefreshError as exc:
        # external_account credentials without a project in the environment: google.auth
        # .default refreshes them to find the pool's project (external_account.py
        # `get_project_id`), reading the OIDC token file
        raise default_refresh_failed(source, exc) from exc
    except auth_exc.DefaultCredentialsError as exc:
        if named:  # google.auth.default loads it first, and its error is raised as is
            raise key_file_unusable(KEY_FILE, named, exc) from exc
        raise no_adc(exc) from exc
    except OSError as exc:  # google-auth open()s the key file and lets an OSError through
        if not named:
            raise no_adc(exc) from exc
        why = "it is a directory" if os.path.isdir(named) else f"{exc.strerror or exc}".lower()
        raise key_file_unusable(KEY_FILE, named, OSError(why)) from exc
    if missing := token_file_missing(creds, source):
        raise missing
    if impersonate:
        from google.auth import impersonated_credentials

        creds = impersonated_credentials.Credentials(  # type: ignore[no-untyped-call]
            source_credentials=creds, target_principal=impersonate, target_scopes=SCOPES
        )
    return creds


def no_adc(exc: Exception) -> AuthError:
    """No Application Default Credentials could be loaded, and what to do."""
    return AuthError(
        f"no Application Default Credentials: {visible(str(exc))}",
        hint="run `gcloud auth application-default login`, or set "
        "GOOGLE_APPLICATION_CREDENTIALS to a service account key file",
    )


def backend() -> str:
    """Where drift's calls go, as the journal records it (`Entry.backend`): `the emulator at
    HOST:PORT` (the sandbox) or `Google Cloud (googleapis.com)` (its universe domain). A
    change is rolled back only where it was made: a sandbox's service may share its name with
    a real one."""
    emulators = emulator_host()
    if emulators is not None:
        return f"the emulator at {visible(emulators.run)}"
    return f"Google Cloud ({visible(configured_universe())})"


def emulator_host() -> Emulators | None:
    """The emulators the clients talk to, or None for the real APIs. CLOUD_RUN_EMULATOR_HOST
    without SECRET_MANAGER_EMULATOR_HOST (or the other way round, or only
    RESOURCE_MANAGER_EMULATOR_HOST) is a usage error naming them: never a silent mix of an
    emulator and the real APIs, which would ask for credentials."""
    hosts = {name: os.environ.get(name, "") for name in EMULATORS}
    given = {name: host for name, host in hosts.items() if host}
    if not given:
        return None
    if RUN_EMULATOR not in given or SECRETS_EMULATOR not in given:
        shown = ", ".join(f"{name}={host or '(unset)'}" for name, host in hosts.items())
        raise UsageError(
            f"the emulator variables are half set: {shown}: an emulator is never mixed with "
            "the real APIs",
            hint=f"set {RUN_EMULATOR} and {SECRETS_EMULATOR} (`drift sandbox` prints the export "
            "lines to paste), or unset them all to use the real APIs",
        )
    emulators = Emulators(given)
    for host in dict.fromkeys(given.values()):
        if why := _not_an_address(host):
            raise UsageError(  # one variable "names" it, two or three "name" it (helper-740)
                f"{(n := emulators.naming(host))} name{'s' * (' and ' not in n)} {host!r}: {why}",
                hint="the variables take HOST:PORT, as `drift sandbox` prints them "
                "(127.0.0.1:8085, [::1]:8085)",
            )
    return emulators


def _not_an_address(host: str) -> str:
    """Why `host` is not the HOST:PORT the `*_EMULATOR_HOST` convention takes ("" when it is
    one): a URL's scheme (`http://…`), a port that is not a number — which gRPC would only
    report as a host name that does not resolve."""
    if "://" in host:
        return "drop the scheme (the variables take no URL)"
    name, colon, port = host.rpartition(":")
    if not colon or not name:
        return "no port (HOST:PORT)"
    if not port.isdigit() or not 0 < int(port) < 65536:
        return f"{port!r} is not a port (1 to 65535)"
    if name.startswith("[") != name.endswith("]"):
        return "an IPv6 address goes in brackets, the port after them"
    return ""


def make_clients(impersonate: str | None = None) -> Clients:
    """Create the clients; call inside the running event loop (gRPC asyncio channels)."""
    from google.cloud import run_v2
    from google.cloud.run_v2.services.revisions.transports import RevisionsGrpcAsyncIOTransport
    from google.cloud.run_v2.services.services.transports import ServicesGrpcAsyncIOTransport

    check_client_variables()  # every client reads them in its constructor, whatever the transport
    emulators = emulator_host()
    if emulators is None:
        check_ssl_roots()  # before the first secure channel, where gRPC core would abort
        creds = credentials(impersonate)
        check_universe(creds)  # before a client is made: the lazy ones share these credentials
        return Clients(
            services=run_v2.ServicesAsyncClient(credentials=creds),
            revisions=run_v2.RevisionsAsyncClient(credentials=creds),
            credentials=creds,
        )
    run = emulator_channel(emulators.run)
    return Clients(
        services=run_v2.ServicesAsyncClient(transport=ServicesGrpcAsyncIOTransport(channel=run)),
        revisions=run_v2.RevisionsAsyncClient(transport=RevisionsGrpcAsyncIOTransport(channel=run)),
        emulator=emulators,
        _channel=run if emulators.of("secrets") == emulators.run else None,
    )


def _secrets_client(clients: Clients) -> Any:
    """The Secret Manager async client: with the session's credentials, or on the Secret
    Manager emulator's channel (the Cloud Run clients' own when both emulators are at one
    host)."""
    from google.cloud import secretmanager_v1
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcAsyncIOTransport,
    )

    if clients.emulator is None:
        return secretmanager_v1.SecretManagerServiceAsyncClient(credentials=clients.credentials)
    channel = clients._channel or emulator_channel(clients.emulator.of("secrets"))
    return secretmanager_v1.SecretManagerServiceAsyncClient(
        transport=SecretManagerServiceGrpcAsyncIOTransport(channel=channel)
    )


NO_PROXY = ("grpc.enable_http_proxy", 0)
"""An emulator is local (the `*_EMULATOR_HOST` convention): its channels never take the proxy
that grpc_proxy / https_proxy / http_proxy name, which gRPC core applies to every channel,
loopback included (gRPC doc/environment_variables.md; the channel argument:
grpc/grpc#15699). The real APIs' channels keep honouring it."""


CONNECT_WITHIN = ("grpc.min_reconnect_backoff_ms", 5_000)
"""An emulator's connection is made within 5 s or not at all. gRPC gives every connection
attempt at least MIN_CONNECT_TIMEOUT, 20 s (grpc/grpc doc/connection-backoff.md), which core
takes from this channel argument: a port that accepts and never answers (a tunnel or port
forward with nothing behind it) kept the run silent for 20 s before drift could say so. A
local emulator completes its HTTP/2 handshake in milliseconds; the real APIs keep gRPC's."""


OWN_CONNECTION = ("grpc.use_local_subchannel_pool", 1)
"""Each emulator channel on a connection of its own, as each Google client's (`after_a_prompt`)."""


UNLIMITED = (("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1))
"""What the Google clients' own channels set (`create_channel` of each generated gRPC
transport): no message size limit, where gRPC's default refuses an answer over 4 MiB. The
channel drift makes for an emulator sets it too, so a large page (a ListRevisions of long
histories) reads as it would from Google, not as RESOURCE_EXHAUSTED."""


def emulator_channel(host: str, *options: tuple[str, int]) -> Any:
    import grpc

    own = [NO_PROXY, CONNECT_WITHIN, OWN_CONNECTION, *UNLIMITED]
    return grpc.aio.insecure_channel(host, options=[*own, *options])


def _lazy_client(package: str, kind: str, clients: Clients) -> Any:
    """`google.cloud.PACKAGE`'s async client of `kind` (`jobs`, `worker_pools`, `projects`,
    …), on the emulator's channel when there is one."""
    import importlib

    name = "".join(part.title() for part in kind.split("_"))
    client_type = getattr(importlib.import_module(f"google.cloud.{package}"), f"{name}AsyncClient")
    if clients.emulator is None:
        return client_type(credentials=clients.credentials)
    module = importlib.import_module(f"google.cloud.{package}.services.{kind}.transports")
    transport = getattr(module, f"{name}GrpcAsyncIOTransport")
    channel = emulator_channel(clients.emulator.of(package))
    return client_type(transport=transport(channel=channel))


def _storage_client(clients: Clients) -> Any:
    """The JSON API client of google-cloud-storage: a Cloud Storage emulator when
    STORAGE_EMULATOR_HOST names one, else the real API with the session's credentials. The
    sandbox has no Cloud Storage, and its runs never write to the real one."""
    import google.cloud.storage as storage

    if host := os.environ.get(STORAGE_EMULATOR):
        if "://" not in host:  # the library joins it to paths as it is: "No connection adapters"
            raise UsageError(
                f"{STORAGE_EMULATOR}={visible(host)}: google-cloud-storage takes the emulator's "
                f"URL, not host:port as the other emulator variables do",
                hint=f"set {STORAGE_EMULATOR}=http://{visible(host)}",
            )
        return storage.Client()
    if why := no_storage(clients.emulator):
        raise UsageError(why, hint=NO_STORAGE_HINT)
    return _real_storage_client(storage, clients.credentials)


def _real_storage_client(storage: Any, creds: Any) -> Any:
    """The real API's client, for the universe `check_universe` held the credentials to:
    google-cloud-storage reads no GOOGLE_CLOUD_UNIVERSE_DOMAIN, only `client_options`
    (google/cloud/storage/client.py `Client.__init__`), and refuses credentials of another
    universe with a ValueError. Given only when it is not googleapis.com: a universe given
    turns on the library's refusal of GOOGLE_API_USE_CLIENT_CERTIFICATE=true, which mTLS in
    googleapis.com keeps using. What the library refuses is said as a usage error, never as
    an internal one."""
    from google.auth.exceptions import GoogleAuthError

    universe = configured_universe()
    options = None if universe == DEFAULT_UNIVERSE else {"universe_domain": universe}
    try:
        return storage.Client(credentials=creds, project=None, client_options=options)
    except GoogleAuthError as exc:  # Compute Engine credentials: the metadata server's universe
        raise AuthError(
            f"Cloud Storage client: credentials failed: {words(exc)}",
            hint="run `gcloud auth application-default login`, or set " + KEY_FILE,
        ) from exc
    except ValueError as exc:  # the universe, or mTLS outside googleapis.com
        raise UsageError(
            f"the Cloud Storage client refuses this setup ({UNIVERSE}={visible(universe)}): "
            f"{visible(' '.join(str(exc).split()))[:300]}",
            hint="fix what it names, or name a local file instead of gs://",
        ) from exc


NO_STORAGE_HINT = f"set {STORAGE_EMULATOR} to a Cloud Storage emulator, or name a local file"


def no_storage(emulator: Emulators | None) -> str:
    """Why a gs:// write is refused whatever a run finds ("" when it is not): a run against
    emulators (the sandbox) with no Cloud Storage emulator never writes to the real one."""
    if emulator is None or os.environ.get(STORAGE_EMULATOR):
        return ""
    return (
        f"the sandbox at {emulator.run} has no Cloud Storage, and a sandbox run never writes "
        "to the real one"
    )
