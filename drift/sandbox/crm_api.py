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
from drift.sandbox.rpc import Method
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

    async def folder_policy(self, request: Any) -> Message:
        node = self._node(request.resource, "folders", "GetIamPolicy")
        return iam.for_version(node.policy, request.options.requested_policy_version)

    async def organization_policy(self, request: Any) -> Message:
        node = self._node(request.resource, "organizations", "GetIamPolicy")
        return iam.for_version(node.policy, request.options.requested_policy_version)

    def methods(self) -> list[Method]:
        get_policy = iam_policy_pb2.GetIamPolicyRequest
        return [
            Method(
                f"{PACKAGE}.Projects",
                "GetProject",
                resourcemanager_v3.GetProjectRequest.pb(),
                self.get_project,
                resourcemanager_v3.GetProjectRequest.wrap,
            ),
            Method(f"{PACKAGE}.Projects", "GetIamPolicy", get_policy, self.project_policy),
            Method(
                f"{PACKAGE}.Folders",
                "GetFolder",
                resourcemanager_v3.GetFolderRequest.pb(),
                self.get_folder,
                resourcemanager_v3.GetFolderRequest.wrap,
            ),
            Method(f"{PACKAGE}.Folders", "GetIamPolicy", get_policy, self.folder_policy),
            Method(
                f"{PACKAGE}.Organizations", "GetIamPolicy", get_policy, self.organization_policy
            ),
        ]
