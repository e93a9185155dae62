"""A process that has imported drift and the Google client libraries once, and forks a child
per `drift ARGS` a test runs: each run is still a process of its own (its own environment,
working directory, standard streams, exit code), without paying the imports again (half a
second of CPU each, a third of the suite). `python -m tests.zygote` serves requests, one JSON
line each, on its standard input."""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
from typing import Any


def _warm() -> None:
    import google.cloud.run_v2  # noqa: F401
    import google.cloud.secretmanager_v1  # noqa: F401
    import grpc  # noqa: F401

    import drift.check  # noqa: F401
    import drift.cli  # noqa: F401
    import drift.cli.root  # noqa: F401
    import drift.live.clients  # noqa: F401
    import drift.profiles.loader  # noqa: F401 - pydantic and the profile's schema


def _child(request: dict[str, Any], out: int, err: int, stdin: int) -> None:
    """In the forked child: become the process `python -m drift ARGS` would be."""
    os.dup2(stdin, 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["drift", *request["args"]]
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    code = 0
    try:
        from drift.cli import main

        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - a crash is the test's to see, as a process's
        import traceback

        traceback.print_exc()
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _run(request: dict[str, Any]) -> dict[str, Any]:
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryFile() as stdin,
    ):
        stdin.write((request.get("stdin") or "").encode())
        stdin.flush()
        stdin.seek(0)
        pid = os.fork()
        if pid == 0:
            _child(request, out.fileno(), err.fileno(), stdin.fileno())
        deadline = time.monotonic() + float(request["timeout"])
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return {"timeout": True}
            time.sleep(0.005)
        out.seek(0)
        err.seek(0)
        return {
            "code": os.waitstatus_to_exitcode(status),
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
        }


def serve() -> None:
    _warm()
    print("ready", flush=True)
    for line in sys.stdin:
        print(json.dumps(_run(json.loads(line))), flush=True)


if __name__ == "__main__":
    serve()
