"""Shared fixtures: the in-process sandbox (Cloud Run + Secret Manager emulator) and the
official Google clients pointed at it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests explore with a fixed seed, so a run on a fresh machine is reproducible;
# HYPOTHESIS_PROFILE=explore searches anew (and remembers failures in .hypothesis/).
hypothesis_settings.register_profile("ci", derandomize=True, database=None, deadline=None)
hypothesis_settings.register_profile("explore", deadline=None, max_examples=500)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The suite may itself run in GitHub Actions: drift reads GITHUB_ACTIONS, GITHUB_WORKSPACE and
# GITHUB_STEP_SUMMARY (annotations' paths, the step summary). The tests that want them set
# them; none may inherit the CI runner's.
for _name in [n for n in os.environ if n.startswith("GITHUB_")]:
    del os.environ[_name]


def _temporary_files_in_memory() -> None:
    """Temporary files (every `tmp_path`, the journals and locks drift writes there, the
    zygote's sockets) go to a RAM-backed /dev/shm where one has room and TMPDIR does not choose
    another place: drift syncs each journal and lock write to disk (`os.fsync`, as it must for
    a kill -9 or a power cut), and on a virtual disk each sync waits ~9 ms (2 cores, 2026-12-01:
    write + fsync + directory fsync, 9.2 ms in /tmp, 0.04 ms in /dev/shm; tests/fix,
    tests/reliability and tests/jobs make ~9,800 of them). What the tests prove is the same:
    no test can tell a synced file from one in the page cache. Set here, at the import of this
    file, so that the controller's temporary root (which pytest-xdist hands each worker) and
    every process the tests start inherit it."""
    import shutil
    import tempfile

    shm = "/dev/shm"
    if "TMPDIR" in os.environ or not os.path.isdir(shm) or not os.access(shm, os.W_OK):
        return
    if shutil.disk_usage(shm).free < 2 << 30:  # a container's default /dev/shm is 64 MB
        return
    if os.statvfs(shm).f_flag & os.ST_NOEXEC:  # the tests' stand-in programs run from there
        return
    os.environ["TMPDIR"] = shm
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again


_temporary_files_in_memory()

if TYPE_CHECKING:
    from drift.sandbox import Sandbox

MakeSandbox = Callable[..., "Sandbox"]


@pytest.fixture(autouse=True)
def _process_state_of_this_test_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What a drift process keeps for its one command, kept for one test: a test starts with
    no secret learned (`drift.redact`'s registry: a value an earlier test of the same worker
    read once masked `execution` in another's expected reason), no sentence of drift's own
    built (`drift.next_steps._BUILT`), and leaves the "drift" logger and the command's `STATE` as
    it found them (a command run in-process set the logger to WARNING on a stream closed
    since, and a later test's check that no secret reaches drift's DEBUG logs saw none)."""
    import dataclasses
    import logging

    from drift import next_steps, redact
    from drift.cli.session import STATE

    monkeypatch.setattr(redact, "_known", redact.Secrets())
    monkeypatch.setattr(next_steps, "_BUILT", {})
    logger = logging.getLogger("drift")
    handlers, level, state = list(logger.handlers), logger.level, dataclasses.asdict(STATE)
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)  # setLevel, not .level: it also clears the loggers' cache
    for name, value in state.items():
        setattr(STATE, name, value)


@pytest.fixture(scope="session")
def sandbox_session() -> Iterator[Sandbox]:
    """One sandbox with the default scenario for the whole run (use `sandbox` in tests)."""
    from drift.sandbox import Sandbox

    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(sandbox_session: Sandbox) -> Sandbox:
    """The shared sandbox, reset to the default scenario (state, faults, calls, backends)."""
    sandbox_session.reset()
    return sandbox_session


TEMPLATE_READINGS = ("filled", "unset")
"""Both readings of what a write that leaves documented defaults out reads back as (sandbox
option `template_defaults`): a module whose tests must hold under either overrides `sandbox`
with `params=TEMPLATE_READINGS` and `with template_defaults(sandbox, request.param)`."""


@contextmanager
def template_defaults(sandbox: Sandbox, reading: str) -> Iterator[None]:
    """The shared sandbox reset to its scenario under `reading`, given back afterwards."""
    default = sandbox.scenario
    options = default.options.model_copy(update={"template_defaults": reading})
    sandbox.reset(default.model_copy(update={"options": options}))
    try:
        yield
    finally:
        sandbox.reset(default)


@pytest.fixture
def reseedable(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The shared sandbox, for a test that seeds a world of its own (`sandbox.reset(WORLD)`):
    the default scenario is given back afterwards, as `reset()` keeps the current one."""
    default = sandbox.scenario
    try:
        yield sandbox
    finally:
        sandbox.reset(default)


@pytest.fixture
def sandbox_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """`CLOUD_RUN_EMULATOR_HOST` and `SECRET_MANAGER_EMULATOR_HOST` set to the sandbox."""
    env = sandbox.environ()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


POOLED_OPTIONS = frozenset({"latency_ms", "operation_delay_ms"})
"""The `Sandbox` options a pooled sandbox may have been started with (the pool's key). One
started with any other (`host`, `port`, `log`) is the test's alone and stopped after it: what
it binds or writes is the test's to choose."""
POOL_ROOM = 4
"""Started sandboxes kept, per key, between tests (the most one test makes at once is about
this many); one given back beyond it is stopped."""

PoolKey = tuple[tuple[str, Any], ...]


class SandboxPool:
    """Started sandboxes not in use, by the options they were started with (`make_sandbox`):
    `lend` takes one and resets it to the scenario (`Sandbox.reset`: world, faults, calls,
    operations, backends, latency and held deploys as a sandbox started afresh has them, a
    call still in progress answered CANCELLED, no timer of the old world firing), or starts
    one; `give_back` keeps it if it still runs on the address it was lent with (a test that
    stops it, or stops and starts it again, had its own) and there is room, else stops it."""

    def __init__(self) -> None:
        self._idle: dict[PoolKey, list[Sandbox]] = {}
        self._lent: dict[int, tuple[PoolKey | None, str]] = {}

    def lend(self, scenario: Any = None, **options: Any) -> Sandbox:
        from drift.sandbox import Sandbox
        from drift.sandbox.server import as_scenario

        key = tuple(sorted(options.items())) if options.keys() <= POOLED_OPTIONS else None
        idle = self._idle.get(key, []) if key is not None else []
        if idle:
            model = as_scenario(scenario)  # a bad scenario is refused before one is taken
            sandbox = idle.pop()
            try:
                sandbox.reset(model)
            except BaseException:
                sandbox.stop()  # what a load that failed half-way left is nobody's
                raise
        else:
            sandbox = Sandbox(scenario, **options).start()
        self._lent[id(sandbox)] = (key, sandbox.address)
        return sandbox

    def give_back(self, sandbox: Sandbox) -> None:
        key, address = self._lent.pop(id(sandbox))
        idle = self._idle.setdefault(key, []) if key is not None else []
        if key is None or not sandbox.running or sandbox.address != address:
            sandbox.stop()
        elif len(idle) >= POOL_ROOM:
            sandbox.stop()
        else:
            idle.append(sandbox)

    def close(self) -> None:
        for idle in self._idle.values():
            for sandbox in idle:
                sandbox.stop()
        self._idle.clear()


@pytest.fixture(scope="session")
def _sandbox_pool() -> Iterator[SandboxPool]:
    """This worker's started sandboxes not in use (`make_sandbox`); stopped at the end."""
    pool = SandboxPool()
    yield pool
    pool.close()


@pytest.fixture
def make_sandbox(_sandbox_pool: SandboxPool) -> Iterator[MakeSandbox]:
    """A started sandbox of your own (a scenario path, dict or model), the test's alone until
    it ends: one an earlier test of this worker gave back, of the same options, reset to the
    scenario (`SandboxPool`), or a new one. Given back after the test. The 454 files that use
    it, one worker (2026-12-08): 2,546 starts and stops and 233 resets took 13.2 s of CPU,
    now 100 starts and stops and 2,676 resets 8.2 s. The port stays the one it was: a
    straggler of the test before reaching it is the risk the shared `sandbox` fixture
    already takes."""
    lent: list[Sandbox] = []

    def make(scenario: Any = None, **options: Any) -> Sandbox:
        lent.append(_sandbox_pool.lend(scenario, **options))
        return lent[-1]

    yield make
    for sandbox in lent:
        _sandbox_pool.give_back(sandbox)


@dataclass
class Clients:
    """The official clients on one channel to the sandbox (sync or async flavour)."""

    services: Any
    revisions: Any
    secrets: Any


ClientsFor = Callable[["Sandbox"], Clients]


@pytest.fixture
def clients_for() -> Iterator[ClientsFor]:
    """`clients_for(sandbox)`: sync `ServicesClient`, `RevisionsClient` and
    `SecretManagerServiceClient` on one channel to that sandbox (closed after the test)."""
    import grpc
    from google.cloud import run_v2, secretmanager_v1
    from google.cloud.run_v2.services.revisions.transports import RevisionsGrpcTransport
    from google.cloud.run_v2.services.services.transports import ServicesGrpcTransport
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )

    channels: list[grpc.Channel] = []

    def make(sandbox: Sandbox) -> Clients:
        channel = grpc.insecure_channel(sandbox.address)
        channels.append(channel)
        return Clients(
            run_v2.ServicesClient(transport=ServicesGrpcTransport(channel=channel)),
            run_v2.RevisionsClient(transport=RevisionsGrpcTransport(channel=channel)),
            secretmanager_v1.SecretManagerServiceClient(
                transport=SecretManagerServiceGrpcTransport(channel=channel)
            ),
        )

    yield make
    for channel in channels:
        channel.close()


@pytest.fixture
def clients(sandbox: Sandbox, clients_for: ClientsFor) -> Clients:
    """The sync official clients on the shared (reset) sandbox."""
    return clients_for(sandbox)


AsyncClients = Callable[[], AbstractAsyncContextManager[Clients]]


@pytest.fixture
def async_clients(sandbox: Sandbox) -> AsyncClients:
    """`async with async_clients() as c:` the async clients, inside your own event loop."""
    address = sandbox.address

    @asynccontextmanager
    async def open_clients() -> AsyncIterator[Clients]:
        import grpc
        from google.cloud import run_v2, secretmanager_v1
        from google.cloud.run_v2.services.revisions.transports import (
            RevisionsGrpcAsyncIOTransport,
        )
        from google.cloud.run_v2.services.services.transports import (
            ServicesGrpcAsyncIOTransport,
        )
        from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
            SecretManagerServiceGrpcAsyncIOTransport,
        )

        channel = grpc.aio.insecure_channel(address)
        try:
            yield Clients(
                run_v2.ServicesAsyncClient(transport=ServicesGrpcAsyncIOTransport(channel=channel)),
                run_v2.RevisionsAsyncClient(
                    transport=RevisionsGrpcAsyncIOTransport(channel=channel)
                ),
                secretmanager_v1.SecretManagerServiceAsyncClient(
                    transport=SecretManagerServiceGrpcAsyncIOTransport(channel=channel)
                ),
            )
        finally:
            await channel.close()

    return open_clients


HEAVY_FIRST = (
    "tests/cli/test_signals_anywhere.py",
    "tests/fix/test_second_signal_recheck_serial.py",
    "tests/fix/test_fix.py",
    "tests/fix/test_fix_yes_concurrent.py",
    "tests/check/test_repairs_only_where_shown.py",
    "tests/reliability/test_fix_faults.py",
    "tests/reliability/test_promotion_interrupted.py",
    "tests/test_packaging.py",
    "tests/cli/test_startup.py",
    "tests/fix/test_fidelity_etag_ignored.py",
    "tests/cli/test_early_refusal.py",
    "tests/fix/test_second_signal_recheck.py",
    "tests/action/test_schedule.py",
    "tests/fix/test_rollback_landed_then_theirs.py",
    "tests/reliability/test_check_faults.py",
    "tests/test_action.py",
    "tests/probe/test_answers.py",
    "tests/format/test_step_summary_room.py",
    "tests/fix/test_fix_yes_concurrent_ctrl_c.py",
    "tests/fix/test_gcloud_applies.py",
    "tests/fix/test_rollback_rounds.py",
    "tests/test_demo.py",
    "tests/cli/test_output_lost.py",
    "tests/profiles/test_yaml_paths.py",
    "tests/test_container.py",
    "tests/live/test_iam_reads_once.py",
    "tests/fix/test_restore_collision.py",
    "tests/probe/test_live.py",
    "tests/fix/test_rollback_gone_revision.py",
    "tests/fix/test_from_template_doomed.py",
    "tests/probe/test_probe.py",
    "tests/benchmarks/test_bench.py",
    "tests/format/test_in_actions.py",
    "tests/test_sdist.py",
    "tests/fix/test_rollback_keeps_their_label.py",
    "tests/test_suggest_pairing.py",
)
"""The files that take longest (junit durations summed per file, the 36 of 8 s or more,
longest first; measured 2026-12-06 on 7,901 tests, 2 workers on a machine loaded 6 deep, as
CI's 6 workers on 2 cores load it; 23 of them were not in the list of 2026-12-01, 4,417
tests), run first: with `--dist loadfile` a whole file goes to one worker, and a long one
handed out last would keep the run going after the others are done. pytest-xdist hands files
out by their NUMBER of tests (3.5+, CHANGELOG.rst: "--dist=loadscope now sorts scopes by
number of tests"), which put these few-test files last (a 54 s file started when the others
were almost done); `pytest_configure` turns that off where it can (3.8+,
`--no-loadscope-reorder`)."""


_CONTROLLER = False
"""Whether this process is xdist's controller (`pytest_configure`)."""


def pytest_configure(config: pytest.Config) -> None:
    global _CONTROLLER
    _CONTROLLER = not hasattr(config, "workerinput") and bool(  # xdist's with -n: runs no test
        getattr(config.option, "numprocesses", None)
    )
    if hasattr(config.option, "loadscopereorder"):  # pytest-xdist 3.8+
        config.option.loadscopereorder = False
    # A suite started as a shell's background job (`make test &`, a script's `cmd &`) has
    # SIGINT ignored, every process it starts inherits that (exec keeps SIG_IGN) and CPython
    # then installs no KeyboardInterrupt handler: each test that sends a drift it started a
    # Ctrl-C saw it ignored (ten of tests/cli failed so, 2026-12-07). Processes the tests start
    # get Ctrl-C as a terminal gives it; a test of an ignored SIGINT ignores it itself.
    import signal

    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_sessionstart(session: pytest.Session) -> None:
    from tests.rewarm import warm

    warm(session.config.args, session.config.invocation_params.dir)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def first(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return HEAVY_FIRST.index(path) if path in HEAVY_FIRST else len(HEAVY_FIRST)

    items.sort(key=first)  # stable: the others keep their order


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection imported (drift, the Google libraries, every test module) is left out
    of the garbage collector's scans from here on: each of the worker's later collections
    walked all of it again (tests/fix and tests/cli, 6 workers, 2026-12-01: user CPU 190 s
    without, 162 s with; the zygote does the same once warm)."""
    import gc

    import hypothesis.core

    # hypothesis 6.100 (`make floors`) keeps its global Random in a module global, made and
    # registered at the first test, checking with gc.get_referrers that something refers to
    # it, and that does not look into frozen objects (the module's namespace): made here,
    # before the freeze (6.170 keeps it in a thread-local, never frozen)
    if getattr(hypothesis.core, "_hypothesis_global_random", False) is None:
        from hypothesis.internal.entropy import deterministic_PRNG

        with deterministic_PRNG():
            pass
    gc.collect()
    gc.freeze()


def pytest_runtest_logfinish(location: tuple[str, int | None, str]) -> None:
    """What a test left alive (fixtures of wider scope, caches, the shared sandbox's state) is
    frozen too, once its garbage is collected: the heap a worker builds test after test was
    walked again by each later full collection (tests/reliability/test_check_faults.py,
    tests/profiles and tests/format in one process, 2026-12-01: CPU 62.2 s without, 59.9 s
    with; the collector's own time 6.5 s against 4.7 s). Reference counting still frees a
    frozen object; only a cycle among them would stay, for the rest of the session. Not in
    xdist's controller, which runs no test but is told of each one's end (it spent 12.6 s of
    CPU on these collections in a full run, 2026-12-07: a core for 6 % of the run)."""
    import gc

    if _CONTROLLER:
        return
    gc.collect()
    gc.freeze()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """`DRIFT_TESTS_CPU=FILE`: each worker adds a line of where its CPU seconds went (its own
    process: tests, in-process runs and the in-process sandbox; the processes it waited for;
    the runs its zygote forked, which nobody waits for), to see what the suite spends."""
    target = os.environ.get("DRIFT_TESTS_CPU")
    if not target:
        return
    import resource

    from tests.cliutil import ZYGOTE

    own, waited = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    with open(target, "a", encoding="utf-8") as out:
        out.write(
            f"{own.ru_utime + own.ru_stime:.1f} {waited.ru_utime + waited.ru_stime:.1f} "
            f"{ZYGOTE.cpu:.1f}\n"
        )
