"""The row of the settings catalogue for a container's startup order: the containers it starts
after (Container.depends_on). A sidecar the app starts before (a Cloud SQL proxy, a secrets
agent) is what the app's first connections need; without the order, Cloud Run starts every
container at once and the app may take requests before the proxy listens.

run v2 `k8s.min.proto` Container.depends_on: "Names of the containers that must start before
this container." Order among the names means nothing (each must have started), so they are
compared as a set: sorted, comma-joined. gcloud: `--depends-on=A,B` in a container's group
(`--container NAME`; without it, the ingress container's), which sets that container's list
and, given none, removes it (googlecloudsdk `config_changes.ContainerDependenciesChange`:
"if depends_on: dependencies[container] = sorted(depends_on) else: del
dependencies[container]"). A Knative manifest holds it in the template's
`run.googleapis.com/container-dependencies` annotation (`drift.manifest.dependencies`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from drift.fields.base import EVERY_KIND, Field, SettingValue, Source, tf_container
from drift.textsafe import visible

NONE = ("", "none")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
"""A container's name: Container.name "specified as a DNS_LABEL (RFC 1123)"."""


def _joined(names: Any) -> str:
    return ",".join(sorted({str(n).strip() for n in names if str(n).strip()}))


def _read(source: Source) -> str:
    return _joined(source.container.depends_on) if source.container is not None else ""


def _profile(value: Any) -> str:
    """A profile's names: a YAML list, `a,b` (gcloud's form), or none."""
    if isinstance(value, list):
        names = [str(n).strip() for n in value]
    elif isinstance(value, str):
        names = [] if value.strip() in NONE else [n.strip() for n in value.split(",")]
    else:
        raise ValueError("expected the containers it starts after: a list, a,b, or none")
    for name in names:
        if not _NAME.match(name):
            raise ValueError(
                f"{name!r} is no container name (a DNS label: lower-case letters, digits and "
                "'-', at most 63 characters)"
            )
    return _joined(names)


def _write(service: Any, container: Any, value: SettingValue) -> None:
    del container.depends_on[:]
    container.depends_on.extend(n for n in str(value).split(",") if n)


DEPENDS_ON_FIELD = Field(
    "depends_on",
    "The containers this one starts after (a list or a,b; order does not matter); none: it "
    "starts with the others.",
    str | list[str],
    level="container",
    terraform=(tf_container("depends_on"),),
    read=_read,
    write=_write,
    gcloud=lambda v: f"--depends-on={v}",
    per_container=True,
    parse=_profile,
    normalise=lambda v: _joined(str(v).split(",")),
    show=lambda v: ", ".join(str(v).split(",")) if v else "none",
    examples=("cloud-sql-proxy",),
    kinds=EVERY_KIND,
    sparse=True,  # a row of 2026-12: the journals written before digest no `depends_on`
)


def order_problems(order: dict[str, list[str]], names: list[str]) -> Iterator[tuple[str, str]]:
    """(the container whose entry is wrong, why) for each name that is no container of
    `names`, then for a cycle (once)."""
    known = set(names)
    for owner, before in order.items():
        if owner not in known:
            yield owner, f"{_shown(owner)} is no container of this template ({_listed(names)})"
        for name in before:
            if name not in known:
                yield (
                    owner,
                    (
                        f"{_shown(owner)} starts after {_shown(name)}, which is no container of "
                        f"this template ({_listed(names)})"
                    ),
                )
    if (cycle := _cycle(order)) is not None:
        yield (
            cycle[0],
            (
                f"the containers wait on each other ({' -> '.join(_shown(n) for n in cycle)}): "
                "none of them can start first"
            ),
        )


def _shown(name: str) -> str:
    return repr(visible(name))


def _listed(names: list[str]) -> str:
    return (
        "it has " + ", ".join(_shown(n) for n in names) if names else "its containers are unnamed"
    )


def _cycle(order: dict[str, list[str]]) -> list[str] | None:
    """A path of container names that comes back to its first one, if any."""
    done: set[str] = set()

    def walk(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for after in order.get(name, []):
            if (found := walk(after, [*path, name])) is not None:
                return found
        done.add(name)
        return None

    for start in order:
        if (found := walk(start, [])) is not None:
            return found
    return None
