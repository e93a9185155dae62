"""Read what secret references resolve to: each referenced version's state, each secret's
IAM policy and (when a rule compares it, or a plain variable may hold it pasted in) a version's
value, in the project the reference names. Each item is asked for once; a failed read becomes
an `Unverified` (but a value read only to know it pasted in)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from typing import Any, TypeVar

from drift.errors import ApiError
from drift.findings import Unverified
from drift.live.api import attempt, secrets_listed, short
from drift.live.calls import CallRunner
from drift.live.clients import Clients
from drift.live.iam_policy import ACCESSOR_ROLES, CUSTOM_ROLES, Policy
from drift.live.normalize import raw
from drift.live.secret_state import SecretPolicy, SecretVersionInfo, VersionState, registered
from drift.live.secret_versions import changed, disproved, version_info
from drift.live.state import LiveState
from drift.live.tasks import Tasks as Tasks  # re-exported: its readers import it here
from drift.live.version_values import Answer, VersionValues, learn_number
from drift.refs import SecretRef
from drift.secret_target import respelled

T = TypeVar("T")
ProjectId = Callable[[str], Awaitable[str | None]]
"""A project's id from its number (None when it cannot be told)."""


@dataclass(eq=False)  # one reader of a run, compared by identity as before
class SecretReads:
    clients: Clients
    runner: CallRunner
    project: str
    state: LiveState
    tasks: Tasks
    project_id: ProjectId | None = None  # a project's id by its number (None: cannot be told)
    shared: Tasks | None = None  # where the secret list is kept for the run (`secrets_listed`)
    _listed: set[str] | None = field(default=None, init=False)
    _own_number: str = field(default="", init=False)  # as the list named it (`canonical`)
    _users: dict[str, set[str]] = field(default_factory=dict, init=False)
    _failures: dict[str, set[str]] = field(default_factory=dict, init=False)  # why, by key
    # Answers that only mean "missing" if the version lookups agree (checked at the end)
    _policy_not_found: dict[str, ApiError] = field(default_factory=dict, init=False)
    _access_refused: dict[SecretRef, ApiError] = field(default_factory=dict, init=False)

    def start(self) -> None:
        """Start what depends on nothing: the list of the project's secrets."""
        self.tasks.once(("list_secrets", None), self._list_secrets)

    def watch(self, ref: SecretRef, service: str) -> None:
        """Read the state of the version `ref` names and the policy of its secret (for the
        workload of key `service`)."""
        key = ref.key
        if (users := self._users.get(key)) is None:
            users = self._users[key] = set()
        users.add(service)
        if ref.unread:  # a form drift does not read: never another secret's reads
            self._failures.setdefault(key, set()).add(ref.unreadable)
            return
        if ("version", ref) in self.tasks:
            return  # watched already: what follows was started then (most references)
        self.tasks.once(("version", ref), partial(self._version, ref))
        self.tasks.once(("policy", key), partial(self._policy, ref.secret_ref))
        self.tasks.once(("secret", key), partial(self._secret, ref))

    async def version(self, ref: SecretRef) -> None:
        """Read the state of the version `ref` names alone, once a run (`state.versions`;
        none when it cannot be told: a failed read leaves it unjudged)."""
        if not ref.unread:
            await self.tasks.once(("version", ref), partial(self._version, ref))

    def read_value(self, ref: SecretRef, service: str | None = None) -> None:
        """Read the value `ref` names (`service`: the workload of that key holds it, when no
        `watch` says so: one read only for a comparison, whose failure is then its own)."""
        if service is not None:
            self._users.setdefault(ref.key, set()).add(service)
        if ref.unread:
            return  # unverified (`watch`): its rules are not judged
        self.tasks.once(("access", ref), partial(self._access, ref))

    def _unverified(self, key: str, exc: ApiError, what: str = "") -> None:
        """Remember the failure (`what`: what it leaves unread, when not the secret's state);
        every service using the secret is named once all are known."""
        self._failures.setdefault(key, set()).add(f"{what}: {exc.reason}" if what else exc.reason)

    async def _get(self, key: str, method: str, name: str, fn: Callable[[float], Any]) -> Any:
        """One Secret Manager read about the secret `key`: its answer, the `ApiError` when
        the server says NOT_FOUND (the caller tells what is missing), or None when the call
        failed otherwise (the secret is then unverified)."""
        answer = await self._once(method, name, fn)
        if isinstance(answer, ApiError):
            if answer.status == "NOT_FOUND":
                return answer
            self._unverified(key, answer)
            return None
        return answer

    async def _once(self, method: str, name: str, fn: Callable[[float], Awaitable[T]]) -> Any:
        """A read made once a run, however many references lead to it (a secret named by its
        project's id and by its number): its answer, or the ApiError it failed with."""
        read = partial(self._read, name, fn, method)
        return await self.tasks.once(("read", (method, name)), read)

    async def _read(self, name: str, fn: Callable[[float], Awaitable[T]], method: str) -> Any:
        try:
            return await self.runner.call("secrets", method, name, fn)
        except ApiError as exc:
            return exc
        finally:
            self.state.read_at[method, name] = time.monotonic()  # drift.live.held_still

    async def canonical(self, ref: SecretRef) -> SecretRef:
        """The reference as the secret's other reads name it: a project named by its number
        by its id (the workload's own: no project), when that can be told; else as written.
        Cloud Run keeps `projects/NUMBER/secrets/NAME` as written, and a profile names the
        same secret `{secret: NAME, project: ID}`: one secret, read once. Without GetProject,
        the own project if the run's list of its secrets named it so (`learn_number`)."""
        token = ref.project
        if not token.isdigit() or self.project_id is None:
            return ref
        found = await self.project_id(token)
        if found is None and (listed := self.tasks.get(("list_secrets", None))) is not None:
            await listed  # a number no answer named is never taken for a project
            found = self.project if token == self._own_number else None
        if found is None:
            return ref
        return SecretRef(ref.secret, ref.version, "" if found == self.project else found)

    def report_failures(self) -> None:
        # A version that reads as ENABLED but whose value the server would not give, or a
        # secret whose versions exist but whose policy is "not found", was not verified: the
        # rules that needed the value or the policy were not checked (never report clean).
        for ref, exc in self._access_refused.items():
            info = self.state.versions.get(ref)
            if info is not None and info.state is VersionState.ENABLED:
                self._unverified(ref.key, exc)
        for key, exc in self._policy_not_found.items():
            states = {i.state for r, i in self.state.versions.items() if r.key == key}
            if VersionState.SECRET_MISSING not in states:
                self._unverified(key, exc)
        told: dict[tuple[str, str], set[str]] = {}  # one secret spelt two ways: told once
        for key, failures in self._failures.items():
            target = respelled(f"secret.{key}", self.state, self.project)
            for service in self._users.get(key, ()) or ["-"]:
                told.setdefault((service, target), set()).update(failures)
        for (service, target), failures in sorted(told.items()):
            # every failure, in a fixed order: the same input gives the same report, whichever
            # call answered first
            self.state.unverified.append(
                Unverified.at(service, target, "; ".join(sorted(failures)))
            )

    def _own(self, ref: SecretRef) -> bool:
        return not ref.project or ref.project == self.project

    async def _list_secrets(self) -> None:
        parent = f"projects/{self.project}"
        found, failed = await secrets_listed(self.clients, self.runner, self.project, self.shared)
        for secret in found:
            learn_number(self.state, parent, secret.name)
            self._expiry(short(secret.name), secret)
        if failed is None:  # else existence is told by the version lookups themselves
            self._listed = {short(secret.name) for secret in found}
        self._own_number = next(
            (n for s in found if (n := str(s.name).split("/")[1]).isdigit()), ""
        )

    def _expiry(self, key: str, secret: Any) -> None:
        """Secret.expire_time: "always provided on output" for a secret that expires."""
        pb = raw(secret)
        if pb.HasField("expire_time"):
            self.state.expiry[key] = pb.expire_time.ToDatetime(tzinfo=dt.UTC)

    async def _secret(self, ref: SecretRef) -> None:
        """The secret's expiry: from the list for a secret of the workload's project; else (a
        secret of another project, which the list does not cover, one the list did not bring,
        or when the list could not be read) from GetSecret. An expiry that cannot be read
        leaves `secret.expiring` unchecked: unverified, never reported as not expiring."""
        canon = await self.canonical(ref)
        listed = await self._listed_secrets(canon)
        # a secret the list (read to the end) did not bring is asked for all the same: AIP-158
        # (google.aip.dev/158) promises no consistency across pages while the collection
        # changes (a secret deleted while drift lists moves the next across a page boundary)
        if listed is not None and ref.secret in listed:
            # listed by its name, looked up by `ref.key` (`p/s` for `projects/p/secrets/s`)
            if ref.secret in self.state.expiry:
                self.state.expiry[ref.key] = self.state.expiry[ref.secret]
            return
        name = canon.resource(self.project)
        secret = await self._once(
            "GetSecret", name, attempt(self.clients.secrets.get_secret, name=name)
        )
        if isinstance(secret, ApiError):
            if secret.status != "NOT_FOUND":  # not found: its version lookup tells
                self._unverified(ref.key, secret, "expiry not read")
            return
        learn_number(self.state, name, raw(secret).name)
        self._expiry(ref.key, secret)

    async def _listed_secrets(self, ref: SecretRef) -> set[str] | None:
        """The secrets of the workload's project, when `ref` is one of them and the list could
        be read (another project's secrets are not listed: their lookups tell)."""
        if not self._own(ref):
            return None
        await self.tasks.once(("list_secrets", None), self._list_secrets)
        return self._listed

    async def _version(self, ref: SecretRef) -> None:
        canon = await self.canonical(ref)
        name = canon.version_resource(self.project)
        get = attempt(self.clients.secrets.get_secret_version, name=name)
        version = await self._get(ref.key, "GetSecretVersion", name, get)
        if isinstance(version, ApiError):
            gone = await self._secret_gone(ref, canon, version)
            state = VersionState.SECRET_MISSING if gone else VersionState.MISSING
            self.state.versions[ref] = SecretVersionInfo(ref, state)
            return
        if version is None:
            return
        learn_number(self.state, name, raw(version).name)
        info = version_info(ref, name, version)
        if isinstance(info, ApiError):
            self._unverified(ref.key, info)
            return
        self.state.versions[ref] = info

    async def _secret_gone(self, ref: SecretRef, canon: SecretRef, failed: ApiError) -> bool:
        """Whether a version not found is so because its secret does not exist: the list of
        the project's secrets tells when it brought the secret (but one deleted since:
        `_gone_since`); else GetSecret (the one
        `_secret` makes): for one the list did not bring, since the list's silence proves
        nothing (AIP-158), and for another project's secret or when the list could not be
        read, since `latest` of a secret without versions is "Secret [NAME] not found or has
        no versions." (revsecret90 F3: that secret was said not to exist); else, when
        GetSecret fails too, the NOT_FOUND's own words."""
        listed = await self._listed_secrets(canon)
        on_list = listed is not None and ref.secret in listed
        if on_list and not await self._gone_since(ref, failed):
            return False
        name = canon.resource(self.project)
        get = attempt(self.clients.secrets.get_secret, name=name)
        secret = await self._once("GetSecret", name, get)
        if not isinstance(secret, ApiError):
            return False
        if secret.status == "NOT_FOUND":
            return True
        return not on_list and "Secret Version" not in failed.detail

    async def _gone_since(self, ref: SecretRef, failed: ApiError) -> bool:
        """Whether a secret the list brought may have been deleted since (helper-650 F7: the
        report said its version does not exist, and its policy NOT_FOUND was unverified),
        which GetSecret then tells: the NOT_FOUND names the secret ("Secret [NAME] not
        found."), not a version; or it is `latest`'s "Secret [NAME] not found or has no
        versions." (a secret without versions too) and the secret's policy was not found."""
        if "Secret [" not in failed.detail:  # a version's ("Secret Version [NAME]"), or words
            return False  # drift does not know: the list is trusted
        if "no versions" not in failed.detail:
            return True
        policy = self.tasks.get(("policy", ref.key))  # read beside it: never waits for this
        if policy is None:
            return False
        await policy
        return ref.key in self._policy_not_found

    async def _policy(self, secret: SecretRef) -> None:
        from google.iam.v1 import iam_policy_pb2

        canon = await self.canonical(secret)
        resource = canon.resource(self.project)
        listed = await self._listed_secrets(canon)
        if listed is not None and secret.secret not in listed:
            # the list's silence proves nothing (AIP-158): the GetSecret `_secret` makes tells
            # whether it is gone (nothing to ask), else its policy is read (revown43 F1)
            get = attempt(self.clients.secrets.get_secret, name=resource)
            found = await self._once("GetSecret", resource, get)
            if isinstance(found, ApiError) and found.status == "NOT_FOUND":
                return
        # Conditional bindings come back faithfully only with requested_policy_version 3
        # (google/iam/v1/options.proto).
        request = iam_policy_pb2.GetIamPolicyRequest(
            resource=resource, options={"requested_policy_version": 3}
        )
        get = attempt(self.clients.secrets.get_iam_policy, request=request)
        policy = await self._get(secret.key, "GetIamPolicy", resource, get)
        if isinstance(policy, ApiError):
            self._policy_not_found[secret.key] = policy  # fine if the secret is missing
            return
        if policy is None:
            return
        read = Policy.from_proto(resource, policy)
        accessors = [b for b in read.bindings if b.role in ACCESSOR_ROLES]
        outright = frozenset(chain.from_iterable(b.members for b in accessors if not b.condition))
        # a custom role may hold the access permission: kept for the verdict, which cannot
        # expand it (`Policy.indirect_bindings`)
        custom = [b for b in read.bindings if b.role.startswith(CUSTOM_ROLES)]
        conditional = tuple(b for b in accessors if b.condition) + tuple(custom)
        got = SecretPolicy(secret.key, outright, conditional, resource, SecretPolicy.stamp(policy))
        self.state.policies[secret.key] = got

    async def _access(self, ref: SecretRef) -> None:
        name = (await self.canonical(ref)).version_resource(self.project)
        answer = await self.value(name, ref)
        if not isinstance(answer, ApiError):
            answer = await self._as_stated(ref, name, answer)
        if isinstance(answer, ApiError):
            if answer.status in ("NOT_FOUND", "FAILED_PRECONDITION"):
                self._access_refused[ref] = answer  # fine if its state says missing or disabled
            else:
                self._unverified(ref.key, answer)
            return
        self.state.values[ref] = registered(name, answer)

    def read_pasted(self, ref: SecretRef) -> Awaitable[ApiError | None]:
        """Read the value `ref` names only to know it when a plain variable holds it
        (`drift.live.reads.pasted`): a read that fails (no access, a version gone) leaves the
        value unknown, no rule's failure (its state is judged as ever) but a note's
        (`state.unmasked`); what awaits it learns why (None: read)."""
        return self.tasks.once(("pasted", ref), partial(self._pasted, ref))

    async def _pasted(self, ref: SecretRef) -> ApiError | None:
        if ref.unread:  # a form drift does not read: never another secret's value
            return None
        name = (await self.canonical(ref)).version_resource(self.project)
        answer = await self.value(name, ref)
        if isinstance(answer, ApiError):  # said in a note (helper-781 C1)
            return self.state.unmasked.setdefault(ref, answer)
        registered(name, answer)
        return None

    async def value(self, name: str, ref: SecretRef | None = None) -> Answer:
        """The value of the version `name` (`ref`) names, with the version it resolved to:
        read once a run, however many references lead to it (`VersionValues.value`)."""
        return await VersionValues(self.clients, self.runner, self.tasks, self.state).value(
            name, ref
        )

    async def _as_stated(
        self, ref: SecretRef, name: str, answer: tuple[str, bytes]
    ) -> tuple[str, bytes] | ApiError:
        """The value of the version whose state the report gives. `latest` (or an alias) is
        resolved by each call on its own: GetSecretVersion for the state, AccessSecretVersion
        for the value, whose answer names the version it resolved to. A rotation landing
        between the two would judge version N's report on N+1's value: N's value is read
        again by its number, once, and when that fails the reference is unverified. A value
        read of a version whose state read said it cannot be read: `_state_again`."""
        task = self.tasks.get(("version", ref))
        if task is None:
            return answer  # no state read beside it
        await task
        info = self.state.versions.get(ref)
        got = short(answer[0]) if answer[0] else ""
        if info is not None and disproved(info, got):
            return await self._state_again(ref, name, info, got, answer)
        if info is None or info.resolved is None or not got or got == info.resolved:
            return answer
        pinned = f"{name.rsplit('/', 1)[0]}/{info.resolved}"  # .../versions/N
        again = await self.value(pinned)
        if not isinstance(again, ApiError) and short(again[0] or pinned) == info.resolved:
            return again
        why = f" ({again.brief})" if isinstance(again, ApiError) else ""
        return ApiError(
            "AccessSecretVersion",
            name,
            "ROTATED",
            f"rotated while read: the state read is version {info.resolved}'s and the value "
            f"read is version {got}'s, and version {info.resolved}'s value could not be read "
            f"again{why}: run again",
        )

    async def _state_again(
        self, ref: SecretRef, name: str, info: SecretVersionInfo, got: str, answer: T
    ) -> T | ApiError:
        """The value of version `got` was read, but the state read said it could not be
        (`disproved`): that version's state is read again, once, and both are judged on it
        when it is ENABLED; else neither is (helper-650 F3: `secret.missing` or
        `secret.disabled` beside a verdict on the value, each of another moment)."""
        again_name = f"{name.rsplit('/', 1)[0]}/{got}" if got else name
        get = attempt(self.clients.secrets.get_secret_version, name=again_name)
        read = partial(self._read, again_name, get, "GetSecretVersion")
        found = await self.tasks.once(("again", again_name), read)  # never the first's answer
        again = found if isinstance(found, ApiError) else version_info(ref, again_name, found)
        if not isinstance(again, ApiError) and again.state is VersionState.ENABLED:
            self.state.versions[ref] = again
            return answer
        self.state.versions.pop(ref, None)  # unjudged: the reference is not verified
        return changed(name, info, got, again)
