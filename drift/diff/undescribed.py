"""A job or worker pool with several containers, none with a port, whose profile names none
with `container:` (helper-619 F4). SPEC: a profile's `env` describes "the ingress container
(the one with a port) unless `container:` names another"; neither kind has an ingress
container, and the order Cloud Run lists their containers in means nothing (run v2
`TaskTemplate.containers`, `WorkerPoolRevisionTemplate.containers`; Terraform and a YAML
edit reorder them freely). Taking the first one judged a reorder as drift, and a sidecar
against the main container's rules. Instead the main rules are not judged
(`RevisionConfig.undescribed`, `At.rules`): not verified, never clean, said once."""

from __future__ import annotations

from collections.abc import Sequence

from drift.findings import Unverified
from drift.live.state import LiveState
from drift.profiles.model import Profile, ServiceProfile

TARGET = "container"


def undescribed(profile: Profile, names: Sequence[str], state: LiveState) -> list[Unverified]:
    """One item per workload checked whose main rules (`env`, its mounts, `unexpected_env`)
    describe no container that can be told (`RevisionConfig.undescribed`)."""
    out = []
    for name in names:
        live = state.services.get(name)
        service = profile.services[name]
        if live is None:
            continue
        found = next((c.undescribed for c in live.configs if c.undescribed), ())
        if found and states_main(service, found):
            out.append(Unverified.at(name, TARGET, why(service, found)))
    return out


def states_main(service: ServiceProfile, containers: Sequence[str]) -> bool:
    """Whether the profile says anything of the container its `env` describes: a variable or
    a mount, or how variables no rule names are judged there, unless `containers:` names each
    container (`drift init` writes them so: every one judged by its own rules)."""
    if service.env or service.mounts:
        return True
    named = service.sidecars.keys()
    return service.unexpected_env != "ignore" and any(c not in named for c in containers)


def why(service: ServiceProfile, containers: Sequence[str]) -> str:
    """The one message: the workload, its containers, and the way out."""
    return (
        f"{service.label} runs {len(containers)} containers ({', '.join(containers)}), none "
        "with a port: which one the profile's `env` describes cannot be told (their order "
        "means nothing to Cloud Run), so its variable and mount rules are not judged; name it "
        f"with `container: NAME` in the profile's entry for {service.label}"
    )
