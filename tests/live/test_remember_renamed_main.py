"""A profile whose `container: app` names the main container, and a revision made before that
container was called `app` (its one ingress container was `web`): the profile's `env` rules
describe that revision's main container all the same (`RevisionConfig.described`), so the
plain value of a variable they want secret is remembered (`redact.register`) and masked
wherever it appears (revsincerows F4). A sidecar's rule expecting a secret holds in every
container too (helper-619 F1: a sidecar renamed since, a variable moved out of it keeps it),
as `drift history` masks it: more hidden, never less."""

from __future__ import annotations

from drift import redact
from drift.findings import Location
from drift.live.model import ContainerConfig, EnvVar, RevisionConfig
from drift.live.remember import remember_config
from drift.profiles.model import ContainerRules, ServiceProfile, VarRule

OLD_SEED = "plainseed-before-rename-remember-31"
SIDE_TOKEN = "sidecar-plain-token-remember-57"
MAIN_TOKEN = "main-plain-token-remember-84"


def _rule(name: str, secret: str) -> VarRule:
    return VarRule(name, Location("p.yaml", 5), secret=secret)


def test_the_main_rules_describe_an_older_main_container_of_another_name() -> None:
    revision = RevisionConfig(
        containers=(
            ContainerConfig(
                "web", ingress=True, env={"APP_SEED": EnvVar("APP_SEED", value=OLD_SEED)}
            ),
            ContainerConfig("proxy", env={"TOKEN": EnvVar("TOKEN", value=SIDE_TOKEN)}),
            ContainerConfig("other", env={"TOKEN": EnvVar("TOKEN", value=MAIN_TOKEN)}),
        ),
        settings={},
        service_account="",
        primary="app",  # as the reader gives it: the container the profile names
    )
    assert revision.described == "web"
    sidecar = ContainerRules("proxy", Location("p.yaml", 8), env={"TOKEN": _rule("TOKEN", "t")})
    profile = ServiceProfile(
        "api",
        Location("p.yaml", 2),
        env={"APP_SEED": _rule("APP_SEED", "seed")},
        container="app",
        sidecars={"proxy": sidecar},
    )
    remember_config(profile, revision)
    text = f"{OLD_SEED} {SIDE_TOKEN} {MAIN_TOKEN}"
    assert redact.mask(text) == "*** *** ***"
