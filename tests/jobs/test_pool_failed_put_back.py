"""helper-637 F2: a worker pool whose template's revision failed is fixed on the revision its
instances run (`drift.fix.pool_base`). When drift's update then fails on something that
configuration names too (its image deleted from the registry since that revision was made:
"Cloud Run keeps this copy", which a new revision cannot use), putting it back would fail the
same way. The judgement looked at the failed template instead, so drift wrote a second
failing revision and said the pool was "as it was before the change" — the failed template it
replaced is not put back. Now: one write, the same words as for any pool."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import fix
from tests.jobs.test_pool_failed_template import BROKEN, PROFILE, RAN, _failed_pool, _updates
from tests.jobs.world import write_profile
from tests.sandbox.jobworld import POOL_SPEC, world


@pytest.mark.parametrize("failed", [True, False], ids=["failed-template", "plain-pool"])
def test_a_put_back_that_would_fail_the_same_way_is_not_sent(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, failed: bool
) -> None:
    if failed:
        pool = _failed_pool()
    else:
        pool = copy.deepcopy(POOL_SPEC)
        pool["template"]["containers"][0]["image"] = RAN
    sandbox = make_sandbox(world(jobs={}, pools={"pool": pool}, missing_images=[RAN, BROKEN]))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profiles = write_profile(tmp_path / "profiles", PROFILE)
    text = fix(tmp_path, profiles, ScriptedUI([True]), yes=True).summary()
    writes = [u for u in _updates(sandbox) if not u.validate_only]
    assert len(writes) == 1, text
    assert f"drift did not put back what it ran before: that names {RAN} too" in text, text
    assert "as it was before the change" not in text, text


def test_a_put_back_says_what_it_restored_not_the_failed_template(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The update fails on the profile's own image (missing): what the instances ran is put
    back, and the words say so, not "as it was before the change" (the template was the
    failed one, which is not put back)."""
    new = "us-docker.pkg.dev/example/consumer:9-missing"
    sandbox = make_sandbox(world(jobs={}, pools={"pool": _failed_pool()}, missing_images=[new]))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profiles = write_profile(
        tmp_path / "profiles", PROFILE + f"    settings:\n      image: {new}\n"
    )
    text = fix(tmp_path, profiles, ScriptedUI([True]), yes=True).summary()
    writes = [u for u in _updates(sandbox) if not u.validate_only]
    assert len(writes) == 2, text  # drift's update, then the put-back
    assert "drift put back what it ran before: as its instances ran it before the change" in text
    assert "as it was before the change" not in text, text
    image = sandbox.worker_pool("p", "pool").template.containers[0].image
    assert image == RAN, image
