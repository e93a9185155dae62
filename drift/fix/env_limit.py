"""A patch that would leave a container holding more variables than Cloud Run sets in one
(`ENV_COUNT_MAX`): the profile's own count is refused when it loads (`drift.profiles.env_count`),
but a fix keeps the live variables the profile does not name, so the variables it adds may take
a container over the limit. Those additions are left out of the patch, one manual step naming
the container, the count and the limit: never a write Cloud Run refuses (helper-689 L6)."""

from __future__ import annotations

from drift.fix.model import Action, EnvChange, ManualStep
from drift.kinds import Kind
from drift.live.model import RevisionConfig
from drift.profiles.env_count import ENV_COUNT_MAX, LIMITED, PAGES


def over_limit(
    kind: Kind, template: RevisionConfig, env: list[EnvChange]
) -> tuple[list[EnvChange], list[ManualStep]]:
    """`env` (the plan's variable changes on `template`, what the patch builds on) without the
    additions to a container they would take over `ENV_COUNT_MAX`, and a step for each such
    container. Changing or removing a variable never adds one: those stay."""
    if kind not in LIMITED:  # a worker pool's page states no number (`env_count.ENV_COUNT_MAX`)
        return env, []
    left: list[EnvChange] = []
    steps = []
    for container in template.containers:
        mine = [c for c in env if (c.container or template.primary) == container.name]
        names = set(container.env)
        for change in mine:
            (names.discard if change.action is Action.REMOVE else names.add)(change.name)
        added = [c for c in mine if c.action is not Action.REMOVE and c.name not in container.env]
        if len(names) <= ENV_COUNT_MAX or not added:
            continue
        left += added
        shown = ", ".join(c.name for c in added[:5]) + (", …" if len(added) > 5 else "")
        steps.append(
            ManualStep(
                f"env.{added[0].name}",
                f"container {container.name} would hold {len(names)} environment variables with "
                f"the {len(added)} the profile adds ({shown}), and Cloud Run sets at most "
                f"{ENV_COUNT_MAX} in one container of a {kind.noun} (it refuses such a "
                f"revision: {PAGES[kind]}); the patch leaves them out: remove variables the "
                "container no longer needs (the fix keeps those the profile does not name), "
                "then run drift fix again",
            )
        )
    return [c for c in env if c not in left], steps
