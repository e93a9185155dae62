"""The secret values `drift history` reads before it shows anything: those `check` reads for
the profile's rules (`drift.live.copies`), in the revisions history shows, and in what serves
the workloads a `same_as` compares with that history does not list (a job, a service not asked
for or not described), read as `check` reads them (`drift.diff.same_as.to_read`) while the
revisions are listed (helper-597 F1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from drift.diff.same_as import to_read
from drift.errors import ApiError, DriftError
from drift.live.copies import learn_values, rules_read
from drift.live.model import RevisionVariables
from drift.live.session import Session
from drift.profiles.model import Profile
from drift.refs import SecretRef

Variables = dict[str, list[RevisionVariables]]


class RuleValues:
    """What serves the targets (`served`, beside the listing of `keys`' revisions), then the
    values (`learn`, once they are listed)."""

    def __init__(self, profile: Profile, keys: Sequence[str]) -> None:
        self._profile, names = to_read(profile, keys)
        self._targets = [n for n in names if n not in keys]

    async def served(self, session: Session) -> Variables:
        return await _served(session, self._profile, self._targets)

    async def learn(
        self,
        session: Session,
        listed: Mapping[str, Sequence[RevisionVariables]],
        served: Variables,
        ids: Mapping[str, str],
    ) -> dict[SecretRef, ApiError]:
        """Read the values, `listed`: each listed workload's revisions shown, by key; `ids`:
        project ids by the numbers references name (helper-597 F3: one version, read once).
        What could not be read, with why: a plain copy of it is shown as it is, and the
        history says so (`unread_values_note`, helper-782)."""
        variables = {**served, **listed}
        refs = rules_read(self._profile, list(listed), variables)
        return await learn_values(session, self._profile.project, refs, ids)


async def _served(session: Session, profile: Profile, targets: Sequence[str]) -> Variables:
    """What each of `targets` runs with (its template, each revision a user can reach); none
    for one that cannot be read (the profile's expected reference stands for it then)."""
    if not targets:
        return {}
    try:
        state = await session.read(profile, targets, secrets="none")
    except DriftError:
        return {}
    return {key: [c.variables for c in live.configs] for key, live in state.services.items()}
