"""The row of the settings catalogue for the Cloud Service Mesh a revision joins:
`RevisionTemplate.service_mesh` and `WorkerPoolRevisionTemplate.service_mesh` (google/cloud/run/v2
revision_template.proto, worker_pool_revision_template.proto; a Revision carries it too,
revision.proto, so the serving revision says what it runs with; a job's TaskTemplate has none).
`ServiceMesh.mesh`: "The Mesh resource name. Format:
projects/{project}/locations/global/meshes/{mesh}, where {project} can be project id or number."

Compared as a Direct VPC network is (`drift.fields.network.own_network`): its short name where
it is the workload's own project's (a profile's short name means that project's, as gcloud's
`--mesh`: "projects/PROJECT/locations/global/meshes/MESH_NAME or MESH_NAME. Will default to the
current project if only MESH_NAME is provided"), else its full name, so another project's mesh
of the same name is another mesh; a project named by number on one side and by id on the other
is told by the read's GetProject (`Field.names_project`, `drift.live.projects`). Written in full
(the API's format). gcloud 528: `gcloud beta run services update --mesh=MESH` (GA `run services
update` has no `--mesh`: `drift.fix.commands.BETA_FLAGS`), `gcloud beta run worker-pools update
--mesh=MESH`; `--mesh=` takes it away (surface/run/services/update.py `SERVICE_MESH_FLAG`,
command_lib/run/flags.py: an empty `--mesh` deletes the `run.googleapis.com/mesh` annotation;
command_lib/run/v2/config_changes.py `MeshChange` sets it empty): gcloud has no `--clear-mesh`.
Knative: the revision template's `run.googleapis.com/mesh` annotation (drift.fix.knative.keys
MESH; Cloud Service Mesh's "Cloud Run API reference": "Cloud Service Mesh is enabled using a
Revision level annotation", value projects/PROJECT/locations/global/meshes/MESH). Terraform:
`template.service_mesh.mesh`."""

from __future__ import annotations

from typing import Any

from drift import textsafe
from drift.fields import access as a
from drift.fields.base import Field, SettingValue, Source, no_value, tf_template
from drift.kinds import Kind

MESHED = frozenset({Kind.SERVICE, Kind.WORKER_POOL})
"""The kinds whose template has `service_mesh` (a job's TaskTemplate has none)."""


def _full(parts: list[str]) -> bool:
    return (
        len(parts) == 6
        and parts[0::2] == ["projects", "locations", "meshes"]
        and parts[3] == "global"
        and all(parts[1::2])
    )


def own_mesh(value: SettingValue, project: str, region: str = "") -> str:
    """A mesh as compared: its short name where it is `project`'s, else as written."""
    parts = str(value).split("/")
    return parts[5] if _full(parts) and parts[1] == project else str(value)


def _project(workload_name: str) -> str:
    # projects/{project}/locations/{location}/{services|workerPools}/{id}
    parts = workload_name.split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "projects" else ""


def _read(source: Source) -> str:
    return own_mesh(source.revision.service_mesh.mesh, _project(str(source.service.name)))


def _write(workload: Any, container: Any, value: SettingValue) -> None:
    """The mesh in full (a short name: the workload's own project's, as gcloud qualifies
    one), or none: no `service_mesh` at all."""
    template = a.template_of(workload)
    name = no_value(value)
    if not name:
        template.service_mesh = None
        return
    if "/" not in name:
        name = f"projects/{_project(str(workload.name))}/locations/global/meshes/{name}"
    template.service_mesh = a.run_v2().ServiceMesh(mesh=name)


def _profile_mesh(value: Any) -> str:
    name = no_value(value)
    if any(c.isspace() or textsafe.hidden(c) for c in name):
        raise ValueError("a mesh's name holds no space nor control character")
    if name and "/" in name and not _full(name.split("/")):
        raise ValueError(
            "expected a mesh's name or its full name, projects/PROJECT/locations/global/"
            "meshes/MESH (or none: no Cloud Service Mesh)"
        )
    return name


def _flag(value: SettingValue) -> str:
    # an empty `--mesh` takes the mesh away (gcloud has no --clear-mesh)
    return f"--mesh={no_value(value)}"


MESH_FIELD = Field(
    "service_mesh",
    "The Cloud Service Mesh the revision joins (a mesh's name, or its full name "
    "projects/PROJECT/locations/global/meshes/MESH); none: no mesh.",
    str,
    terraform=(tf_template("service_mesh"),),
    read=_read,
    write=_write,
    gcloud=_flag,
    **a.or_none("none (no Cloud Service Mesh)", _profile_mesh),
    qualify=own_mesh,
    examples=("run-mesh",),
    kinds=MESHED,
    names_project=True,  # projects/{project}/…, an id or a number
    sparse=True,  # a row of 2026-12: the journals written before digest none of it
)
