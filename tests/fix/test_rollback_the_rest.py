"""A partial fix (three services, the middle one's canary failing: its image is gone) says
`drift rollback CHANGE` undoes what was applied. That rollback refuses on the one service
Cloud Run cannot start again, writing nothing: the refusal names the way for the others,
`--service a --service c`, which rolls them back alone (helper-538 F3: it named none). One
put back by a teammate is refused with the others named: `--force` writes to them, never
"writing nothing" (helper-747 F1)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.cliutil import drift
from tests.conftest import MakeSandbox

GONE = "us-docker.pkg.dev/p1/b@sha256:" + "b" * 64


def _service(name: str) -> dict[str, Any]:
    image = f"us-docker.pkg.dev/p1/{name}@sha256:{name * 64}"
    return {"template": {"image": image, "env": {"DEBUG": "true"}}}


WORLD = {
    "options": {"seed": 7, "missing_images": [GONE]},
    "projects": {"p1": {"number": 111000111000, "region": "us-central1",
                        "services": {n: _service(n) for n in "abc"}}},
}  # fmt: skip
PROFILE = "project: p1\nregion: us-central1\nservices:\n" + "".join(
    f"  {n}: {{env: {{DEBUG: {{forbidden: true}}}}}}\n" for n in "abc"
)


def _lab(
    make_sandbox: MakeSandbox, tmp_path: Path, world: dict[str, Any] = WORLD
) -> tuple[Any, dict[str, str]]:
    """The sandbox of `world`, and the environment `drift` runs with against it."""
    sandbox = make_sandbox(world)
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "p.yaml").write_text(PROFILE)
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal"),
    }
    return sandbox, env


def test_a_rollback_held_back_on_one_service_names_the_way_for_the_others(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox, env = _lab(make_sandbox, tmp_path)
    before = {n: sandbox.service("p1", n) for n in "ac"}
    fixed = drift("fix", "p", "--yes", env=env, cwd=tmp_path, timeout=120)
    assert "partial fix" in fixed.stdout + fixed.stderr, fixed.stdout + fixed.stderr
    etags = {n: sandbox.service("p1", n).etag for n in "abc"}
    refused = drift("rollback", "--yes", env=env, cwd=tmp_path, timeout=120)
    said = " ".join((refused.stdout + refused.stderr).split())
    assert refused.returncode == 4, said
    assert {n: sandbox.service("p1", n).etag for n in "abc"} == etags  # nothing written
    (change,) = {line.split("`drift rollback ", 1)[1].split(" ", 1)[0] for line in [said]}
    way = f"`drift rollback {change} --service a --service c` rolls back the rest"
    assert way in said, said
    rolled = drift(
        "rollback", change, "--yes", "--service", "a", "--service", "c",
        env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    for n in "ac":
        now = sandbox.service("p1", n)
        assert [e.value for e in now.template.containers[0].env] == ["true"]
        assert now.traffic == before[n].traffic


def test_a_service_someone_changed_since_is_not_offered_as_the_rest(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-540 F5: c was deployed by a teammate since the fix: a rollback of c alone would
    be refused in turn (unforced), so the way on names a only."""
    sandbox, env = _lab(make_sandbox, tmp_path)
    drift("fix", "p", "--yes", env=env, cwd=tmp_path, timeout=120)
    sandbox.deploy("p1", "c", env={"HOTFIX": "1"})
    refused = drift("rollback", "--yes", env=env, cwd=tmp_path, timeout=120)
    said = " ".join((refused.stdout + refused.stderr).split())
    assert refused.returncode == 4, said
    assert "--service a` rolls back the rest" in said, said
    assert "--service c" not in said, said


def test_force_on_a_service_put_back_since_names_what_it_writes_to_the_others(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox, env = _lab(make_sandbox, tmp_path, {**WORLD, "options": {"seed": 7}})
    fixed = drift("fix", "p", "--yes", env=env, cwd=tmp_path, timeout=120)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    sandbox.deploy("p1", "a", env={"DEBUG": "true"})  # a teammate puts a back by hand
    refused = drift("rollback", "--yes", env=env, cwd=tmp_path, timeout=120)
    said = " ".join((refused.stdout + refused.stderr).split())
    assert refused.returncode == 4, said
    assert "it serves what served before the change already" in said, said
    (change,) = re.findall(r"change (\S+) recorded in", fixed.stdout)
    forced = f"`drift rollback {change} --force` writes nothing to a (as before already) and rolls "
    forced += "back b, c"
    assert forced in said and "writing nothing" not in said, said
    generations = {n: sandbox.service("p1", n).generation for n in "abc"}
    done = drift("rollback", "--yes", "--force", env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    after = {n: sandbox.service("p1", n).generation - generations[n] for n in "abc"}
    assert after == {"a": 0, "b": 1, "c": 1}, done.stdout  # as the refusal said
