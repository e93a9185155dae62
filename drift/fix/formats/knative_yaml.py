"""`drift plan --format yaml`: each patched service, job or worker pool complete, exactly as
read, with only the plan applied, in the Knative form `gcloud run services|jobs|worker-pools
replace` takes. A document that cannot be written exactly (a value drift does not print, a
field Knative cannot express, a template that is not what serves) says why at the top and
carries `driftNotAppliable`, a field gcloud does not know, so `replace` refuses the file
(gcloud parses it with `DictToMessageWithErrorCheck`, which raises on unrecognized
fields)."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

from drift.fields import FIELDS
from drift.fix.formats.gcloud_keep import traffic_note
from drift.fix.formats.table import sent_as_read
from drift.fix.formats.text import comment
from drift.fix.model import Plan, ServicePlan
from drift.kinds import Kind
from drift.textsafe import LEGACY_COMMAND, LOOK_ALIKE_NOTE, shown_change, visible

NOT_APPLIABLE = "driftNotAppliable"


def plan_yaml(plan: Plan, patched: dict[str, Any], *, reveal: bool = False) -> str:
    chosen = [sp for sp in plan.services if sp.has_patch and sp.key in patched]
    # what could not be read, named above every document (a comment: `replace` ignores it)
    missed = "".join(f"{line}\n" for line in comment(plan.incomplete())) if plan.unverified else ""
    if not chosen:
        return missed + ("# nothing to change\n" if not missed else "")
    parts = [_document(plan, sp, patched[sp.key], reveal, len(chosen)) for sp in chosen]
    return missed + "---\n".join(parts)


_GCLOUD = {
    Kind.SERVICE: "gcloud run services",
    Kind.JOB: "gcloud run jobs",
    Kind.WORKER_POOL: "gcloud beta run worker-pools",
}
"""gcloud's group of each kind: `run worker-pools` has no GA track in gcloud 528 (surface/run/
worker_pools/__init__.py: `ReleaseTracks(ALPHA, BETA)`)."""
REPLACE = {kind: f"{group} replace" for kind, group in _GCLOUD.items()}
"""What takes each kind's document (the gcloud reference pages of `run services|jobs|
worker-pools replace`: "create or replace … from a YAML … specification")."""


def _document(plan: Plan, sp: ServicePlan, service: Any, reveal: bool, count: int) -> str:
    from drift.fix.knative import to_knative
    from drift.fix.patch import copy_workload

    service = copy_workload(service)
    serving = f" (serving {sp.revision})" if sp.revision else ""
    noun = "service " if sp.kind is Kind.SERVICE else ""
    header = [
        f"drift plan {plan.environment} --format yaml: {noun}{sp.label} as read{serving}, "
        "with only this plan applied:",
        *(f"  {visible(line)}" for line in _changes(sp)),  # one line each: a name's `\n`
        *_rolled_out(sp),
        *(f"  note: {n}" for n in (sp.notes if sp.has_patch else ())),
        *([f"  {sp.incomplete('above')}"] if sp.unread else []),  # the plan's `incomplete`
    ]
    renamed = _renamed(sp, service)
    if renamed:
        header.append(renamed)
    if sp.tags and sp.has_patch:  # what `drift fix` does, which `replace` does not
        header.append(f"drift fix (a canary, then its promotion): {sp.tags}")
    if sp.renamed:  # what `drift fix` does (this file names its own: `_renamed`)
        header.append(f"drift fix: {sp.renamed}")
    if pinned := _pinned(sp):
        header += [pinned, *filter(None, [traffic_note(sp, True, steps=False)])]
    exported = to_knative(
        service,
        project=sp.project,
        region=sp.region,
        reveal=reveal,
        numbers=dict(sp.numbers),
        # the profile's own values are the plan's to write (never a password renamed)
        hidden=sp.hidden - {c.value.strip() for c in sp.env if c.value is not None},
    )
    conv = exported.conversion
    problems = list(conv.inexact)
    header += conv.left_out
    if sp.unreleased and not (sp.from_template or replaces_failed(sp)):  # with it, the
        # template is what was asked; a failed one is replaced as drift fix does
        problems.append(f"{sp.unreleased}: this file would release the template too")
    elif (sp.releases_unasked or replaces_failed(sp)) and sp.blocked and not sp.doomed_stop:
        # drift fix stops there all the same
        problems.append(f"{sp.kind.noun} {sp.service}: {sp.blocked}")
    if sp.lost:  # built on what serves, it would drop what drift fix stops on
        problems.append(f"{sp.kind.noun} {sp.service}: drift fix stops here: {sp.lost}")
    if sp.doomed_stop:  # as `drift fix` and the gcloud script refuse it (`stops_gcloud`)
        problems.append(f"{sp.kind.noun} {sp.service}: {sp.doomed_stop}")
    if conv.credentials and conv.exact:
        header += [
            "Plain values that look like credentials are written as the live service holds "
            f"them ({', '.join(conv.credentials)}): keep this file out of version control, and "
            "move them to Secret Manager."
        ]
    document = exported.document
    if problems:
        header += ["NOT APPLIABLE as is (gcloud refuses it: driftNotAppliable):"]
        header += [f"  - {p}" for p in problems]
        if conv.credentials and not reveal:
            header += [
                "  Plain values that look like credentials are masked: `drift plan --format "
                "yaml --include-plain-credentials` writes them as they are."
            ]
        document = {NOT_APPLIABLE: "; ".join(problems), **document}
    else:
        header += _apply(sp, int(getattr(service, "generation", 0)))
    if count > 1:
        header.append(f"`{REPLACE[sp.kind]}` takes one document per file: --service {sp.key}")
    return "\n".join(line for h in header for line in comment(h)) + "\n" + _dump(document)


def _apply(sp: ServicePlan, generation: int) -> list[str]:
    """How to apply the document, and only over what was read: `replace` writes the whole
    file over whatever the workload is by then — gcloud sets the live `resourceVersion` on
    it (command_lib/run/config_changes.py `ReplaceServiceChange.Adjust`, and its job and
    worker-pool forms), so no etag guards it — and a deploy made since this read would be
    undone without an error (helper-530 F3). The guard compares Knative's
    `metadata.generation`, the number v2's `generation` is ("unlike v1, this is an int64
    value", run v2 Service.generation), with the one read."""
    apply = f"{REPLACE[sp.kind]} FILE --project={sp.project}"
    lines = [
        f"Apply: {apply} (region from the cloud.googleapis.com/location label), at once: "
        f"`replace` writes this whole file over whatever the {sp.kind.noun} is by then, so a "
        "change made since this read would be undone without an error."
    ]
    if generation > 0:
        describe = (
            f"{_GCLOUD[sp.kind]} describe {sp.service} --project={sp.project} "
            f"--region={sp.region} --format='value(metadata.generation)'"
        )
        lines += [
            f"Only over what was read (generation {generation}):",
            f'  test "$({describe})" = {generation} && {apply}',
        ]
    return lines


def _changes(sp: ServicePlan) -> list[str]:
    out = []
    for c in sp.env:
        where = f" (container {sp.container_of(c)})" if len(sp.containers) > 1 else ""
        value = _value(c.shown_before(sp.hidden), c.shown_value())
        out.append(f"{c.action.value} {c.name}{where}{value}")
    for s in sp.settings:
        field = FIELDS[s.name]
        before = None if s.before is None else field.shown(s.before, sp.hidden)
        where = f" (container {s.container})" if s.container else ""
        out.append(f"set {s.name}{where}{_value(before, field.shown(s.after, sp.hidden))}")
    return out


def _value(before: str | None, after: str | None) -> str:
    """` = VALUE` as the table shows it (`shown_change`: `""` for an empty value, a
    look-alike of the value it replaces escaped, with what it replaces and the note), or
    nothing for a removal."""
    was, now, alike = shown_change(before, after)
    if now is None:
        return ""
    return f" = {now}" + (f" (was {was}; {LOOK_ALIKE_NOTE})" if alike else "")


def replaces_failed(sp: ServicePlan) -> bool:
    """A document built on what serves — a service's serving revision (`drift.fix.base
    .fix_base`), the revision a worker pool's instances run (`drift.fix.pool_base`) — in
    place of the template of a revision that failed, as `drift fix` writes it
    (`drift.fix.plan.written_on`). `--from-template` builds on the template, the failed one
    included: then `failed_template` is empty."""
    return bool(sp.failed_template) and sp.changes_template and not sp.from_template


def _rolled_out(sp: ServicePlan) -> list[str]:
    """The template's differences from what serves, which this file carries too under
    `--from-template` (built on the template, as `drift fix --from-template` and the table
    say: SPEC invariant 8, "the plan shows those differences as changes too"); a pool's
    failed template, which it replaces (SPEC invariant 8: "the plan says which failed
    revision's template it replaces and what that template had")."""
    if replaces_failed(sp):
        had = [f"    {d}" for d in sp.template_differences] or ["    the same configuration"]
        runs = (
            "the serving revision" if sp.kind is Kind.SERVICE else "the revision its instances run"
        )
        return [  # as the table says it (`table.base_lines`)
            f"  built on {runs} {sp.built_on}; it replaces the template of the failed "
            f"revision {sp.failed_template}, which had:",
            *had,
            *sent_as_read(sp),  # this file sends them too
        ]
    if not (sp.from_template and sp.template_differences and sp.changes_template):
        return []
    return [
        "  built on the template (--from-template); these roll out with the patch:",
        *(f"    {d}" for d in sp.template_differences),
    ]


def _pinned(sp: ServicePlan) -> str:
    """What serves the patched revision once `replace` made it: nothing of a share pinned by
    name to what serves (a service's traffic, a pool's instance split), which this file keeps
    as read, as the gcloud script says of its command ("" when nothing is pinned)."""
    if sp.held_back and sp.has_patch:  # `drift plan --no-promote`
        return (
            f"drift fix {sp.held_back}. This file does the same: its instance split pins every "
            "instance by name where it runs, so the revision `replace` creates gets none, under "
            "a generated name: finish with that name in place of drift's"
        )
    if sp.kind is Kind.SERVICE and sp.split_change and sp.has_patch:
        what = f"Traffic: {sp.revision} is pinned by name"
    elif sp.kind is Kind.WORKER_POOL and sp.instances and sp.has_patch:
        what = f"Instance split: {sp.instances}"
    else:
        return ""
    how = (
        f"; after it, move it as drift fix does (fill in the revision `replace` created): "
        f"{sp.split_change}"
        if sp.split_change
        else ""
    )
    return (
        f"{what}. This file keeps it as read, so the revision `replace` creates gets none of it "
        f"until it is moved{how}"
    )


def _renamed(sp: ServicePlan, service: Any) -> str:
    """A template that names its revision gets a new name: `replace` with the old name and
    another configuration is refused (409 ALREADY_EXISTS)."""
    from drift.fix.revision_name import fresh_revision_name

    old = getattr(service.template, "revision", "")  # a job's template names no revision
    if not old:
        return ""
    service.template.revision = fresh_revision_name(sp.service, old, service.template)
    return (
        f"The template names its revision ({old}); a revision of that name exists with "
        f"another configuration, so this file names the new one {service.template.revision}."
    )


def _dump(document: dict[str, Any]) -> str:
    """YAML in ASCII: every character outside it, and every control character, is an
    escape in a double-quoted scalar (`\\e`, `\\u202E`), so what a person reads is what
    the value holds and no value can act on a terminal; parsing gives the values back."""
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.allow_unicode = False
    yaml.width = 2**30  # no folding: a scalar stays on its line
    yaml.representer.add_representer(str, _str)
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    # Every `##[` left is in a double-quoted scalar (`_str`; the comments above the document
    # are `visible`): `\x5b` there is the same `[` to a YAML parser and no command to a CI
    # runner, which reads its legacy `##[command]` form anywhere in a line.
    return buffer.getvalue().replace(LEGACY_COMMAND, "##\\x5b")


def _str(representer: Any, data: str) -> Any:
    """A text as ruamel writes it, double-quoted when it holds a runner's `##[` or when YAML
    1.1 would read it plain as something else than this text."""
    if LEGACY_COMMAND in data or not _plain_in_yaml_1_1(data):
        return representer.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return representer.represent_str(data)


_STR = "tag:yaml.org,2002:str"


@cache
def _resolvers() -> tuple[Any, Any]:
    import yaml
    from ruamel.yaml.resolver import VersionedResolver

    return yaml.resolver.Resolver(), VersionedResolver(version=(1, 1))


def _plain_in_yaml_1_1(data: str) -> bool:
    """Whether `data` written plain reads back as this string in YAML 1.1. gcloud reads the
    file `replace` takes as YAML 1.1 (googlecloudsdk/core/yaml.py "forces everything to use
    version 1.1 of the YAML spec": `yaml.load_all(stream, yaml.SafeLoader, version='1.1')`,
    the loader of `arg_parsers.YAMLFileContents`), and a bool or int in a string field is
    `ScalarTypeMismatchError` there. ruamel's YAML 1.2 representer quotes only what 1.2 reads
    otherwise, so `no`, `Off`, `y`, `1:30`, `0123`, `1_000` or `2001-12-14` came out plain.
    ruamel's YAML 1.1 rules (the spec's types: bool `y|n|yes|no|on|off` in their cases,
    sexagesimal, `~`, timestamps, `<<`, `=`) and PyYAML's (a YAML 1.1 reader too) must both
    say str."""
    import yaml
    from ruamel.yaml.nodes import ScalarNode

    pyyaml, ruamel = _resolvers()
    implicit = (True, False)
    tags = {pyyaml.resolve(yaml.ScalarNode, data, implicit)}
    tags.add(str(ruamel.resolve(ScalarNode, data, implicit)))  # a Tag: its hash is no str's
    return tags == {_STR}
