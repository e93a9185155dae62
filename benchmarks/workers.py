"""What the benchmark runs in processes of its own (so the sandbox never shares their GIL):
`drift check` through its real command line with a clock around each phase, and the
sequential reader. `python -m benchmarks.workers phases|sequential …` prints one JSON line."""

from __future__ import annotations

import argparse
import functools
import importlib.abc
import importlib.util
import json
import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

PHASES = (
    "start-up",
    "imports",
    "profile ‖ imports",
    "API",
    "diff",
    "repairs",
    "render",
)


class Clock:
    """Exclusive wall time per phase: a phase nested in another is not counted twice."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._stack: list[str] = []
        self._since = time.perf_counter()

    def _switch(self, to: str | None) -> None:
        now = time.perf_counter()
        if self._stack:
            phase = self._stack[-1]
            self.spent[phase] = self.spent.get(phase, 0.0) + now - self._since
        self._since = now
        if to is None:
            self._stack.pop()
        else:
            self._stack.append(to)

    def wrap(self, module: Any, name: str, phase: str) -> None:
        """Replace `module.name` (a function or coroutine function) by a timed one."""
        original = getattr(module, name)
        clock = self

        if _is_coroutine(original):

            @functools.wraps(original)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                clock._switch(phase)
                try:
                    return await original(*args, **kwargs)
                finally:
                    clock._switch(None)

            setattr(module, name, timed_async)
            return

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            clock._switch(phase)
            try:
                return original(*args, **kwargs)
            finally:
                clock._switch(None)

        setattr(module, name, timed)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Calls `hook(module)` once `name` is imported (already imported: at once)."""

    def __init__(self, name: str, hook: Callable[[ModuleType], object]) -> None:
        self.name, self.hook = name, hook

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            self.hook(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _after_import(name: str, hook: Callable[[ModuleType], object]) -> None:
    if name in sys.modules:
        hook(sys.modules[name])
    else:
        sys.meta_path.insert(0, _AfterImport(name, hook))


def _is_coroutine(fn: Callable[..., Any]) -> bool:
    import inspect

    return inspect.iscoroutinefunction(fn)


def phases(spawned: float, argv: Sequence[str]) -> dict[str, Any]:
    """Run `drift ARGV` in this process as the console script does, timing each phase:
    start-up (interpreter and the CLI's own modules, from `spawned`), imports (what the
    command imports, the client libraries included), profile ‖ imports (the settings and the
    merged profile read in a child while this process imports the check and the client
    libraries: `drift.cli.overlap`), API (reading live state; the
    revision checks made while reading included),
    diff (rules, `since`, the report), repairs (the repair commands a report carries), render
    (formatting and writing). Whatever the wrapped functions do not cover counts as imports:
    module imports are what runs between them (and option parsing, a few milliseconds)."""
    import gc

    from drift.cli import own_process

    own_process()  # as `main` does
    from drift.cli.root import app

    startup = time.monotonic() - spawned
    clock = Clock()
    clock._switch("imports")
    # Each function is wrapped as its module is imported, so that the command imports what it
    # imports when it does (the check's modules load while the profile is parsed).
    timed = {
        "drift.cli.session": [("overlapped", "profile ‖ imports")],
        "drift.live.clients": [("make_clients", "imports")],
        "drift.check": [("read_live", "API"), ("run_check", "diff")],
        "drift.fix.render": [("with_repairs", "repairs")],
        "drift.cli.output": [("render", "render"), ("emit", "render")],
    }

    def wrap(names: list[tuple[str, str]]) -> Callable[[ModuleType], None]:
        def hook(module: ModuleType) -> None:
            for name, phase in names:
                clock.wrap(module, name, phase)

        return hook

    for module, names in timed.items():
        _after_import(module, wrap(names))
    code = app(list(argv), standalone_mode=False)
    gc.freeze()  # as `main` does
    clock._switch(None)
    # a phase the run did not enter took none of its time (repairs: a clean report has none)
    spent = {**dict.fromkeys(PHASES, 0.0), "start-up": startup, **clock.spent}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "phases": spent,
        "exit_code": int(code or 0),
        "cpu": usage.ru_utime + usage.ru_stime,
        "ended": time.monotonic(),
    }


def sequential(profiles: Path, environment: str, sample: int) -> dict[str, Any]:
    """What a loop over `gcloud run services describe`, `gcloud run revisions describe` and
    `gcloud secrets versions describe` / `get-iam-policy` / `versions access` does: the sync
    official clients, one call after another, no dedupe. Reads `sample` services spread
    evenly over the profile."""
    import grpc
    from google.cloud import run_v2, secretmanager_v1
    from google.cloud.run_v2.services.revisions.transports import RevisionsGrpcTransport
    from google.cloud.run_v2.services.services.transports import ServicesGrpcTransport
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )
    from google.iam.v1 import iam_policy_pb2

    from drift.live.clients import RUN_EMULATOR, SECRETS_EMULATOR
    from drift.profiles.loader import load_profile

    profile = load_profile(profiles, environment)
    run_channel = grpc.insecure_channel(os.environ[RUN_EMULATOR])
    secrets_channel = grpc.insecure_channel(os.environ[SECRETS_EMULATOR])
    services = run_v2.ServicesClient(transport=ServicesGrpcTransport(channel=run_channel))
    revisions = run_v2.RevisionsClient(transport=RevisionsGrpcTransport(channel=run_channel))
    secrets = secretmanager_v1.SecretManagerServiceClient(
        transport=SecretManagerServiceGrpcTransport(channel=secrets_channel)
    )
    parent = f"projects/{profile.project}/locations/{profile.region}"
    calls: Counter[str] = Counter()
    every = list(profile.services)
    names = [every[i * len(every) // sample] for i in range(sample)]
    started = time.perf_counter()
    for name in names:
        svc = services.get_service(name=f"{parent}/services/{name}")
        calls["GetService"] += 1
        revision = revisions.get_revision(name=svc.latest_ready_revision)
        calls["GetRevision"] += 1
        rules = profile.services[name].env
        for var in revision.containers[0].env:
            key = var.value_source.secret_key_ref
            if not key.secret:
                continue
            secret = f"projects/{profile.project}/secrets/{key.secret}"
            version = f"{secret}/versions/{key.version or 'latest'}"
            secrets.get_secret_version(name=version)
            calls["GetSecretVersion"] += 1
            secrets.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=secret))
            calls["GetIamPolicy"] += 1
            rule = rules.get(var.name)
            if rule is not None and rule.needs_value:
                secrets.access_secret_version(name=version)
                calls["AccessSecretVersion"] += 1
    wall = time.perf_counter() - started
    run_channel.close()
    secrets_channel.close()
    return {"wall": wall, "services": len(names), "calls": dict(calls)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workers")
    sub = parser.add_subparsers(dest="worker", required=True)
    timed = sub.add_parser("phases")
    timed.add_argument("--spawned", type=float, required=True)
    timed.add_argument("--result", type=Path, required=True)
    timed.add_argument("drift_args", nargs=argparse.REMAINDER)
    seq = sub.add_parser("sequential")
    seq.add_argument("--profiles", type=Path, required=True)
    seq.add_argument("--environment", required=True)
    seq.add_argument("--sample", type=int, required=True)
    args = parser.parse_args(argv)
    if args.worker == "phases":
        # drift writes its report to stdout: the result goes to a file of its own
        args.result.write_text(json.dumps(phases(args.spawned, args.drift_args)))
        return 0
    sys.stdout.write(json.dumps(sequential(args.profiles, args.environment, args.sample)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
