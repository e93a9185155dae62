"""How two revision configurations differ, one line per difference, for a person deciding
whether to go on: every field of the template is compared (nothing unnamed slips through);
containers by name and in their order, variables by name with values masked as findings mask
them, a probe's HTTP header values never shown (`_headers_masked`), other fields with their
values when they are short scalars. Labels and annotations in the reserved
namespaces (system-managed, refused on v2 writes) are left out."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any

from google.protobuf import text_format
from google.protobuf.descriptor import FieldDescriptor

from drift import redact
from drift.diff.describe import describe_live, mask_plain, word_values
from drift.diff.texts_masked import texts_masked, words_masked
from drift.fields import FIELDS, same_account
from drift.fields.access import seconds_text
from drift.live.model import EnvVar
from drift.live.normalize import env_var, raw
from drift.protofield import is_repeated
from drift.redact import MASK
from drift.textsafe import LOOK_ALIKE_NOTE, shown_change, visible

SYSTEM_NAMESPACES = (
    "run.googleapis.com",
    "cloud.googleapis.com",
    "serving.knative.dev",
    "autoscaling.knative.dev",
)
"""`RevisionTemplate.labels` / `.annotations` (google/cloud/run/v2/revision_template.proto):
"Cloud Run API v2 does not support annotations with `run.googleapis.com`,
`cloud.googleapis.com`, `serving.knative.dev`, or `autoscaling.knative.dev` namespaces, and
they will be rejected. All system annotations in v1 now have a corresponding field in v2
RevisionTemplate." `Service.annotations` says the same, "rejected in new resources" (and "All
system annotations in v1 now have a corresponding field in v2 Service"); the Job, ExecutionTemplate
and WorkerPool comments say the same. Keys there are v1 system keys (gcloud's
`run.googleapis.com/client-name|client-version`, Cloud Run's `operation-id`…): resent, a
strict server refuses them, and a lenient one records drift's revision as the other client's
(SPEC invariant 12). A v2 field holds every setting they stood for, so a write sends none."""


def system_key(key: str) -> bool:
    """A label or annotation key in a system namespace (or a subdomain of one: Kubernetes
    prefixes are DNS subdomains)."""
    prefix = key.split("/", 1)[0] if "/" in key else ""
    return any(prefix == ns or prefix.endswith(f".{ns}") for ns in SYSTEM_NAMESPACES)


SKIPPED = frozenset({"revision"})
"""Not configuration: the name of the revision."""
SHORT = 120
SCHEMA = ""
"""The name a field of the Cloud Run schema is masked under: none. The masking rule by name
(`credentials.conceal`: `ADMIN_PASSWORD`, `…_key`, however short) is for names a person chose
— a variable's, a label's or an annotation's key. A schema field is named by Google, and none
of RevisionTemplate's holds a secret value (`encryption_key` is a KMS key's resource name,
"projects/*/locations/*/keyRings/*/cryptoKeys/*"; a secret volume's `secret` and `key` name a
Secret Manager secret and its version; secret values reach a template only as variables,
shown by `_env`): such a value is masked by what it is (a credential's shape, a credential
assigned inside it, a secret drift knows), never by its field's name, and is shown as check
and plan show it."""


def template_differences(before: Any, after: Any, hidden: Collection[str] = ()) -> list[str]:
    """What changes from `before` to `after` (RevisionTemplates or Revisions, proto-plus or
    protobuf), one line each; [] when they run with the same configuration. `hidden`: plain
    values never shown, whatever holds them (a rollback's `Entry.hidden`), `***` on both."""
    b, a = (_masked(raw(t), hidden) if hidden else raw(t) for t in (before, after))
    b, a = _headers_masked(b, a)
    _remember_moved(b.containers, a.containers)
    lines: list[str] = []
    names = [f.name for f in a.DESCRIPTOR.fields if f.name in b.DESCRIPTOR.fields_by_name]
    for name in names:
        if name in SKIPPED:
            continue
        if name == "containers":
            lines += _containers(b.containers, a.containers)
        elif name in ("labels", "annotations"):
            lines += _mapping(name.rstrip("s"), dict(getattr(b, name)), dict(getattr(a, name)))
        else:
            lines += _field(name, b, a)
    # one line each: a value's own line breaks and control characters are shown escaped (a
    # live value must not start a line of its own: a GitHub workflow command)
    return [visible(line) for line in lines]


def setting_lines(name: str, shown: tuple[str, str], before: Any, after: Any) -> list[str]:
    """A service-level setting a rollback changes, `before` → `after` (the workloads): its text
    as check shows it (`shown`; "(unset)" where it has none), and, where the workload's own
    field carries more than that text says (a message: Binary Authorization's
    breakglass_justification; a list: the order of custom_audiences, which the text sorts),
    that field's leaves that differ: the rollback puts them back exactly, and the person
    confirming sees them."""
    b, a = raw(before), raw(after)
    was, now, alike = shown_change(shown[0] or None, shown[1] or None)
    note = f" ({LOOK_ALIKE_NOTE})" if alike else ""
    lines = [f"setting {name}: {was or '(unset)'} → {now or '(unset)'}{note}"]
    if shown[0] == shown[1]:
        lines = []
    field = a.DESCRIPTOR.fields_by_name.get(name)
    whole = field is not None and (is_repeated(field) or field.message_type is not None)
    if field is not None and (not lines or whole):
        lines += [line for line in _field(name, b, a) if not line.endswith(" differs")]
    return [visible(line) for line in lines]


def with_setting(
    lines: list[str], name: str, shown: tuple[str, str], before: Any, after: Any
) -> list[str]:
    """`lines` (the template's, `template_differences`) with a service-level setting's own
    (`setting_lines`), one line per change, in the setting's words: where the workload's own
    part of a `service_part` row is the same on both sides, the setting's change is its
    template's, and the template's line of it (the row's template place, `numbers_at`:
    `scaling.max_instance_count`) is left out (revtf66 F2). The part compared is the
    setting's own (the row's workload place: `scaling.max_instance_count`, not the whole
    `scaling`, where a service-level `min_instance_count` may change beside it, helper-632 F4)."""
    said = setting_lines(name, shown, before, after)
    row = FIELDS[name]
    part = row.service_part
    own = [path for where, path in row.numbers_at if where == "workload"]
    if said and part and all(_at(before, p) == _at(after, p) for p in own or [part]):
        places = tuple(f"{path}:" for where, path in row.numbers_at if where == "template")
        lines = [line for line in lines if not line.startswith(places)]
    return lines + said


def _at(workload: Any, path: str) -> Any:
    """The value at a dotted `path` of `workload` (raw protobuf), e.g.
    `scaling.max_instance_count`; None where the workload's message has no such field (a
    worker pool's scaling has only a manual count)."""
    value = raw(workload)
    for name in path.split("."):
        if name not in value.DESCRIPTOR.fields_by_name:
            return None
        value = getattr(value, name)
    return value


def _masked(template: Any, hidden: Collection[str]) -> Any:
    """A copy of `template` whose plain values, command and argument words (or a flag's
    `=VALUE`) in `hidden` are `***`: masked on the data, before any line is made of it."""
    copy = type(template)()
    copy.CopyFrom(template)
    for c in copy.containers:
        for var in c.env:
            if not var.HasField("value_source") and var.value.strip() in hidden:
                var.value = MASK
        for words in (c.command, c.args):
            kept = list(words)
            del words[:]
            words.extend(MASK if set(word_values(w)) & set(hidden) else w for w in kept)
    return copy


PROBES = ("startup_probe", "liveness_probe", "readiness_probe")


def _headers_masked(before: Any, after: Any) -> tuple[Any, Any]:
    """Copies of `before` and `after` (raw) whose probes' HTTP header values are `***`, on the
    data before any line is made: a header may carry a token the health endpoint checks,
    whatever it looks like, and no output shows one (`drift.fields.health`). A value other
    than the one at its place before (the container of its name, the probe, the header's
    position) is `*** (changed)` after: the line says that it changed, never what it is."""
    b, a = type(before)(), type(after)()
    b.CopyFrom(before)
    a.CopyFrom(after)
    was = {where: header.value for where, header in _headers(b)}
    for _, header in _headers(b):
        header.value = MASK
    for where, header in _headers(a):
        changed = where in was and was[where] != header.value
        header.value = f"{MASK} (changed)" if changed else MASK
    return b, a


def _headers(template: Any) -> list[tuple[tuple[str, str, int], Any]]:
    """Each probe header of `template`'s containers, by its place (container name, probe,
    position)."""
    return [
        ((c.name, part, i), header)
        for c in template.containers
        for part in PROBES
        if c.HasField(part)
        for i, header in enumerate(getattr(c, part).http_get.http_headers)
    ]


def _remember_moved(before: Iterable[Any], after: Iterable[Any]) -> None:
    """The shared rule (`drift.live.remember.inlined`) over the two configurations compared:
    a plain value, on either side, of a variable that references a secret on one side (in
    any container: moved into Secret Manager, as `drift fix` moves a plaintext secret, or back
    out of it by a rollback) is a secret, remembered before any line is made, so that it is
    masked in its own line however short (`redact.is_secret`) and in any copy of it (SPEC
    Findings: "any plain value that is expected to be a secret")."""
    both = [env_var(v) for side in (before, after) for c in side for v in c.env]
    names = {var.name for var in both if var.ref is not None}
    for var in both:
        if var.ref is None and var.value and var.name in names:
            redact.register(var.value)


def _containers(before: Iterable[Any], after: Iterable[Any]) -> list[str]:
    old = {c.name: c for c in before}
    new = {c.name: c for c in after}
    several = len(old) > 1 or len(new) > 1
    lines = [
        f"container {name or '(unnamed)'}: removed (image {old[name].image})"
        for name in sorted(old.keys() - new.keys())
    ] + [
        f"container {name or '(unnamed)'}: added (image {new[name].image})"
        for name in sorted(new.keys() - old.keys())
    ]
    for name in [n for n in new if n in old]:
        where = f" (container {name})" if several else ""
        b, a = old[name], new[name]
        if b.image != a.image:
            lines.append(f"image{where}: {b.image} → {a.image}")
        lines += [line + where for line in _env(b.env, a.env)]
        for f in a.DESCRIPTOR.fields:
            if f.name not in ("name", "image", "env"):
                lines += [line + where for line in _field(f.name, b, a)]
    if [n for n in old if n in new] != [n for n in new if n in old]:
        # another template, as `_env`'s order: a write built on either side runs its order
        # (helper-820 F1: a fix built on what serves reordered the template's containers)
        lines.append("containers: the order differs")
    return lines


def _env(before: Iterable[Any], after: Iterable[Any]) -> list[str]:
    old = {v.name: env_var(v) for v in before}
    new = {v.name: env_var(v) for v in after}
    lines = [f"env.{name}: added ({_alone(new[name])})" for name in new.keys() - old.keys()]
    lines += [f"env.{name}: removed (was {_alone(old[name])})" for name in old.keys() - new.keys()]
    lines += [
        f"env.{name}: {_change(old[name], new[name])}"
        for name in new.keys() & old.keys()
        if old[name] != new[name]
    ]
    order = [v.name for v in after] + [v.name for v in before]
    lines.sort(key=lambda line: order.index(line.split(":")[0][4:]))
    if not lines and [v.name for v in before] != [v.name for v in after]:
        # another template: Cloud Run made another revision of it
        lines.append("env: the order of the variables differs")
    return lines


def _change(before: EnvVar, after: EnvVar) -> str:
    """A changed variable: both sides masked when either looks like a credential."""
    b, a = describe_live(before), describe_live(after)
    masked = (before.ref is None and b != (before.value or "")) or (
        after.ref is None and a != (after.value or "")
    )
    if masked:
        return f"{MASK} → {MASK} (changed)"
    return _pair(b, a)


def _alone(var: EnvVar) -> str:
    """A variable added or removed, as a change shows a value (`shown_change`: `""`, not
    nothing, for an empty one; spaces at its ends escaped)."""
    return shown_change(None, describe_live(var))[1] or ""


def _pair(before: str, after: str) -> str:
    """`before → after` as `check` shows a difference: a pair that differs only in
    characters that look alike escaped and noted, never `x → x` (helper-662 F1)."""
    b, a, alike = shown_change(before, after)
    return f"{b} → {a}" + (f" ({LOOK_ALIKE_NOTE})" if alike else "")


def _mapping(kind: str, before: dict[str, str], after: dict[str, str]) -> list[str]:
    lines = []
    for key in sorted(before.keys() | after.keys()):
        if system_key(key) or before.get(key) == after.get(key):
            continue
        b, a = before.get(key), after.get(key)
        if b is None:
            lines.append(f"{kind} {key}: added ({_value(key, a)})")
        elif a is None:
            lines.append(f"{kind} {key}: removed")
        else:
            lines.append(f"{kind} {key}: {_pair(_value(key, b), _value(key, a))}")
    return lines


def _field(name: str, before: Any, after: Any, prefix: str = "") -> list[str]:
    """A field of two messages of the same shape: its leaves that differ, with values."""
    field = after.DESCRIPTOR.fields_by_name[name]
    b, a = getattr(before, name), getattr(after, name)
    path = prefix + name
    if is_repeated(field):
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            return _map(path, field.message_type, dict(b), dict(a))
        if list(b) == list(a):
            return []
        if field.cpp_type != FieldDescriptor.CPPTYPE_MESSAGE and field.message_type is None:
            return [f"{path}: {_value(SCHEMA, list(b))} → {_value(SCHEMA, list(a))}"]
        return _messages(path, list(b), list(a)) or [f"{path} differs"]
    if field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
        if b == a:
            return []
        if field.message_type.full_name == "google.protobuf.Duration":
            return [f"{path}: {_duration(b)} → {_duration(a)}"]
        out: list[str] = []
        for sub in a.DESCRIPTOR.fields:
            out += _field(sub.name, b, a, prefix=path + ".")
        return out or [f"{path} differs"]
    if b == a or (name == "service_account" and same_account(b, a)):
        return []
    if field.enum_type is not None:
        names = field.enum_type.values_by_number
        return [f"{path}: {_enum(names, b)} → {_enum(names, a)}"]
    return [f"{path}: {_value(SCHEMA, b)} → {_value(SCHEMA, a)}"]


def _map(path: str, entry: Any, before: dict[Any, Any], after: dict[Any, Any]) -> list[str]:
    """A map of the schema (a container's `resources.limits`): each key whose value differs,
    with both values as any other field's (`memory: 16Gi → 24Gi`), or its leaves."""
    lines: list[str] = []
    scalar = entry.fields_by_name["value"].message_type is None
    for key in sorted(before.keys() | after.keys(), key=str):
        b, a = before.get(key), after.get(key)
        at = f"{path} {key}"
        if b == a:
            continue
        if b is None:
            lines.append(f"{at}: added ({_value(SCHEMA, a) if scalar else _brief(a)})")
        elif a is None:
            lines.append(f"{at}: removed (was {_value(SCHEMA, b) if scalar else _brief(b)})")
        elif scalar:
            lines.append(f"{at}: {_value(SCHEMA, b)} → {_value(SCHEMA, a)}")
        else:
            lines += [x for f in a.DESCRIPTOR.fields for x in _field(f.name, b, a, at + ".")]
    return lines


def _messages(path: str, before: list[Any], after: list[Any]) -> list[str]:
    """A list of messages (VPC network interfaces, volumes): each entry's leaves that differ,
    by position (`vpc_access.network_interfaces[0].tags: batch → batch egress-nat`); an entry
    added or removed, in brief."""
    lines: list[str] = []
    for i in range(max(len(before), len(after))):
        at = f"{path}[{i}]"
        if i >= len(before):
            lines.append(f"{at}: added ({_brief(after[i])})")
        elif i >= len(after):
            lines.append(f"{at}: removed (was {_brief(before[i])})")
        else:
            b, a = before[i], after[i]
            lines += [x for f in a.DESCRIPTOR.fields for x in _field(f.name, b, a, at + ".")]
    return lines


def _brief(message: Any) -> str:
    """A message on one line, masked and shortened as any other value (`_value`), each of its
    texts masked as it is first (`texts_masked`: quoted, it is no secret's start any more)."""
    return _value(SCHEMA, text_format.MessageToString(texts_masked(message), as_one_line=True))


def _enum(names: Any, number: int) -> str:
    value = names.get(number)
    return value.name if value is not None else str(number)


def _duration(value: Any) -> str:
    if not value.seconds and not value.nanos:
        return "(unset)"
    return seconds_text(Decimal(value.seconds) + Decimal(value.nanos).scaleb(-9))


def _value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):  # each word judged as it is, then the line (helper-774)
        text = " ".join(words_masked(value))
        return mask_plain(name, text, secret=False) if text else "(none)"
    if isinstance(value, str):
        if not value:
            return "(unset)"
        shown = mask_plain(name, value, secret=False)
        return shown if len(shown) <= SHORT else shown[: SHORT - 1] + "…"
    return str(value)
