"""The emulator variables pointing at a gRPC server that is not the sandbox (another emulator,
gcloud's Pub/Sub one on 8085): one message naming the variable, its host, the call and its
status, and what to do, exit 2 as for a port where nothing answers (helper-683 M1). A real
API's UNIMPLEMENTED, with no emulator variable set, stays the unverified item it was."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from google.api_core import exceptions as gexc

from drift.errors import ApiError
from drift.live.calls import CallRunner, Limits
from tests.cliutil import drift

VARIABLES = (
    "CLOUD_RUN_EMULATOR_HOST",
    "SECRET_MANAGER_EMULATOR_HOST",
    "RESOURCE_MANAGER_EMULATOR_HOST",
)
NO_PROXY = dict.fromkeys(("grpc_proxy", "https_proxy", "http_proxy"), "")
HINT = (
    "  hint: start the sandbox in another shell (`drift sandbox`) and paste the export lines "
    "it prints, or unset the emulator variables to use the real APIs"
)


@pytest.fixture
def foreign() -> Iterator[str]:
    """host:port of a real gRPC server with no service registered: every call is answered
    UNIMPLEMENTED ("Method not found!"), as another program's gRPC server answers drift's."""
    server = grpc.server(ThreadPoolExecutor(2))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(None).wait()


def test_a_grpc_server_that_is_not_the_sandbox_is_one_message(foreign: str) -> None:
    done = drift(
        "check", "staging", "--no-history", env={**dict.fromkeys(VARIABLES, foreign), **NO_PROXY}
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    first, *rest = done.stderr.splitlines()
    assert first.startswith(
        "drift: error: CLOUD_RUN_EMULATOR_HOST, SECRET_MANAGER_EMULATOR_HOST and "
        f"RESOURCE_MANAGER_EMULATOR_HOST point at {foreign}, which is not a drift sandbox: "
        "it answered "
    ), done.stderr
    assert first.endswith(": UNIMPLEMENTED"), done.stderr
    assert rest == [HINT], done.stderr


def test_only_the_variable_at_the_foreign_server_is_named(
    foreign: str, sandbox_env: dict[str, str]
) -> None:
    env = {**sandbox_env, "SECRET_MANAGER_EMULATOR_HOST": foreign, **NO_PROXY}
    done = drift("check", "staging", "--no-history", env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith(
        f"drift: error: SECRET_MANAGER_EMULATOR_HOST points at {foreign}, which is not a "
        "drift sandbox: it answered "
    ), done.stderr
    assert " projects/" in first and first.endswith(": UNIMPLEMENTED"), done.stderr


def test_a_real_apis_unimplemented_stays_an_unverified_item() -> None:
    """With no emulator variable set, UNIMPLEMENTED is the API's answer to that one call: an
    ApiError (the item unverified, exit 3), never the emulator message."""
    runner = CallRunner(Limits(), seed=1)

    async def fn(timeout: float) -> str:
        raise gexc.MethodNotImplemented("Method not found!")

    with pytest.raises(ApiError) as caught:
        asyncio.run(runner.call("run", "GetService", "svc", fn))
    assert caught.value.status == "UNIMPLEMENTED"
