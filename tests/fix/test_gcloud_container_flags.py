"""Which gcloud flags go after `--container NAME` is the catalogue's (Field.per_container,
Field.gcloud_args), not a second list in the gcloud format: on a workload with several
containers, every container flag of a change follows `--container`, every revision flag comes
before any `--container`. gcloud run deploy's synopsis (cloud.google.com/sdk/gcloud/reference/
run/deploy) groups under `--container=CONTAINER` the container's own flags: --args, --command,
--cpu, --memory, --gpu, --image, --port, env/secrets/volume mounts; `--gpu-type`,
`--[no-]cpu-throttling`, `--[no-]cpu-boost`, `--concurrency` … are the revision's."""

from __future__ import annotations

import shlex
import typing

from drift.fields import FIELDS, Field
from drift.fields.base import SettingValue
from drift.fix.formats.gcloud import service_script
from drift.fix.model import SettingChange
from tests.fix.test_gcloud_script import service_plan

CONTAINER_GROUP = frozenset(
    {"--args", "--command", "--cpu", "--memory", "--gpu", "--image", "--port", "--depends-on"}
    | {"--use-http2", "--no-use-http2"}  # the synopsis's `--[no-]use-http2`, in the group
    # surface/run/services/update.py ContainerArgGroup: StartupProbeFlag, LivenessProbeFlag;
    # AlphaUpdate's container_args: ReadinessProbeFlag
    | {"--startup-probe", "--liveness-probe", "--readiness-probe"}
)
"""gcloud run deploy's `--container=CONTAINER` group (the synopsis), the setting flags;
`--depends-on` too (command_lib/run: "dependency_changes = {container_name:
container_args.depends_on for container_name, container_args in args.containers.items() …}")."""


def _samples(field: Field) -> list[tuple[SettingValue, SettingValue | None]]:
    """(after, before) pairs to render for a row."""
    special: dict[str, list[tuple[SettingValue, SettingValue | None]]] = {
        "cpu": [("2000m", "1000m")],
        "memory": [(str(2**30), str(2**29))],
        "gpu_type": [("none", "nvidia-l4"), ("nvidia-l4", ""), ("nvidia-l4", "nvidia-t4")],
    }
    if field.name in special:
        return special[field.name]
    if field.examples:
        return [(field.examples[0], None)]
    if field.annotation is bool:
        return [(True, False), (False, True)]
    if field.annotation is int:
        return [(3, 1)]
    choices = typing.get_args(field.annotation)
    return [(choices[0], None)] if choices and isinstance(choices[0], str) else [("x", None)]


def _placed(line_words: list[str]) -> list[tuple[str, str]]:
    """(flag, container it follows or "") for each argument after the command's head."""
    out, container, i = [], "", 0
    while i < len(line_words):
        word = line_words[i]
        if word == "--container":
            container, i = line_words[i + 1], i + 2
            continue
        out.append((word, container))
        i += 1
    return out


def _render(name: str, after: SettingValue, before: SettingValue | None) -> list[tuple[str, str]]:
    sp = service_plan(
        containers=("app", "otel"),
        primary="app",
        settings=(SettingChange(name, before, after),),
    )
    script = service_script(sp)
    words = shlex.split(" ".join(line.rstrip("\\") for line in script.lines))
    flags = [p for p in _placed(words) if p[0].startswith("--")]
    return [p for p in flags if not p[0].startswith(("--project=", "--region="))]


def test_every_container_flag_is_rendered_after_container_on_a_multi_container_service() -> None:
    seen: set[str] = set()
    for field in FIELDS.values():
        if not field.fixable or "service" in field.name:
            continue
        for after, before in _samples(field):
            for flag, container in _render(field.name, after, before):
                name = flag.split("=", 1)[0]
                seen.add(name)
                if name in CONTAINER_GROUP:
                    assert container, f"{field.name}={after}: {flag} without --container"
                else:
                    assert not container, f"{field.name}={after}: {flag} after --container"
    assert {"--cpu", "--memory", "--gpu", "--gpu-type"} <= seen, seen


def test_taking_the_gpu_away_from_several_containers_is_left_to_drift_fix() -> None:
    """`--container app --gpu=0 --container otel --gpu=0` would take the limits and leave the
    type (gcloud clears it only for a --gpu=0 outside --container, which cannot be combined
    with --container: flags.py `_GetConfigurationChanges`): not in the script, and said."""
    assert _render("gpu_type", "none", "nvidia-l4") == []
    sp = service_plan(
        containers=("app", "otel"),
        primary="app",
        settings=(SettingChange("gpu_type", "nvidia-l4", "none"),),
    )
    script = service_script(sp)
    assert not script.made(sp.settings[0])
    (said,) = script.skipped
    assert "gpu_type" in said and "--gpu=0 outside --container" in said, said


def test_taking_the_gpu_away_from_one_container_is_a_top_level_gpu_0() -> None:
    sp = service_plan(settings=(SettingChange("gpu_type", "nvidia-l4", "none"),))
    script = service_script(sp)
    words = shlex.split(" ".join(line.rstrip("\\") for line in script.lines))
    assert "--gpu=0" in words and "--container" not in words, words
    assert script.made(sp.settings[0])


def test_a_row_marked_per_container_is_placed_there() -> None:
    rows = [f for f in FIELDS.values() if f.per_container]
    assert {f.name for f in rows} >= {"cpu", "memory"}
    for field in rows:
        for after, before in _samples(field):
            assert all(c == "app" for _, c in _render(field.name, after, before))
