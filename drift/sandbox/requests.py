"""The requests other tools send, for the Sandbox's helpers: `gcloud run deploy` (with
`--no-traffic` and `--tag`), `gcloud run services update`, `gcloud run services
update-traffic`, the older `set_env`,
`gcloud run jobs update` and `execute`, `gcloud run worker-pools deploy`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from drift.sandbox.clock import duration
from drift.sandbox.pb import (
    ContainerPb,
    EnvVarPb,
    JobPb,
    OverridesPb,
    PoolPb,
    ServicePb,
    TaskTemplatePb,
    TemplatePb,
    TrafficPb,
    copy,
)
from drift.sandbox.revisions import LATEST, REVISION, ingress_container


def _set_var(
    template: TemplatePb | TaskTemplatePb, name: str, value: str | None, secret: str | None
) -> None:
    """One variable of the ingress container changed in place (appended when new, removed
    when neither a value nor a secret is given), as `--update-env-vars`/`--update-secrets`/
    `--remove-env-vars` do; the other variables keep their order."""
    container = ingress_container(template)
    kept = [var for var in container.env if var.name != name]
    index = next((i for i, var in enumerate(container.env) if var.name == name), len(kept))
    var = EnvVarPb(name=name)
    if secret is not None:
        ref, _, version = secret.partition(":")
        var.value_source.secret_key_ref.secret = ref
        var.value_source.secret_key_ref.version = version or "latest"
    elif value is not None:
        var.value = value
    if secret is not None or value is not None:
        kept.insert(index, var)
    del container.env[:]
    container.env.extend(kept)


GCLOUD = ("gcloud", "467.0.0")
"""The client gcloud names in what it sends: run v2 `Service.client` "Arbitrary identifier for
the API client" and `client_version` "Arbitrary version identifier for the API client" (Job
and WorkerPool alike)."""


def env_update(
    service: ServicePb, name: str, value: str | None, secret: str | None, version: str
) -> ServicePb:
    """One variable changed, a generated revision name, 100% to the latest revision (tags
    kept, at 0%): `gcloud run services update --update-env-vars …` then
    `update-traffic --to-latest`. gcloud names itself as the client (`Service.client`,
    `client_version`): the change is never credited to whoever wrote before."""
    request = copy(service)
    request.client, request.client_version = GCLOUD
    request.template.revision = ""
    _set_var(request.template, name, value, None if secret is None else f"{secret}:{version}")
    tags = [t for t in request.traffic if t.tag]
    del request.traffic[:]
    request.traffic.append(TrafficPb(type_=LATEST, percent=100))
    for target in tags:
        request.traffic.append(
            TrafficPb(type_=target.type_, revision=target.revision, tag=target.tag, percent=0)
        )
    return request


def traffic_update(
    service: ServicePb,
    shares: Mapping[str, int],
    update_tags: Mapping[str, str],
    remove_tags: Sequence[str],
    *,
    split: bool = True,
) -> ServicePb:
    """`gcloud run services update-traffic` with `--to-revisions KEY=PERCENT,…` naming every
    share (`shares`, keys a revision or `LATEST`, summing to 100: any target not named goes to
    0 %), `--update-tags TAG=KEY,…` and `--remove-tags TAG,…`; every other tag stays on its
    key (the flags: cloud.google.com/sdk/gcloud/reference/run/services/update-traffic, "You
    can also refer to the current or future LATEST revision in --to-revisions by the string
    LATEST"). gcloud (googlecloudsdk api_lib/run/traffic.py `TrafficTargets`) rebuilds the
    targets: one untagged target per key with traffic, then each tag on its own 0 % target
    (its unit tests `test_moves_tags_to_zero_percent_targets`, `test_adds_tag_to_latest`):
    that is `split`. `split=False` is the other shape the API takes: a v2 `TrafficTarget`
    holds `percent` and `tag` in one message (google/cloud/run/v2/traffic_target.proto: "tag:
    Indicates a string to be part of the URI to exclusively reference this target"), so a
    client writing v2 targets itself (the console, Terraform's `traffic` blocks) may put a tag
    on its key's target with traffic (here the first untagged one), else on a 0 % target."""
    if sum(shares.values()) != 100:
        raise ValueError(f"--to-revisions must add up to 100: {dict(shares)}")
    request = copy(service)
    request.client, request.client_version = GCLOUD
    tags = {t.tag: _key(t) for t in service.traffic if t.tag}
    for tag in remove_tags:
        tags.pop(tag, None)
    tags.update(update_tags)

    def target(key: str, percent: int, tag: str = "") -> TrafficPb:
        if key == "LATEST":
            return TrafficPb(type_=LATEST, percent=percent, tag=tag)
        return TrafficPb(type_=REVISION, revision=key, percent=percent, tag=tag)

    rows = [target(key, percent) for key, percent in shares.items() if percent]
    for tag, key in tags.items():
        free = [r for r in rows if not r.tag and _key(r) == key]
        if split or not free:
            rows.append(target(key, 0, tag))
        else:
            free[0].tag = tag
    del request.traffic[:]
    request.traffic.extend(rows)
    return request


def _key(target: TrafficPb) -> str:
    return "LATEST" if target.type_ == LATEST else target.revision


@dataclass(frozen=True)
class Deploy:
    """The flags of one `gcloud run deploy`: `--image`, `--update-env-vars` (None removes),
    `--update-secrets` (`SECRET:VERSION`), `--no-traffic`, `--tag`, and the client it names."""

    image: str | None = None
    env: Mapping[str, str | None] | None = None
    secrets: Mapping[str, str] | None = None
    no_traffic: bool = False
    tag: str | None = None
    client: tuple[str, str] = GCLOUD


def deploy_request(service: ServicePb, revision: str, change: Deploy) -> ServicePb:
    """What `gcloud run deploy` / `gcloud run services update` send: the template changed,
    a client-chosen revision name (gcloud names revisions itself: see
    hashicorp/terraform-provider-google#9438), traffic left as it is — so traffic pinned to
    a revision stays pinned. `--no-traffic` on a LATEST-routed service pins what LATEST
    had to the revision it resolved to (gcloud reference, `run deploy --no-traffic`); `--tag`
    adds a 0% target with that tag on the new revision."""
    request = copy(service)
    request.client, request.client_version = change.client
    request.template.revision = revision
    _change_template(request.template, change.image, change.env, change.secrets)
    if change.no_traffic:
        resolved = {s.tag: s.revision for s in service.traffic_statuses if s.type_ == LATEST}
        for target in request.traffic:
            if target.type_ == LATEST:
                target.type_ = REVISION
                target.revision = resolved.get(target.tag, "")
    if change.tag is not None:
        kept = [t for t in request.traffic if t.tag != change.tag]
        del request.traffic[:]
        request.traffic.extend(kept)
        request.traffic.append(
            TrafficPb(type_=REVISION, revision=revision, tag=change.tag, percent=0)
        )
    return request


def _change_template(
    template: Any,
    image: str | None,
    env: Mapping[str, str | None] | None,
    secrets: Mapping[str, str] | None,
) -> None:
    """`--image`, `--update-env-vars`/`--remove-env-vars` and `--update-secrets` on the
    template's main container (the ingress container of a service, else the first)."""
    if image is not None:
        ingress_container(template).image = image
    for name, value in (env or {}).items():
        _set_var(template, name, value, None)
    for name, ref in (secrets or {}).items():
        _set_var(template, name, None, ref)


def job_update(
    job: JobPb,
    *,
    image: str | None = None,
    env: Mapping[str, str | None] | None = None,
    secrets: Mapping[str, str] | None = None,
    client: tuple[str, str] = ("gcloud", "467.0.0"),
) -> JobPb:
    """What `gcloud run jobs update` sends: the whole job, its task template changed."""
    request = copy(job)
    request.client, request.client_version = client
    _change_template(request.template.template, image, env, secrets)
    return request


def pool_deploy(
    pool: PoolPb,
    revision: str,
    *,
    image: str | None = None,
    env: Mapping[str, str | None] | None = None,
    secrets: Mapping[str, str] | None = None,
    instances: int | None = None,
    client: tuple[str, str] = ("gcloud", "467.0.0"),
) -> PoolPb:
    """What `gcloud run worker-pools deploy` sends (UpdateWorkerPool with `allow_missing`):
    the template changed under a gcloud-chosen revision name, `--instances` as
    `scaling.manual_instance_count`, the instance splits as they are."""
    request = copy(pool)
    request.client, request.client_version = client
    request.template.revision = revision
    _change_template(request.template, image, env, secrets)
    if instances is not None:
        request.scaling.manual_instance_count = instances
    return request


def run_overrides(
    env: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    args: Sequence[str] | None = None,
    task_count: int | None = None,
    timeout: float | None = None,
) -> OverridesPb:
    """What `gcloud run jobs execute --update-env-vars … --args … --tasks … --task-timeout`
    sends (RunJobRequest.Overrides, one container override for the main container)."""
    overrides = OverridesPb(task_count=task_count or 0)
    if timeout is not None:
        overrides.timeout.CopyFrom(duration(timeout))
    if env or secrets or args is not None:
        template = TaskTemplatePb(containers=[ContainerPb()])
        _change_template(template, None, env, secrets)
        override = overrides.container_overrides.add(env=template.containers[0].env)
        if args is not None:
            override.args.extend(args)
            override.clear_args = not args
    return overrides
