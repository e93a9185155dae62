"""helper-739 F3, the plan: a drifted revision that `e2e` and `qa` both reach at 0 % had one
manual step for `e2e` alone (move or remove that tag), after which `qa`'s URL still served the
drift. The step now names every tag `check_tags` selects that points there, and its commands
move or remove them all at once; one `check_tags` leaves out is not named."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.check.test_tags_on_one_revision import REVISION, _profile, _world
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox

FLAGS = "--project=p-acme --region=us-central1"


CASES = {  # check_tags: what the step says, what its two commands move and remove
    "all": ("tags e2e, qa point", "e2e=<REVISION>,qa=<REVISION>", "e2e,qa"),
    "[qa]": ("tag qa points", "qa=<REVISION>", "qa"),
}


@pytest.mark.parametrize("check_tags", CASES, ids=["all", "qa-only"])
@pytest.mark.parametrize("tags", [["e2e", "qa"], ["qa", "e2e"]], ids=["e2e-first", "qa-first"])
def test_the_step_moves_every_tag_that_reaches_the_revision(
    make_sandbox: MakeSandbox, tmp_path: Path, tags: list[str], check_tags: str
) -> None:
    said, update, remove = CASES[check_tags]
    sandbox = make_sandbox(_world(tags))
    profile = ("lab", _profile(check_tags))
    done = drift_on(sandbox, tmp_path, profile, "plan", "lab", "--format", "gcloud")
    assert done.returncode == 1, done.stdout + done.stderr
    (step,) = [line for line in done.stdout.splitlines() if line.startswith("# manual (api tag.")]
    assert f"{said} at {REVISION} " in step, step
    traffic = "#   gcloud run services update-traffic api " + FLAGS
    commands = [line for line in done.stdout.splitlines() if "update-traffic" in line]
    assert commands == [
        f"{traffic} --update-tags={update}",
        f"{traffic} --remove-tags={remove}",
    ], done.stdout
