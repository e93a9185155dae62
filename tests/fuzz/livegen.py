"""Hypothesis strategies for live Cloud Run services as sandbox scenarios (revfuzz)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

PROJECT = "fz-prod"
NUMBER = "500000000011"
OTHER = "fz-shared"
OTHER_NUMBER = "600000000022"
REGION = "us-central1"
SA = f"run@{PROJECT}.iam.gserviceaccount.com"
OWN_SECRETS = ["db-url", "api-key", "tls-cert"]
OTHER_SECRETS = ["partner-key"]

env_names = st.from_regex(r"\A[A-Z_][A-Z0-9_]{0,12}\Z", fullmatch=True).filter(
    lambda n: not n.startswith(("X_GOOGLE_", "CLOUD_RUN_", "K_")) and n not in {"PORT"}
)
# env values Cloud Run accepts: any UTF-8 text (no surrogates: protobuf strings are UTF-8)
plain_values = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)


def secret_refs() -> st.SearchStrategy[dict[str, Any]]:
    own = st.builds(
        lambda s, form: (
            s if form == "short" else f"projects/{PROJECT if form == 'id' else NUMBER}/secrets/{s}"
        ),
        st.sampled_from(OWN_SECRETS),
        st.sampled_from(["short", "id", "number"]),
    )
    other = st.builds(
        lambda s, by: f"projects/{OTHER if by else OTHER_NUMBER}/secrets/{s}",
        st.sampled_from(OTHER_SECRETS),
        st.booleans(),
    )
    return st.builds(
        lambda secret, version: {"secretKeyRef": {"secret": secret, "version": version}},
        st.one_of(own, other),
        st.sampled_from(["latest", "1", "2"]),
    )


def env_lists() -> st.SearchStrategy[list[dict[str, Any]]]:
    entry = st.tuples(env_names, st.one_of(plain_values, secret_refs()))
    return st.lists(entry, max_size=5, unique_by=lambda e: e[0]).map(
        lambda items: [
            {"name": n, "value": v} if isinstance(v, str) else {"name": n, "valueSource": v}
            for n, v in items
        ]
    )


images = st.sampled_from(
    [
        "us-central1-docker.pkg.dev/fz-prod/apps/api:1.0.0",
        "us-central1-docker.pkg.dev/fz-prod/apps/api:1.1.0",
        "us-docker.pkg.dev/cloudrun/container/hello",
        "gcr.io/fz-prod/side@sha256:" + "a" * 64,
    ]
)


@st.composite
def templates(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 3))
    names = ["app", "side", "otel"][:count]
    volumes: list[dict[str, Any]] = []
    containers = []
    for i, name in enumerate(names):
        container: dict[str, Any] = {"image": draw(images), "env": draw(env_lists())}
        if count > 1 or draw(st.booleans()):
            container["name"] = name
        if i == 0:
            container["ports"] = [{"containerPort": 8080}]
        if draw(st.booleans()):
            container["resources"] = {
                "limits": {
                    "cpu": draw(st.sampled_from(["1", "2", "1000m", "4"])),
                    "memory": draw(st.sampled_from(["512Mi", "1Gi", "2Gi", "256Mi"])),
                }
            }
        mounts = []
        if draw(st.booleans()) and len(volumes) < 2:
            vol = f"v{len(volumes)}"
            secret: dict[str, Any] = {"secret": draw(st.sampled_from(OWN_SECRETS))}
            if draw(st.booleans()):
                secret["items"] = [
                    {
                        "path": draw(st.sampled_from(["cert.pem", "a/b.txt", "key"])),
                        "version": draw(st.sampled_from(["1", "2", "latest"])),
                    }
                ]
            volumes.append({"name": vol, "secret": secret})
            mounts.append(
                {
                    "name": vol,
                    "mountPath": draw(st.sampled_from(["/etc/tls", "/secrets", f"/m{i}"])),
                }
            )
        if mounts:
            container["volumeMounts"] = mounts
        containers.append(container)
    template: dict[str, Any] = {"serviceAccount": SA, "containers": containers}
    if volumes:
        template["volumes"] = volumes
    if draw(st.booleans()):
        template["timeout"] = draw(st.sampled_from(["60s", "300s", "3600s", "1.5s"]))
    if draw(st.booleans()):
        template["scaling"] = {
            "minInstanceCount": draw(st.integers(0, 3)),
            "maxInstanceCount": draw(st.integers(3, 100)),
        }
    if draw(st.booleans()):
        template["maxInstanceRequestConcurrency"] = draw(st.integers(1, 1000))
    return template


@st.composite
def services(draw: st.DrawFn) -> dict[str, Any]:
    template = draw(templates())
    service: dict[str, Any] = {"template": template}
    if draw(st.booleans()):
        service["scaling"] = {"minInstanceCount": draw(st.integers(0, 2))}
    history_len = draw(st.integers(0, 2))
    if history_len:
        # revisions that differ in configuration while serving is documented (init exits 3):
        # those only where the latest takes all traffic; else an image-only canary history
        env_change = draw(st.booleans())
        service["history"] = [
            {"env": {draw(env_names): draw(st.one_of(st.none(), plain_values))}}
            if env_change
            else {"image": draw(images)}
            for _ in range(history_len)
        ]
        revisions = history_len + 1
        shape = draw(
            st.sampled_from(["latest"] if env_change else ["latest", "split", "tag0", "pinned"])
        )
        if shape == "latest":
            service["traffic"] = [{"latest": True, "percent": 100}]
        elif shape == "pinned":
            service["traffic"] = [{"revision": draw(st.integers(1, revisions)), "percent": 100}]
        elif shape == "split":
            p = draw(st.integers(1, 99))
            service["traffic"] = [
                {"latest": True, "percent": p},
                {"revision": 1, "percent": 100 - p},
            ]
        else:
            service["traffic"] = [
                {"latest": True, "percent": 100},
                {"revision": draw(st.integers(1, history_len)), "percent": 0, "tag": "e2e"},
            ]
    return service


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(
        st.lists(st.sampled_from(["api", "web", "worker"]), min_size=1, max_size=2, unique=True)
    )
    grant = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{SA}"]}
    return {
        "options": {"seed": 7},
        "projects": {
            OTHER: {
                "number": int(OTHER_NUMBER),
                "iam": grant,
                "secrets": {
                    s: {"versions": ["fake-other-v1-0a1b2c3d", "fake-other-v2-4e5f6a7b"]}
                    for s in OTHER_SECRETS
                },
            },
            PROJECT: {
                "number": int(NUMBER),
                "region": REGION,
                "iam": grant,
                "secrets": {
                    s: {"versions": [f"fake-{s}-v1-11223344", f"fake-{s}-v2-55667788"]}
                    for s in OWN_SECRETS
                },
                "services": {n: draw(services()) for n in names},
            },
        },
    }
