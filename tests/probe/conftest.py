"""Real servers for the probe: the FastAPI app under uvicorn, and raw TCP misbehaviour."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tests.probe.helpers import AppServer


@pytest.fixture(scope="module")
def app_server_session() -> Iterator[AppServer]:
    """The app under uvicorn, once per module. `websockets-sansio` is what uvicorn's `auto`
    picks with websockets installed; the legacy `websockets` implementation warns. Imported
    here: FastAPI and uvicorn take about a second to import, which every worker paid at
    collection, and only the worker that runs an app test needs them."""
    import uvicorn

    from tests.probe.wsapp import Record, make_app

    record = Record()
    config = uvicorn.Config(
        make_app(record),
        host="127.0.0.1",
        port=0,
        ws="websockets-sansio",
        lifespan="off",
        log_config=None,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield AppServer(f"http://127.0.0.1:{port}", record)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def app_server(app_server_session: AppServer) -> AppServer:
    app_server_session.record.reset()
    return app_server_session
