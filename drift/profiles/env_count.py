"""More variables than Cloud Run lets one container hold, refused where a profile says so: no
revision could satisfy it (a check always finds one missing) and a fix would be refused."""

from __future__ import annotations

from collections.abc import Mapping

from drift.errors import Problem
from drift.kinds import Kind
from drift.profiles.model import VarRule

ENV_COUNT_MAX = 1000
""""You can set a maximum of 1000 environment variables per container for each Cloud Run
service" (cloud.google.com/run/docs/configuring/services/environment-variables, "Maximum number
of environment variables"); "… for each Cloud Run job" (…/configuring/jobs/environment-variables).
The worker pools' page (…/configuring/workerpools/environment-variables) states no number, so a
worker pool's profile is not refused on it. The sandbox refuses a write over it
(`drift.sandbox.validate.ENV_COUNT_MAX`), as `drift.manifest.deployable` refuses a manifest."""

PAGES = {
    Kind.SERVICE: "https://cloud.google.com/run/docs/configuring/services/environment-variables",
    Kind.JOB: "https://cloud.google.com/run/docs/configuring/jobs/environment-variables",
}
"""The page stating `ENV_COUNT_MAX` for each kind it limits."""

LIMITED = frozenset(PAGES)


def env_count_problem(
    kind: Kind, workload: str, container: str, rules: Mapping[str, VarRule]
) -> Problem | None:
    """A container whose rules need more than `ENV_COUNT_MAX` variables present, at the line of
    the first one over. Only a rule that must be met by a present variable counts: an `optional`
    one may be absent and a `forbidden` one must be (`VarRule.must_exist`). `container`: how the
    message names it."""
    if kind not in LIMITED or len(rules) <= ENV_COUNT_MAX:
        return None
    present = [rule for rule in rules.values() if rule.must_exist]
    if len(present) <= ENV_COUNT_MAX:
        return None
    over = present[ENV_COUNT_MAX].location
    message = (
        f"{workload}: {len(present)} environment variables must be set in {container}, and "
        f"Cloud Run sets at most {ENV_COUNT_MAX} in one container of a {kind.noun} (it refuses "
        f"such a revision); this line is the first over the limit"
    )
    return Problem(over.file, over.line, message)
