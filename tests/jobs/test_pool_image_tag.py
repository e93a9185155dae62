"""revfix84 F2, for a worker pool: a fix that changes its template makes a new revision its
instances move to, and an image named by a tag is resolved again then (as for a service's
canary, `drift.fix.base.tag_note`): the pool's result says its new revision runs what each
tag names now, never as if only the plan changed. Not said for an image named by its digest,
nor for a fix that leaves the template as it is (the instance count: no new revision)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from drift.errors import ExitCode
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import fix
from tests.jobs.world import POOL_HEAD
from tests.sandbox.jobworld import POOL_SPEC, world

DIGEST = "us-docker.pkg.dev/example/consumer@sha256:" + "7" * 64
SAID = "is a tag: the new revision runs the image it names now"


def pool_on(
    image: str,
    wanted: str,
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> tuple[str, Path]:
    """Pool running `image` (its agent sidecar on a digest), the environment pointed at its
    sandbox, and profile prod wanting `wanted` of it (its env or settings, under POOL_HEAD):
    the revision it runs and the profiles' folder."""
    pool = copy.deepcopy(POOL_SPEC)
    pool["template"]["containers"][0]["image"] = image
    pool["template"]["containers"][1]["image"] = DIGEST.replace("consumer", "agent")
    sandbox = make_sandbox(world(jobs={}, pools={"pool": pool}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    ran = sandbox.worker_pool("p", "pool").latest_ready_revision.rsplit("/", 1)[-1]
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "prod.yaml").write_text(POOL_HEAD + wanted)
    return ran, profiles


@pytest.mark.parametrize(
    ("image", "change"),
    [
        ("us-docker.pkg.dev/example/consumer:1", "env"),
        (DIGEST, "env"),
        ("us-docker.pkg.dev/example/consumer:1", "count"),
    ],
    ids=["tag", "digest", "no-new-revision"],
)
def test_a_pool_fix_says_its_new_revision_resolves_a_tag_again(
    image: str, change: str, make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # fmt: skip
    wanted = (
        "    env:\n      QUEUE: orders\n"
        if change == "env"
        else "    settings:\n      instance_count: 3\n"
    )
    ran, profiles = pool_on(image, wanted, make_sandbox, monkeypatch, tmp_path)
    result = fix(tmp_path, profiles, ScriptedUI(), yes=True)
    said = result.summary()
    assert result.exit_code is ExitCode.OK, said
    (outcome,) = result.outcomes
    if image == DIGEST or change == "count":
        assert "is a tag" not in said, said
        return
    assert (
        f"; {image} {SAID} (Cloud Run resolves a tag to a digest when it creates a revision), "
        f"which is the one {ran} ran only if nobody has pushed the tag since; drift cannot "
        "compare digests" in outcome.message
    ), said


@pytest.mark.parametrize(
    "image", ["us-docker.pkg.dev/example/consumer:1", DIGEST], ids=["tag", "digest"]
)
def test_a_pool_rollback_says_its_new_revision_resolves_a_tag_again(
    image: str, make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Its rollback sends back the template as it was: another new revision, the same words
    before it writes (as a service's rollback says them), once: not again in its result
    (helper-848 F7)."""
    import asyncio

    from drift.fix.rollback import run_rollback
    from drift.settings import load_settings

    ran, profiles = pool_on(
        image, "    env:\n      QUEUE: orders\n", make_sandbox, monkeypatch, tmp_path
    )
    assert fix(tmp_path, profiles, ScriptedUI(), yes=True).exit_code is ExitCode.OK
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    ui = ScriptedUI()
    result = asyncio.run(run_rollback(settings, ui, None, yes=True))
    said = result.summary()
    assert result.exit_code is ExitCode.OK and result.restored, said
    if image == DIGEST:
        assert "is a tag" not in said + "\n".join(ui.said), said
        return
    assert (
        f"note: worker pool pool: {image} {SAID} (Cloud Run resolves a tag to a digest when it "
        f"creates a revision), which is the one {ran} ran only if nobody has pushed the tag "
        "since; drift cannot compare digests"
    ) in ui.said, ui.said  # its own line before the write, said once (helper-683 L1)
    assert SAID not in said, said  # not again in the result (helper-848 F7)
