"""What a test (or the demo) does to a running sandbox besides calling its APIs: read state
directly, deploy as gcloud would, settle deploys, move the clock, change IAM. None of these
are recorded as calls."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

from google.cloud import run_v2
from google.iam.v1 import policy_pb2
from google.type import expr_pb2

from drift.sandbox.backend import mint_test_jwt
from drift.sandbox.core import Core
from drift.sandbox.deploy import view
from drift.sandbox.names import POOLS, SERVICES
from drift.sandbox.pb import RevisionPb, ServicePb, copy
from drift.sandbox.requests import Deploy, deploy_request, env_update, traffic_update
from drift.sandbox.revisions import revision_env
from drift.sandbox.state import OwnerRec

T = TypeVar("T")


class Controls(ABC):
    _core: Core

    @abstractmethod
    def _call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T: ...

    def _run(self, fn: Callable[[], T]) -> T:
        async def run() -> T:
            return fn()

        return self._call(run())

    # --- reading ---------------------------------------------------------------------

    def service(self, project: str, service: str, *, region: str | None = None) -> run_v2.Service:
        """The service as GetService answers it."""

        def read() -> ServicePb:
            return view(
                self._core.world, self._core.world.find_service(project, service, region).pb
            )

        found: run_v2.Service = run_v2.Service.wrap(self._run(read))
        return found

    def revision(
        self,
        project: str,
        service: str,
        name: str | None = None,
        *,
        region: str | None = None,
        worker_pool: bool = False,
    ) -> run_v2.Revision:
        """A revision of a service (or, with `worker_pool`, of a worker pool) by short name
        (default: the latest created)."""

        def read() -> RevisionPb:
            world = self._core.world
            rec = world.owner(
                world.find(project, service, POOLS if worker_pool else SERVICES, region)
            )
            wanted = name or next(reversed(rec.revisions))
            if wanted not in rec.revisions:
                raise LookupError(f"no revision {wanted!r} of {service!r}")
            return copy(rec.revisions[wanted])

        found: run_v2.Revision = run_v2.Revision.wrap(self._run(read))
        return found

    def backend_url(
        self, project: str, service: str, revision: str | None = None, *, region: str | None = None
    ) -> str:
        """`http://HOST:PORT` of the service URL, or of one running revision's backend."""
        if revision is None:
            return str(self.service(project, service, region=region).uri)

        def read() -> str:
            rec = self._core.world.find_service(project, service, region)
            port = self._core.fleet.port(rec.key, revision)
            if port is None:
                raise LookupError(f"revision {revision!r} runs no backend (no traffic, no tag)")
            return self._core.fleet.url(port)

        return self._run(read)

    def service_urls(self) -> dict[str, str]:
        """`PROJECT/SERVICE` -> service URL, for every service."""

        def read() -> dict[str, str]:
            recs = sorted(self._core.world.services.values(), key=lambda rec: rec.key)
            return {f"{rec.key.project}/{rec.key.id}": rec.pb.uri for rec in recs}

        return self._run(read)

    def secret_value(self, project: str, secret: str, version: str = "latest") -> str:
        """A secret's value, for tests and the demo only (never print it)."""

        def read() -> str:
            world = self._core.world
            value = world.secret_text(world.project(project), secret, version)
            if value is None:
                raise LookupError(f"secret {secret!r} version {version!r} is not accessible")
            return value

        return self._run(read)

    def rotate_after_get(self, project: str, secret: str, value: str) -> None:
        """Add a version holding `value` to a secret right after the next GetSecretVersion of
        it is answered (as AddSecretVersion would): a rotation landing between a read of
        `latest`'s state and a read of its value."""

        def arm() -> None:
            world = self._core.world
            key = world.secret_key(f"projects/{project}/secrets/{secret}")
            world.rotate_after_get[world.secret(key).pb.name] = value.encode()

        self._run(arm)

    def test_tokens(self, subject: str = "e2e") -> dict[str, str]:
        """`VAR -> token` for each service whose backend checks a JWT and names the runner's
        variable (`backend.auth.token_env`): an HS256 token its serving revision accepts."""

        def read() -> dict[str, str]:
            core = self._core
            out: dict[str, str] = {}
            for pid, project in core.scenario.projects.items():
                for name, spec in project.services.items():
                    auth = spec.backend.auth if spec.backend else None
                    if auth is None or auth.token_env is None:
                        continue
                    rec = core.world.find_service(pid, name, spec.region)
                    env = self._serving_env(rec)
                    key = env.get(auth.jwt_secret_env)
                    if key:
                        out[auth.token_env] = mint_test_jwt(key, subject)
            return out

        return self._run(read)

    def _serving_env(self, rec: OwnerRec) -> dict[str, str]:
        world = self._core.world
        serving = next((s.revision for s in rec.pb.traffic_statuses if s.percent), None)
        if serving is None or serving not in rec.revisions:
            return {}
        return revision_env(world, world.project(rec.key.project), rec.revisions[serving])

    # --- deploying -------------------------------------------------------------------

    def _deploy_now(
        self,
        project: str,
        service: str,
        region: str | None,
        build: Callable[[OwnerRec], ServicePb],
    ) -> run_v2.Service:
        async def change() -> ServicePb:
            core = self._core
            rec = core.world.find_service(project, service, region)
            await core.deploy(rec.key, build(rec), now=True)
            return view(core.world, rec.pb)

        changed: run_v2.Service = run_v2.Service.wrap(self._call(change()))
        return changed

    def set_env(
        self,
        project: str,
        service: str,
        name: str,
        value: str | None,
        *,
        secret: str | None = None,
        version: str = "latest",
        region: str | None = None,
    ) -> run_v2.Service:
        """One variable of the ingress container set (or removed: `value=None` and no
        `secret`), and 100% to the latest revision, tags kept at 0% — `gcloud run services
        update --update-env-vars …` followed by `update-traffic --to-latest`. A revision that
        fails stays failed, as in Cloud Run."""
        return self._deploy_now(
            project, service, region, lambda rec: env_update(rec.pb, name, value, secret, version)
        )

    def deploy(
        self,
        project: str,
        service: str,
        *,
        image: str | None = None,
        env: Mapping[str, str | None] | None = None,
        secrets: Mapping[str, str] | None = None,
        no_traffic: bool = False,
        tag: str | None = None,
        client: tuple[str, str] = ("gcloud", "467.0.0"),
        region: str | None = None,
    ) -> run_v2.Service:
        """What `gcloud run deploy` (or `gcloud run services update`) sends: the change, a
        gcloud-chosen revision name, traffic as it is (pinned traffic stays pinned);
        `no_traffic` pins LATEST to the revision it resolved to; `tag` tags the new revision
        at 0%. `secrets` maps a variable to `SECRET:VERSION`, as `--update-secrets`."""

        def build(rec: OwnerRec) -> ServicePb:
            name = f"{rec.key.id}-{rec.pb.generation + 1:05d}-{self._core.world.suffix()}"
            change = Deploy(image, env, secrets, no_traffic, tag, client)
            return deploy_request(rec.pb, name, change)

        return self._deploy_now(project, service, region, build)

    def update_traffic(
        self,
        project: str,
        service: str,
        shares: Mapping[str, int],
        *,
        update_tags: Mapping[str, str] | None = None,
        remove_tags: tuple[str, ...] = (),
        split: bool = True,
        region: str | None = None,
    ) -> run_v2.Service:
        """What `gcloud run services update-traffic --to-revisions … --update-tags …
        --remove-tags …` sends (`traffic_update`: each tag on its own 0 % target, as gcloud
        writes them, unless `split=False`); the template as it is, so no revision."""
        return self._deploy_now(
            project,
            service,
            region,
            lambda rec: traffic_update(rec.pb, shares, update_tags or {}, remove_tags, split=split),
        )

    def hold_deploys(self, hold: bool = True) -> None:
        """Deploys started from now on reconcile until `finish_deploy` (or not, again)."""

        def set_hold() -> None:
            self._core.hold = hold

        self._run(set_hold)

    def finish_deploy(
        self, project: str, service: str, *, failure: str | None = None, region: str | None = None
    ) -> run_v2.Service:
        """Settle the deploy in progress on a service: ready, or failed with `failure`."""

        async def finish() -> ServicePb:
            rec = self._core.world.find_service(project, service, region)
            await self._core.finish(rec.key, failure)
            return view(self._core.world, rec.pb)

        done: run_v2.Service = run_v2.Service.wrap(self._call(finish()))
        return done

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock forward: deploys settle, secrets expire, versions scheduled
        for destruction are destroyed, `request.time` conditions see the new time."""
        self._call(self._core.advance(seconds))

    def backdate(
        self, project: str, service: str, seconds: float, *, region: str | None = None
    ) -> None:
        """Every revision of a service created (and updated) `seconds` earlier than it was, in
        the same order: what a service whose deploys are that old shows, where the clock only
        moves forward (`advance`) and a reader compares with its own."""

        def shift() -> None:
            rec = self._core.world.find_service(project, service, region)
            for revision in rec.revisions.values():
                for stamp in (revision.create_time, revision.update_time):
                    stamp.FromNanoseconds(stamp.ToNanoseconds() - int(seconds * 1e9))

        self._run(shift)

    def act_as(self, email: str) -> None:
        """Who the sandbox says makes the next writes (`creator`, `last_modifier`), until
        the next reset."""

        def set_caller() -> None:
            self._core.world.acting_as = email

        self._run(set_caller)

    # --- IAM ---------------------------------------------------------------------------

    def grant(self, resource: str, role: str, member: str, *, condition: str | None = None) -> None:
        """Add `member` to `role` on `projects/P`, `projects/P/secrets/S`, `folders/N` or
        `organizations/N` (with a CEL `condition`: a conditional binding, policy version 3)."""

        def change() -> None:
            policy = self._policy(resource)
            binding = policy_pb2.Binding(role=role, members=[member])
            if condition is not None:
                binding.condition.CopyFrom(expr_pb2.Expr(title=role, expression=condition))
                policy.version = 3
            policy.bindings.append(binding)
            policy.etag = self._core.world.etag(f"{resource}:iam").encode()

        self._run(change)

    def revoke(self, resource: str, role: str, member: str) -> None:
        """Remove `member` from every binding of `role` on the resource."""

        def change() -> None:
            policy = self._policy(resource)
            for binding in policy.bindings:
                if binding.role == role and member in binding.members:
                    binding.members.remove(member)
            policy.etag = self._core.world.etag(f"{resource}:iam").encode()

        self._run(change)

    def _policy(self, resource: str) -> policy_pb2.Policy:
        world = self._core.world
        if resource.startswith(("folders/", "organizations/")):
            if resource not in world.nodes:
                raise LookupError(f"no {resource} in this sandbox")
            return world.nodes[resource].policy
        if "/secrets/" in resource:
            return world.secret(world.secret_key(resource)).policy
        return world.project(resource.removeprefix("projects/")).policy
