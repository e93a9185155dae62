"""The project a Cloud Run resource name says (option `project_in_names`). The API takes a
project's id or its number as `{project}`; the run v2 field docs give only the form
("Format: projects/{project}/locations/{location}/services/{service_id}", Service.name in
service.proto; Revision.name, Job.name, Execution.name, WorkerPool.name alike), not whether
the name returned echoes the form the request used. `id`: every name says the project's id;
`as_asked`: the names in an answer say the project as the request named it. The sandbox
stores every resource under its project's id and turns the names of an answer at the edge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from google.cloud import run_v2
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from drift.protofield import is_repeated
from drift.sandbox.names import PROJECT
from drift.sandbox.rpc import Method, resource_name
from drift.sandbox.state import World

# The output fields that hold a Cloud Run resource's full name: Service/Revision/Job/
# Execution/WorkerPool.name (and ExecutionReference.name), Revision.service, Execution.job,
# Service/WorkerPool.latest_created_revision and latest_ready_revision, Operation.name.
# Only a value that starts `projects/{id}/locations/` is turned: a container's, a volume's or
# a variable's `name` never does, and user fields that may (a VPC connector) are not these.
NAME_FIELDS = frozenset(
    {"name", "service", "job", "latest_created_revision", "latest_ready_revision"}
)
OPERATIONS = "google.longrunning.Operations"
# What an operation's metadata and response may pack (the resource the operation is about).
PACKED = {
    message.pb().DESCRIPTOR.full_name: message.pb()
    for message in (
        run_v2.Service,
        run_v2.WorkerPool,
        run_v2.Job,
        run_v2.Execution,
        run_v2.Revision,
    )
}


def asked_project(request: Message) -> str:
    """The project as the request names it ("" when it names none)."""
    match = PROJECT.match(resource_name(request))
    return match.group(1) if match else ""


def turn(message: Message, old: str, new: str) -> None:
    """Every resource name in `message` under `old` (`projects/ID/locations/`) put under
    `new`, in place, nested messages and packed operation payloads included."""
    for field, value in message.ListFields():
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if field.message_type.GetOptions().map_entry:
                continue  # labels and annotations: the user's own text
            items = value if is_repeated(field) else [value]
            for item in items:
                _turn_message(item, old, new)
        elif field.name in NAME_FIELDS and field.type == FieldDescriptor.TYPE_STRING:
            if not is_repeated(field) and value.startswith(old):
                setattr(message, field.name, new + value[len(old) :])


def _turn_message(item: Message, old: str, new: str) -> None:
    if item.DESCRIPTOR.full_name != "google.protobuf.Any":
        turn(item, old, new)
        return
    kind = PACKED.get(item.type_url.rsplit("/", 1)[-1])
    if kind is None:
        return
    inner = kind()
    item.Unpack(inner)
    turn(inner, old, new)
    item.Pack(inner)


def echoing(method: Method, world: Callable[[], World]) -> Method:
    """`method` answering in the project form its request asked for (option
    `project_in_names: as_asked`). A request naming its project by number reaches the
    handler by id where the store is looked up by name (an operation), so that a name the
    sandbox answered can be asked back."""
    handler = method.handler

    async def handle(request: Any) -> Message:
        now = world()
        asked = asked_project(request)
        if now.options.project_in_names != "as_asked" or not asked:
            return await handler(request)
        pid = now.project(asked).id  # an unknown project: denied, as the handler would
        if asked == pid:
            return await handler(request)
        old, new = f"projects/{pid}/locations/", f"projects/{asked}/locations/"
        if method.service == OPERATIONS and request.name.startswith(new):
            by_id = type(request)()
            by_id.CopyFrom(request)
            by_id.name = old + request.name[len(new) :]
            request = by_id
        answer = await handler(request)
        out = type(answer)()
        out.CopyFrom(answer)
        turn(out, old, new)
        return out

    return replace(method, handler=handle)
