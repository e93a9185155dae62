"""A service's liveness probe's initial delay beside its two bounds (helper-794 A5): the
services' healthchecks page gives it "from 0 seconds to 600 seconds (1800 for GPU)", run v2's
Probe "Maximum value for liveness probe is 3600" (`probe_bounds.LIVENESS_RULE`). Which one
Cloud Run holds to is not documented, so a delay within the proto's is never refused: a note
where a profile states one over the page's (`liveness_rules`, `drift.profiles.build`), a
plan's note where the workload a fix writes has one it does not run already (`liveness_note`,
`drift.fix.plan`), and, where Cloud Run refuses that write (INVALID_ARGUMENT, its words naming
the liveness probe), what the fix's failure says of it (`liveness_refused`,
`drift.fix.canary`). The page's liveness period and timeout, 1 to 3600, are the proto's, which
drift parses a profile by (`probe_bounds.BOUNDS`); the worker pools' page states no liveness
bound, and a job has no liveness probe."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from drift.fields import access as a
from drift.fields.base import Stated
from drift.fields.cpu_memory import OTHERS
from drift.fields.gpu_floor import has_gpu
from drift.fields.probe_bounds import LIVENESS_RULE, liveness_delay_most
from drift.fields.probe_text import live_check, parse_check, shown
from drift.kinds import Kind

PROBE = "liveness_probe"
_NAMED = re.compile(r"liveness[ _]?probe", re.IGNORECASE)
"""A liveness probe in a server's words: Cloud Run names a field it refuses by its path
(`livenessProbe` in v1's, `liveness_probe` in v2's); its words for this bound are not
documented."""


def _gpu_words(gpu: bool | None) -> str:
    if gpu is None:
        return "without a GPU (the profile does not state gpu_type)"
    return "with a GPU" if gpu else "without a GPU"


def liveness_rules(
    service: str, kind: Kind, stated: Stated, sidecars: Mapping[str, Stated]
) -> list[tuple[str, str]]:
    """A service's liveness probe, its own or a sidecar's, stating an initial delay over the
    page's bound (`liveness_delay_most`; the GPU as the profile's `gpu_type` says, unstated:
    without one, said so): (setting, message) each, a note at its line, never refused."""
    if kind is not Kind.SERVICE:
        return []
    gpu = bool(stated["gpu_type"][0]) if "gpu_type" in stated else None
    most = liveness_delay_most(kind, bool(gpu))
    noted = []
    for name, its in {"": stated, **sidecars}.items():
        value = its.get(PROBE, ("", ""))[0]
        delay = parse_check(value).timings.get("delay", 0) if value else 0
        if delay <= most:
            continue
        key = f"{OTHERS}{name}.{PROBE}" if name else PROBE
        whose = f"container {name}'s " if name else ""
        said = f"{service}: {whose}{PROBE} {shown(value)}: its delay {delay}s is over {most} s "
        said += f"{_gpu_words(gpu)}: {LIVENESS_RULE}; drift fix writes it, and where Cloud Run "
        noted.append((key, said + "holds to the page the canary is refused and nothing changes"))
    return noted


def _over(kind: Kind, before: Any, after: Any) -> list[tuple[str, int, int]]:
    """Each container of the (run_v2) template `after` whose liveness delay is over its page's
    bound (its GPU as `after` has it) and not as it runs in `before` under a bound as large:
    (name, delay, bound)."""
    if kind is not Kind.SERVICE:
        return []
    most, was_most = (
        liveness_delay_most(kind, has_gpu(after)),
        liveness_delay_most(kind, has_gpu(before)),
    )
    was = {c.name: live_check(c, PROBE).timings.get("delay", 0) for c in before.containers}
    out = []
    for container in after.containers:
        delay = live_check(container, PROBE).timings.get("delay", 0)
        if delay > most and not (was.get(container.name) == delay and was_most <= most):
            out.append((container.name, delay, most))
    return out


def _over_said(kind: Kind, before: Any, workload: Any) -> tuple[str, int]:
    """Each container of the (run_v2) `workload` over the page's bound (`_over`), said with the
    bound's both sources, and the bound ("", 0: none)."""
    template = a.template_of(workload)
    found = _over(kind, before, template)
    over = "; ".join(f"container {n}'s {PROBE} delay {d}s is over {m} s" for n, d, m in found)
    gpu = _gpu_words(has_gpu(template))
    return (f"{over} {gpu}: {LIVENESS_RULE}", found[0][2]) if found else ("", 0)


def liveness_note(kind: Kind, before: Any, after: Any) -> str:
    """What a plan says where the (run_v2) workload `after` a fix writes, built on the template
    `before`, would run a liveness delay over the page's bound it does not run already ("":
    nothing to say)."""
    said, _ = _over_said(kind, before, after)
    return said and (
        f"after the fix, {said}; drift writes it as the proto allows: where Cloud Run holds to "
        "the page, the canary is refused and nothing changes"
    )


def liveness_refused(before: Any, written: Any, status: str, words: str) -> str:
    """What a service write refused INVALID_ARGUMENT, the server's `words` naming a liveness
    probe (`_NAMED`), says where the (run_v2) service it sent, `written`, built on the template
    `before`, has a liveness delay over the page's bound it did not run already: the
    containers, the setting, the bound and both sources ("": none). A refusal whose words name
    no liveness probe is another setting's, never blamed on the delay (helper-812 B-1: an
    invalid variable's name was): the plan said the delay before the write (`liveness_note`)."""
    if status != "INVALID_ARGUMENT" or not _NAMED.search(words):
        return ""
    said, most = _over_said(Kind.SERVICE, before, written)
    return said and (
        f"{said}: the write was refused (INVALID_ARGUMENT), as it is where Cloud Run holds to "
        f"the page; state a liveness_probe delay of at most {most}s in the profile, then run "
        "drift fix again"
    )
