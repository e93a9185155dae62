"""A plan must never write a GPU on an instance Cloud Run refuses one on
(`drift.fields.gpu_floor`): the revision it would make is judged with the patch applied. A
gpu_type the plan gives an instance too small for it (or a cpu, memory or cpu_throttling the
plan changes under a GPU) becomes a manual step naming the service and what Cloud Run requires;
the profile's own cpu, memory and cpu_throttling are planned beside it like any other, and then
nothing is left to refuse. Never an extra change the profile does not state."""

from __future__ import annotations

from dataclasses import replace

from drift.blanks import Arg, blank, word
from drift.fields import FIELDS
from drift.fields.gpu_floor import GPU_PAGE, WATCHED, gpu_needs
from drift.fix.commands import Commands
from drift.fix.model import ManualStep, SettingChange
from drift.fix.proposed import Proposed
from drift.fix.startup_bounds import startup_steps
from drift.kinds import Kind

JOBS_GPU_PAGE = "cloud.google.com/run/docs/configuring/jobs/gpu"
POOLS_GPU_PAGE = "cloud.google.com/run/docs/configuring/workerpools/gpu"
"""What a job's and a worker pool's GPUs require: CPU and memory, no CPU allocation."""


def gpu_steps(
    cmd: Commands, proposed: Proposed, side: list[SettingChange]
) -> tuple[list[SettingChange], list[SettingChange], list[ManualStep]]:
    """The proposed settings, and the sidecars' own (`side`), without the changes Cloud Run
    would refuse for a GPU or its absence (a startup probe's bounds under the GPU the plan
    leaves: `drift.fix.startup_bounds`), and the manual step for each."""
    settings, steps = _floor_steps(cmd, proposed)
    asked = {c.name for c in proposed.settings}
    left = "gpu_type" in asked - {c.name for c in settings}
    kept, side, probes = startup_steps(cmd, replace(proposed, settings=settings), side, left=left)
    if "gpu_type" in {c.name for c in settings} - {c.name for c in kept}:
        # the GPU a probe keeps is judged again: a cpu or memory planned for an instance
        # without it would be refused under it (helper-800 A-M2)
        kept, again = _floor_steps(cmd, replace(proposed, settings=kept), kept_gpu=True)
        probes += again
    return kept, side, steps + probes


def _floor_steps(
    cmd: Commands, proposed: Proposed, *, kept_gpu: bool = False
) -> tuple[list[SettingChange], list[ManualStep]]:
    """The proposed settings without the changes Cloud Run would refuse for a GPU, and the
    manual step for each. `kept_gpu`: the GPU stays where the profile takes it away, its
    gpu_type a step of its own (`startup_steps`)."""
    live, settings = proposed.live, proposed.settings
    planned = {c.name: c for c in settings}
    if live.source is None or not set(planned) & set(WATCHED):
        return settings, []
    serves = live.kind is Kind.SERVICE
    needs = gpu_needs(proposed.template(), serves=serves)
    if not needs:
        return settings, []
    kept = [c for c in settings if c.name != "gpu_type"]
    refused = ["gpu_type"] if "gpu_type" in planned else []
    if not refused or gpu_needs(proposed.template(kept), serves=serves):  # under a GPU kept
        refused += [n for n in WATCHED if n in planned and n != "gpu_type"]
    said = "; ".join(needs)
    # jobs and worker pools have no CPU allocation to choose (their GPU pages ask for CPU and
    # memory only; `gcloud run jobs update` and `beta run worker-pools update` have no
    # --[no-]cpu-throttling), a job profile stating cpu_throttling is refused
    state = "cpu, memory and cpu_throttling" if serves else "cpu and memory"
    if kept_gpu:
        way = (
            f"the GPU stays while gpu_type's own step stands: state {state} in the profile as a "
            "GPU instance needs them, or do gpu_type's step first"
        )
    elif "gpu_type" in planned:
        way = f"state {state} in the profile beside gpu_type"
    else:  # the GPU is the revision's: what the profile lowers is what Cloud Run refuses
        way = (
            f"state {state} in the profile as a GPU instance needs them, or gpu_type: none to "
            "take the GPU away"
        )
    lacking = _lacking(needs)
    steps = [
        ManualStep(
            f"setting.{name}",
            f"{live.name}: {name} {FIELDS[name].show(planned[name].after)}: with a GPU, Cloud "
            f"Run requires {said} ({gpu_page(live.kind)}), so a patch would be refused "
            f"(INVALID_ARGUMENT); {way}, then run drift fix again",
            (cmd.update(*_flags(planned[name], serves, lacking)),),
        )
        for name in refused
    ]
    return [c for c in settings if c.name not in refused], steps


def gpu_page(kind: Kind) -> str:
    """The GPU page of a kind of workload (…/services/gpu, …/jobs/gpu, …/workerpools/gpu)."""
    return {Kind.JOB: JOBS_GPU_PAGE, Kind.WORKER_POOL: POOLS_GPU_PAGE}.get(kind, GPU_PAGE)


def _lacking(needs: list[str]) -> set[str]:
    """The settings a GPU requirement (`gpu_needs`' words) is about."""
    out = set()
    for need in needs:
        if " CPU (it has" in need:
            out.add("cpu")
        elif " of memory " in need:
            out.add("memory")
        elif "cpu_throttling" in need:
            out.add("cpu_throttling")
    return out


def _flags(change: SettingChange, serves: bool, lacking: set[str]) -> list[Arg]:
    """The change's own flags, with those that set what a GPU requires (values to fill in);
    never the change's own value where it is what a GPU instance lacks (`--cpu=2` under an
    L4): the value to fill in instead. `Commands.update` places each flag for gcloud."""
    fill: dict[str, Arg] = {
        "cpu": word("--cpu=", blank("CPU")),
        "memory": word("--memory=", blank("MEMORY")),
    }
    if serves:
        fill["cpu_throttling"] = "--no-cpu-throttling"
    own = () if change.name in lacking else FIELDS[change.name].flags(change.after, change.before)
    return [*(fill[n] for n in fill if n in lacking), *(flag for flag, _ in own)]
