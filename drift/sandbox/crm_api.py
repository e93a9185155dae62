"""`google.cloud.resourcemanager.v3` Projects, Folders and Organizations: the project (id,
number, parent) and the IAM policies above a secret that grant access to it, with reads the
scenario denies answered PERMISSION_DENIED."""

from __future__ import annotations

from typing import Any

from google.cloud import resourcemanager_v3
from google.iam.v1 import iam_policy_pb2
from google.protobuf.message import Message

from drift.sandbox import iam
from drift.sandbox.core import Core
from drift.sandbox.names import PROJECT, invalid, parse
from drift.sandbox.rpc import Handler, Method
from drift.sandbox.state import NodeRec, ProjectRec, denied

PACKAGE = "google.cloud.resourcemanager.v3"
ProjectPb = resourcemanager_v3.Project.pb()


class ResourceManagerApi:
    def __init__(self, core: Core) -> None:
        self.core = core

    def _project(self, name: str, method: str) -> ProjectRec:
        (token,) = parse(PROJECT, name, "projects/PROJECT")
        project = self.core.world.project(token)
        if method in project.deny:
            raise denied(name)
        return project

    def _node(self, name: str, kind: str, method: str) -> NodeRec:
        if not name.startswith(f"{kind}/"):
            raise invalid(f"Invalid resource name '{name}': expected {kind}/NUMBER.")
        node = self.core.world.nodes.get(name)
        if node is None or method in node.deny:
            raise denied(name)
        return node

    async def get_project(self, request: Any) -> Message:
        project = self._project(request.name, "GetProject")
        return ProjectPb(
            name=f"projects/{project.number}",
            parent=project.parent or "",
            project_id=project.id,
            state=resourcemanager_v3.Project.State.ACTIVE,
            display_name=project.id,
            etag=self.core.world.etag(project.id),
        )

    async def get_folder(self, request: Any) -> Message:
        """Folder.parent: "The folder's parent's resource name" (a folder or an organization;
        google/cloud/resourcemanager/v3/folders.proto)."""
        node = self._node(request.name, "folders", "GetFolder")
        return resourcemanager_v3.Folder.pb()(
            name=node.name,
            parent=node.parent or "",
            display_name=node.name,
            state=resourcemanager_v3.Folder.State.ACTIVE,
            etag=self.core.world.etag(node.name),
        )

    async def project_policy(self, request: Any) -> Message:
        project = self._project(request.resource, "GetIamPolicy")
        return iam.for_version(project.policy, request.options.requested_policy_version)

    def _node_policy(self, kind: str) -> Handler:
        """GetIamPolicy on a folder or an organization (`kind`: its collection)."""

        async def policy(request: Any) -> Message:
            node = self._node(request.resource, kind, "GetIamPolicy")
            return iam.for_version(node.policy, request.options.requested_policy_version)

        return policy

    def methods(self) -> list[Method]:
        gets: list[tuple[str, str, Any, Handler]] = [
            ("Projects", "GetProject", resourcemanager_v3.GetProjectRequest, self.get_project),
            ("Folders", "GetFolder", resourcemanager_v3.GetFolderRequest, self.get_folder),
        ]
        policies = {
            "Projects": self.project_policy,
            "Folders": self._node_policy("folders"),
            "Organizations": self._node_policy("organizations"),
        }
        get_policy = iam_policy_pb2.GetIamPolicyRequest
        return [
            *(Method(f"{PACKAGE}.{s}", m, r.pb(), handler, r.wrap) for s, m, r, handler in gets),
            *(
                Method(f"{PACKAGE}.{s}", "GetIamPolicy", get_policy, handler)
                for s, handler in policies.items()
            ),
        ]
