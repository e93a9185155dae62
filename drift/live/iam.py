"""Read what IAM grants on a secret beyond its own policy: the policy of the project holding it
and of the project's ancestors (folders, the organisation) when they can be read, through
Resource Manager v3; and the project's number (conditions and default accounts use it).
Each resource is asked for once; read only for a secret whose own policy does not decide.

Resource Manager: `GetProject` gives `project_id`, the number (in `name`) and `parent`
(`folders/N` or `organizations/N`, optional); `GetFolder` gives a folder's `parent`;
GetIamPolicy of projects, folders and organisations "excludes inheritance", so each level is
read (facts: resourcemanager v3 protos).

The project's own policy decides: when it cannot be read (nor the project be looked up), a
grant there cannot be ruled out and `project_unread` says why (the access is unverified).
Folders and the organisation are read when they can be; one that cannot be read may grant
too, so access no readable level grants is unknown (`unreadable`, named in the unverified item),
never denied."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from drift.errors import ApiError
from drift.live.api import attempt
from drift.live.calls import CallRunner
from drift.live.clients import Clients
from drift.live.iam_policy import Policy
from drift.live.secrets import Tasks

MAX_DEPTH = 12
"""Folders nest at most 10 deep under an organisation: a longer chain is a loop."""


@dataclass(frozen=True)
class ProjectInfo:
    project_id: str
    number: str
    parent: str = ""


@dataclass
class Hierarchy:
    """A project's policies, nearest first, and the levels that could not be read."""

    policies: list[Policy] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)
    project_unread: str = ""
    """The call that could not read the project's own policy, and its status ("" when read)."""


class IamReads:
    def __init__(self, clients: Clients, runner: CallRunner, tasks: Tasks) -> None:
        self.clients = clients
        self.runner = runner
        self.tasks = tasks
        self.projects: dict[str, ProjectInfo | None] = {}
        self.failures: dict[str, str] = {}
        """Why a project could not be looked up: "GetProject on projects/T: STATUS"."""

    async def project(self, token: str) -> ProjectInfo | None:
        """A project by id or number (None when it cannot be read); one looked up by its id
        is known by its number too, and the other way round."""
        known = self.projects.get(token)
        if known is not None:
            return known
        # the answer is recorded here whichever read sharing the tasks (`compare --live`)
        # asked: a refusal too, with its call and status (`failures`)
        info = await self.tasks.once(("project", token), lambda: self._project(token))
        if isinstance(info, str):
            self.projects.setdefault(token, None)
            self.failures[token] = info
            return None
        for key in (token, info.project_id, info.number):
            self.projects[key] = info
        return info

    async def hierarchy(self, token: str, number: str = "") -> Hierarchy:
        """The policies of the project `token` names (by id or number) and of its ancestors:
        one hierarchy per project, however it is named (`number`: as `project_policy`)."""
        info = await self.project(token)
        key = info.number if info else number or token
        make = partial(self._hierarchy, token, info, number)
        found = await self.tasks.once(("hierarchy", key), make)
        if info is not None:
            return found
        # the project as this caller named it (by id or by number), not as whichever caller
        # of the shared read asked first: one answer whatever order the reads ran in
        # (helper-587 P2)
        unread = {f"projects/{token} (parent)": self.failures.get(token, "GetProject")}
        return replace(found, unreadable={**unread, **found.unreadable})

    async def project_policy(self, token: str, number: str = "") -> Policy | None:
        """The policy of the project `token` names alone (None when it cannot be read): the
        same read `hierarchy` starts with. `number`: the project's, when the run learnt it
        already: the policy is read at once by it, without GetProject first."""
        if not number:
            info = await self.project(token)
            number = info.number if info else token
        read = await self._policy(f"projects/{number}")
        return read if isinstance(read, Policy) else None

    async def _project(self, token: str) -> ProjectInfo | str:
        """The project, or why it could not be read ("GetProject on projects/T: STATUS")."""
        name = f"projects/{token}"
        try:
            found = await self.runner.call(
                "resources",
                "GetProject",
                name,
                attempt(self.clients.resource_manager("projects").get_project, name=name),
            )
        except ApiError as exc:
            return f"GetProject on {name}: {exc.status}"
        return ProjectInfo(found.project_id, found.name.rsplit("/", 1)[-1], found.parent)

    async def _hierarchy(self, token: str, info: ProjectInfo | None, number: str) -> Hierarchy:
        out = Hierarchy()
        resource = f"projects/{info.number if info else number or token}"
        parent = info.parent if info else ""
        own = self._policy(resource)
        # each level's policy is asked for as soon as the level is known, while the walk up
        # goes on (a folder's policy and its parent need only the folder's name)
        levels: list[tuple[str, asyncio.Task[Policy | ApiError]]] = []
        stuck: dict[str, str] = {}  # the folder whose parent could not be read: the last
        for _ in range(MAX_DEPTH):
            if not parent:
                break
            levels.append((parent, self._policy(parent)))
            if not parent.startswith("folders/"):
                break
            above = await self._parent(parent)
            if isinstance(above, ApiError):
                stuck[f"{parent} (parent)"] = above.status
                break
            parent = above
        read = await own
        if isinstance(read, Policy):
            out.policies.append(read)
        else:
            out.project_unread = f"GetIamPolicy on {resource}: {read.status}"
        for level, task in levels:
            read = await task
            if isinstance(read, Policy):
                out.policies.append(read)
            else:
                out.unreadable[level] = read.status
        out.unreadable.update(stuck)
        return out

    def _policy(self, resource: str) -> asyncio.Task[Policy | ApiError]:
        """A project's, folder's or organisation's policy, read once a run (started now)."""
        return self.tasks.once(("iam_policy", resource), lambda: self._read_policy(resource))

    async def _read_policy(self, resource: str) -> Policy | ApiError:
        client = self.clients.resource_manager(resource.split("/", 1)[0])
        request = {"resource": resource, "options": {"requested_policy_version": 3}}
        asked = time.monotonic()  # drift.live.held_still
        try:
            policy = await self.runner.call(
                "resources",
                "GetIamPolicy",
                resource,
                attempt(client.get_iam_policy, request=request),
            )
        except ApiError as exc:
            return exc
        return Policy.from_proto(resource, policy, asked)

    async def _parent(self, folder: str) -> str | ApiError:
        """A folder's parent (a folder or the organisation), read once a run."""
        return await self.tasks.once(("iam_folder", folder), lambda: self._read_parent(folder))

    async def _read_parent(self, folder: str) -> str | ApiError:
        try:
            found: Any = await self.runner.call(
                "resources",
                "GetFolder",
                folder,
                attempt(self.clients.resource_manager("folders").get_folder, name=folder),
            )
        except ApiError as exc:
            return exc
        return str(found.parent)
