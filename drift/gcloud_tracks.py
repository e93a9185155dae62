"""The gcloud track of a workload's update (`gcloud [alpha|beta] run services|jobs|worker-pools
update`), and the update's line for a service's `--scaling`: below the fix (`drift.fix.commands.
Commands`, which builds every update with `update_argv`), so that a note of `check` names the
command a manual step would (`scaling_line`)."""

from __future__ import annotations

from drift.blanks import Arg, blank, plain, shell_line, word
from drift.kinds import Kind

COUNT = blank("COUNT")
"""The manual instance count a person fills in (`scaling_line`)."""


def flag_name(arg: Arg) -> str:
    """`--no-iap` -> `iap`, `--scaling=3` -> `scaling`."""
    return plain(arg).split("=", 1)[0].removeprefix("--").removeprefix("no-")


BETA_FLAGS = {
    Kind.SERVICE: frozenset({"scaling", "iap", "default-url", "max", "mesh"}),
    Kind.JOB: frozenset({"gpu-type", "gpu"}),
}
"""Flags of `gcloud run services|jobs update` only the beta track has in gcloud 528, the oldest
release drift's commands parse on: GA 528 answers `--scaling` and `--[no-]iap` with
"unrecognized arguments … available in one or more alternate release tracks",
`--[no-]default-url` and the service-level `--max` (GA from 540) with "unrecognized
arguments", `--mesh` alike (surface/run/services/update.py adds SERVICE_MESH_FLAG in BetaUpdate
and AlphaUpdate only), and a job's `--gpu-type`/`--gpu` (GA from 543) alike (helper-557 G3, G5);
`gcloud beta run services|jobs update` parses them."""
ALPHA_SERVICE_FLAGS = frozenset({"readiness-probe"})
"""A service's flags only gcloud 528's alpha `run services update` has: its container group
takes `--readiness-probe` in `AlphaUpdate` alone (surface/run/services/update.py
`container_args.AddArgument(flags.ReadinessProbeFlag())`); GA and beta answer it "unrecognized
arguments". The alpha track parses every flag of `BETA_FLAGS` too (`AlphaUpdate` adds each)."""
ALPHA_POOL_FLAGS = frozenset({"gpu-type", "gpu"})
"""A worker pool's GPU flags: gcloud 528's beta `run worker-pools update` has neither (its
`GpuFlag` and `AddGpuTypeFlag` are the alpha track's until 540), its alpha parses both
(helper-557 G5a)."""


def update_command(kind: Kind, *flags: Arg) -> list[str]:
    """gcloud's update of a workload: `gcloud run services|jobs update`, and for worker pools
    `gcloud beta run worker-pools update` (the alpha track's with a GPU flag; --scaling=N, the
    instance count: gcloud 528 has no --instances; --update-env-vars, --update-secrets,
    --remove-env-vars, --remove-secrets, --container); a service's or job's with one of its
    `BETA_FLAGS` among `flags`, the beta track's; a service's with one of `ALPHA_SERVICE_FLAGS`,
    the alpha track's."""
    if kind is Kind.WORKER_POOL:
        alpha = any(flag_name(f) in ALPHA_POOL_FLAGS for f in flags)
        return ["gcloud", "alpha" if alpha else "beta", "run", "worker-pools", "update"]
    group = "jobs" if kind is Kind.JOB else "services"
    if kind is Kind.SERVICE and any(flag_name(f) in ALPHA_SERVICE_FLAGS for f in flags):
        return ["gcloud", "alpha", "run", group, "update"]
    if any(flag_name(f) in BETA_FLAGS.get(kind, ()) for f in flags):
        return ["gcloud", "beta", "run", group, "update"]
    return ["gcloud", "run", group, "update"]


def update_argv(kind: Kind, name: str, project: str, region: str, *flags: Arg) -> list[Arg]:
    """The update of the workload `name` up to its flags: its track (`update_command`), its
    name, and always `--project` and `--region` (without them gcloud acts on its own default
    project and region, maybe another's workload of that name)."""
    return [*update_command(kind, *flags), name, f"--project={project}", f"--region={region}"]


def scaling_line(project: str, region: str, service: str, value: Arg = COUNT) -> str:
    """`gcloud beta run services update SERVICE --project=P --region=R --scaling=VALUE`, quoted
    as every printed command is (`shell_line`): a count (the manual instance count, `<COUNT>` to
    fill in) or `auto`. The beta track: gcloud 528's GA answers `--scaling` "unrecognized
    arguments" (`BETA_FLAGS`)."""
    flag = word("--scaling=", value)
    return shell_line([*update_argv(Kind.SERVICE, service, project, region, flag), flag])


def to_serve(whom: str, project: str, region: str, service: str) -> str:
    """What a service manually scaled to 0 instances needs to serve again: a count (at least
    one per revision with traffic: "If the number of revisions receiving traffic exceeds the
    manual instance count, some of the revisions will have no instances",
    run/docs/configuring/services/manual-scaling) or automatic scaling, each as its command."""
    return (
        f"to serve, give {whom} instances, at least one per revision with traffic "
        f"(`{scaling_line(project, region, service)}`), or automatic scaling "
        f"(`{scaling_line(project, region, service, 'auto')}`)"
    )
