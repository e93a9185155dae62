"""Hand-built live state (our own LiveState, no Google client) for unit tests."""

from __future__ import annotations

from drift.live.iam_policy import Grant, Verdict
from drift.live.model import ContainerConfig, EnvVar, LiveService, RevisionConfig, ServingRevision
from drift.live.secret_state import SecretPolicy, SecretVersionInfo, VersionState
from drift.live.state import LiveState
from drift.refs import SecretRef

SA = "api@p.iam.gserviceaccount.com"


def plain(name: str, value: str) -> EnvVar:
    return EnvVar(name, value=value)


def ref(name: str, secret: str, version: str = "latest") -> EnvVar:
    return EnvVar(name, ref=SecretRef(secret, version))


GOOD_API = [
    plain("PLAIN", "hello"),
    plain("REQ", "10.0.0.3"),
    ref("SEC", "s1"),
    ref("PINNED", "s2", "3"),
    plain("URL", "https://x"),
    plain("LEVEL", "INFO"),
    ref("LONG", "s3"),
    ref("SHARED", "s1"),
]
SETTINGS = {"timeout": "600s", "min_instances": 1, "service_account": SA, "ingress": "all"}


def config(env: list[EnvVar], **settings: object) -> RevisionConfig:
    return RevisionConfig(
        containers=(ContainerConfig("app", ingress=True, env={v.name: v for v in env}),),
        settings={**SETTINGS, **settings},  # type: ignore[dict-item]
        service_account=SA,
        primary="app",
    )


def service(name: str, env: list[EnvVar], **settings: object) -> LiveService:
    cfg = config(env, **settings)
    return LiveService(
        name=name,
        full_name=f"projects/p/locations/r/services/{name}",
        uri=f"https://{name}.run.app",
        etag="e1",
        template=cfg,
        serving=(ServingRevision(f"{name}-00001-abc", 100, (), (), cfg),),
        latest_created=f"{name}-00001-abc",
        latest_ready=f"{name}-00001-abc",
        latest_created_ready=True,
    )


def state(api_env: list[EnvVar] | None = None, **settings: object) -> LiveState:
    st = LiveState()
    st.services["api"] = service("api", GOOD_API if api_env is None else api_env, **settings)
    st.services["auth"] = service("auth", [ref("SHARED", "s4")])
    for secret, version in (("s1", "latest"), ("s2", "3"), ("s3", "latest"), ("s4", "latest")):
        r = SecretRef(secret, version)
        st.versions[r] = SecretVersionInfo(r, VersionState.ENABLED, "3")
        st.policies[secret] = SecretPolicy(secret, frozenset({f"serviceAccount:{SA}"}))
    st.values[SecretRef("s1")] = "shared-value-aaaaaaaa"
    st.values[SecretRef("s4")] = "shared-value-aaaaaaaa"
    st.values[SecretRef("s3")] = "x" * 40
    return st


def with_env(**changes: EnvVar | None) -> list[EnvVar]:
    env = {v.name: v for v in GOOD_API}
    for name, var in changes.items():
        if var is None:
            env.pop(name, None)
        else:
            env[name] = var
    return list(env.values())


def denied(st: LiveState, account: str, *secrets: str) -> None:
    """IAM's answer for `account` on every version of `secrets` the state reads, as
    `AccessDecisions` records it after reading the secret's, project's, folders' and
    organisation's policies: denied. Without it `LiveState.grant` never denies (a level above
    the secret, not read, may grant)."""
    for r in st.versions:
        if r.secret in secrets:
            st.access[(account, r)] = Verdict(Grant.DENIED)
