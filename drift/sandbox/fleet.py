"""The running backends: one WebSocket server per serving or tagged revision, one per
service URL that routes each connection to a serving revision by traffic percent, and one per
tag URL that routes to the revision the tag points to when the connection comes: a tag's URL
is the tag's (`https://TAG---SERVICE-….run.app`; moving the tag moves what answers it,
cloud.google.com/run/docs/rollouts-rollbacks-traffic-migration)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.server import Server

from drift.sandbox.backend import (
    BackendApp,
    BackendConfig,
    Instances,
    Listening,
    NoInstance,
    Picked,
)
from drift.sandbox.names import ResourceKey


@dataclass
class _Running:
    server: Server | Listening
    port: int
    env: dict[str, str] | NoInstance
    instances: Instances
    off: NoInstance | None = None
    """Set while the service's scaling leaves the revision no instance (`sync`'s `off`)."""

    def picked(self) -> Picked:
        return (self.off or self.env), self.instances


class Fleet:
    """Starts and stops backends as revisions start and stop serving. Event-loop only."""

    def __init__(self, rng: random.Random, host: str = "127.0.0.1", options: Any = None) -> None:
        self.rng = rng
        self.host = host
        self.options = options
        """The scenario's options, read when a request comes (`runner_outside_network`)."""
        self._routers: dict[tuple[ResourceKey, str], tuple[Server | Listening, int]] = {}
        self._tags: dict[ResourceKey, dict[str, str]] = {}
        self._revisions: dict[ResourceKey, dict[str, _Running]] = {}
        self._weights: dict[ResourceKey, list[tuple[str, int]]] = {}
        self._closed: set[ResourceKey] = set()
        """The services whose ingress keeps out the internet (`close_door`)."""
        self._lock = asyncio.Lock()
        """Held while backends start or stop: two publications of one service at once (a
        deploy settling while a write publishes) would each start what the other starts, and
        the server one of them forgets would never be closed. The emulator's own bookkeeping,
        no behaviour of Cloud Run's: what a request sees is unchanged."""

    @property
    def start_s(self) -> float:
        """How long an instance of a revision that has none takes to start (`cold_start_ms`)."""
        return (getattr(self.options, "cold_start_ms", 0) or 0) / 1000

    def url(self, port: int) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{port}"

    async def router(self, key: ResourceKey, config: BackendConfig, tag: str = "") -> int:
        """The port of the service URL, or of a tag's URL (started on first use)."""
        async with self._lock:
            if (key, tag) not in self._routers:
                app = BackendApp(config, lambda: self._pick(key, tag), self.start_s)
                self._routers[key, tag] = await app.serve(self.host)
            return self._routers[key, tag][1]

    async def sync(
        self,
        key: ResourceKey,
        config: BackendConfig,
        weights: Mapping[str, int],
        env_of: Callable[[str], dict[str, str] | NoInstance],
        tags: Mapping[str, str] | None = None,
        warm: Callable[[str], bool] = lambda name: True,
        off: Callable[[str], NoInstance | None] = lambda name: None,
    ) -> dict[str, int]:
        """Run exactly the revisions in `weights` (revision -> percent, 0 for tag-only),
        starting new ones with `env_of(revision)` (NoInstance: none of its instances can start,
        every request to it gets that HTTP status), an instance running where `warm(revision)`
        (else the first request starts one: `Instances`), and route each tag (-> revision) in
        `tags` to its revision; return each revision's port. A revision already running that
        `warm` now names gets its instance too: a service-level minimum "goes into effect
        without needing to deploy a new revision" (cloud.google.com/run/docs/configuring/
        min-instances), as does a manual count ("without requiring redeployment",
        cloud.google.com/run/docs/configuring/services/manual-scaling) or a share of traffic
        that brings a revision under the service's count. `off(revision)`: the answer to every
        request while the service's scaling leaves it no instance (a manual count of 0, which
        applies to running revisions too), else None."""
        async with self._lock:
            held = self._tags[key] = dict(tags or {})
            for gone in [k for k in self._routers if k[0] == key and k[1] and k[1] not in held]:
                await self._close(self._routers.pop(gone)[0])  # a tag gone: its URL refuses
            running = self._revisions.setdefault(key, {})
            for name in [n for n in running if n not in weights]:
                await self._stop(running.pop(name))
            for name in [n for n in running if warm(n)]:
                running[name].instances.warm()  # no scale-in: one running stays running
            new = [name for name in weights if name not in running]
            started = await asyncio.gather(
                *(self._start(config, env_of(name), warm(name)) for name in new)
            )
            running.update(zip(new, started, strict=True))
            for name, run in running.items():
                run.off = off(name)
            self._weights[key] = [(name, pct) for name, pct in weights.items() if pct > 0]
            return {name: run.port for name, run in running.items()}

    def _serving(self, key: ResourceKey, revision: str) -> Picked:
        running = self._revisions.get(key, {}).get(revision)
        return (None, None) if running is None else running.picked()

    def port(self, key: ResourceKey, revision: str) -> int | None:
        running = self._revisions.get(key, {}).get(revision)
        return None if running is None else running.port

    async def close(self) -> None:
        async with self._lock:
            for run in (r for running in self._revisions.values() for r in running.values()):
                run.instances.stop()  # the requests waiting for an instance end first
            for running in self._revisions.values():
                for run in running.values():
                    await self._stop(run)
            for server, _ in self._routers.values():
                await self._close(server)
            self._revisions.clear()
            self._routers.clear()
            self._weights.clear()
            self._tags.clear()

    async def _start(
        self, config: BackendConfig, env: dict[str, str] | NoInstance, warm: bool
    ) -> _Running:
        """A revision's own backend; its instances shared with the URLs that route to it."""
        instances = Instances(0.0 if warm else self.start_s)
        made: list[_Running] = []  # its port is known to no one before it is made
        app = BackendApp(config, lambda: made[0].picked(), self.start_s)
        server, port = await app.serve(self.host)
        made.append(_Running(server, port, env, instances))
        return made[0]

    @classmethod
    async def _stop(cls, run: _Running) -> None:
        run.instances.stop()
        await cls._close(run.server)

    @staticmethod
    async def _close(server: Server | Listening) -> None:
        server.close()
        await server.wait_closed()

    def close_door(self, key: ResourceKey, closed: bool) -> None:
        """Whether the service's ingress keeps out the internet: then, where drift runs
        outside its network (option `runner_outside_network`), every request to its URL and
        its tags' is refused (`outside_refusal_status`)."""
        (self._closed.add if closed else self._closed.discard)(key)

    def _pick(self, key: ResourceKey, tag: str) -> Picked:
        options = self.options
        if key in self._closed and options is not None and options.runner_outside_network:
            why = "its ingress keeps out callers outside its network"  # every ingress path
            return NoInstance(options.outside_refusal_status, why), None
        if tag:  # a tag no longer held answers as no revision would
            held = self._tags.get(key, {}).get(tag)
            return (None, None) if held is None else self._serving(key, held)
        weights = self._weights.get(key)
        if not weights:
            return None, None
        names = [name for name, _ in weights]
        (name,) = self.rng.choices(names, weights=[pct for _, pct in weights])
        return self._serving(key, name)
