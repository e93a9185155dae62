"""Secret values read only to know them where a plain value holds a copy: never compared, never
shown, and a refusal is nobody's finding. `drift history` reads the values `check` reads for the
profile's rules, in the revisions it shows; `drift init --from-live` reads those of every
version the workloads it describes reference. Neither then prints or writes a copy that `check`
would mask (helper-591 F3)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from drift.errors import ApiError
from drift.live.model import EnvVar, RevisionVariables
from drift.live.reads import pasted, same_as_own, values_needed
from drift.live.value_reads import ValueReads
from drift.profiles.model import Profile, ServiceProfile
from drift.refs import SecretRef

if TYPE_CHECKING:
    from drift.live.session import Session


async def learn_values(
    session: Session, project: str, refs: Iterable[SecretRef], ids: Mapping[str, str] = {}
) -> dict[SecretRef, ApiError]:
    """Read the value each reference names (a workload's in `project` unless it names
    another), once each, and remember it as a secret (`redact`); what could not be read, with
    why. A reference in a form drift does not read is never read as another secret. `ids`:
    project ids by the numbers references name (`LiveState.projects`, as read), so that one
    version named by its project's number and by its id is read once."""
    return await ValueReads(session.clients, session.runner, project).learn(refs, ids)


def rules_read(
    profile: Profile, keys: Iterable[str], revisions: Mapping[str, Sequence[RevisionVariables]]
) -> set[SecretRef]:
    """The references whose values `check` reads for the rules of the workloads of `keys`
    (`values_needed`, `pasted`) were `revisions` (by workload key) the ones it checks. A
    workload with none there (a job, or a service not asked for, that a `same_as` names) is
    taken to hold what the profile expects of it: `check` reads that side too."""

    def held(key: str, container: str | None, var: str) -> set[EnvVar]:
        if key not in revisions:
            return _expected(profile.services.get(key), container, var)
        found = set()
        for config in revisions[key]:
            name = config.described if container is None else container
            for each in config.containers:
                if each.name == name and (value := each.env.get(var)) is not None:
                    found.add(value)
        return found

    profiles = [profile.services[key] for key in keys]
    # a `same_as`'s own side whatever the other side holds (the comparison needs both; what to
    # mask needs its own: helper-597 F1)
    return values_needed(profiles, held) | pasted(profiles, held) | same_as_own(profiles, held)


def _expected(service: ServiceProfile | None, container: str | None, var: str) -> set[EnvVar]:
    """The reference the profile expects `var` of `container` (None: the main one) to be."""
    if service is None:
        return set()
    rules = service.main if container is None else service.sidecars.get(container)
    rule = rules.env.get(var) if rules is not None else None
    if rule is None or rule.ref is None:
        return set()
    return {EnvVar(var, ref=rule.ref)}
