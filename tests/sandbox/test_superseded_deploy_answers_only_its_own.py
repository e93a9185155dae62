"""A newer write that supersedes a deploy in progress finishes the superseded deploy's
operation at once (it settled before the newer write), and only that one: another service's
deploy settled since the last tick (a clock action run, not yet published) stays running
until the tick has published its outcome ("done once the backends serve the outcome",
drift/sandbox/core.py `tick`). Before fixown45 (revown45 point 1) the superseding write
drained every settled deploy and finished them all before their outcome was published."""

from __future__ import annotations

from typing import Any

from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox


def test_a_superseding_write_answers_only_the_superseded_deploy(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    sandbox = make_sandbox(
        {
            "options": {"deploys_wait": True},
            "projects": {"p": {"number": 3, "services": {"a": {}, "b": {}}}},
        }
    )
    client = clients_for(sandbox).services
    names = {s: f"projects/p/locations/us-central1/services/{s}" for s in "ab"}
    ops = {}
    for s, name in names.items():
        service = client.get_service(name=name)
        service.template.revision = ""
        service.template.containers[0].image = f"us-docker.pkg.dev/example/{s}:2"
        ops[s] = client.update_service(service=service).operation.name
    core: Any = sandbox._core  # noqa: SLF001
    order: list[str] = []
    publish, finish = core.publish, core.ops.finish

    async def published(rec: Any) -> None:
        await publish(rec)
        order.append(f"publish {rec.key.id}")

    def finished(name: str, *args: Any) -> Any:
        order.append(f"finish {next(s for s, op in ops.items() if op == name)}")
        return finish(name, *args)

    async def supersede() -> None:
        a = core.world.find_service("p", "a", None)
        b = core.world.find_service("p", "b", None)
        core._settle(a)  # noqa: SLF001 - a's deploy settles (a clock action), not yet ticked
        request = run_v2.Service.pb(run_v2.Service())
        request.CopyFrom(b.pb)
        request.template.containers[0].image = "us-docker.pkg.dev/example/b:3"
        core.publish, core.ops.finish = published, finished
        try:
            await core.deploy(b.key, request)
        finally:
            core.publish, core.ops.finish = publish, finish

    sandbox._call(supersede())  # noqa: SLF001
    # b's superseded deploy is answered at the newer write; a's only once a is published
    assert order.index("finish b") < order.index("publish b"), order
    assert order.index("publish a") < order.index("finish a"), order
