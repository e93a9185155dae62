"""revfix84 F2: a canary is the serving revision's configuration plus the plan (SPEC invariant
8), but an image named by a tag is resolved again when Cloud Run creates the canary ("If you
deploy from a container image tag, it will be resolved to a digest and the revision will always
serve the same image", cloud.google.com/artifact-registry/docs/integrate-cloud-run): a push of
the tag that was never deployed rolls out with the fix, probed, promoted and reported as the
fix alone. The v2 Revision carries no digest to compare (`drift.fix.recorded`), so drift cannot
prove the canary runs the image that served: it says so before it writes, once (helper-848 F7:
not again in the promoted result), as a rollback does (`tag_caveat`). An image named by its
digest: nothing said."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab

TAGGED = "us-docker.pkg.dev/lab/app:v1"
DIGEST = "us-docker.pkg.dev/lab/app@sha256:" + "5" * 64
SAID = "is a tag: the canary runs the image it names now"


@pytest.mark.parametrize("image", [TAGGED, DIGEST], ids=["tag", "digest"])
def test_the_fix_says_a_tagged_image_is_resolved_again_for_the_canary(
    image: str, make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = {"image": image, "port": 8080, "env": {"DEBUG": "true"}}
    sandbox: Sandbox = make_sandbox(lab.lab_world(template=template))
    served = sandbox.service(lab.LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]
    ui = lab.ScriptedUI([True, True])
    result = lab.lab_fix(tmp_path, sandbox, ui, lab.FixOptions(), monkeypatch)
    said = result.summary()
    assert result.exit_code is ExitCode.OK, said
    (outcome,) = result.outcomes
    before_the_write = [s for s in ui.said if SAID in s]
    if image == DIGEST:  # control: the canary runs the very image
        assert not before_the_write and SAID not in said, (ui.said, said)
        return
    # said before the first prompt (with what the fix builds on), once
    assert before_the_write == [
        f"app: {TAGGED} {SAID} (Cloud Run resolves a tag to a digest when it creates a "
        f"revision), which is the one {served} runs only if nobody has pushed the tag since; "
        "drift cannot compare digests"
    ], ui.said
    assert ui.said.index(before_the_write[0]) < ui.said.index(
        next(s for s in ui.said if "deploying canary" in s)
    )
    assert outcome.message.startswith(f"app: traffic moved to {outcome.canary}"), said
    # not again in the result (helper-848 F7)
    assert SAID not in said, said


def test_said_under_yes_too(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())  # us-docker.pkg.dev/lab/app:v1
    ui = lab.ScriptedUI()
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()
    assert len([s for s in ui.said if SAID in s]) == 1, ui.said
    assert SAID not in result.summary()


PINNED = [{"revision": 1, "percent": 100}]
"""The lab service's traffic pinned by name on its one revision: no LATEST share."""


@pytest.mark.parametrize(
    ("image", "traffic"),
    [(TAGGED, None), (DIGEST, None), (TAGGED, PINNED)],
    ids=["tag-latest", "digest-latest", "tag-pinned"],
)
def test_a_declined_promotion_says_what_its_cleanup_redeployed_by_tag(
    image: str,
    traffic: list[dict[str, int]] | None,
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cleanup after an abort (here a "no" at the promotion prompt) puts back the
    configuration that served as a new revision, which LATEST then resolves to
    (`drift.fix.restore`): with an image named by a tag, that revision runs what the tag names
    now — the very image the canary just ran, which may be why the operator declined. The
    cleanup's "restored the routing that served" must say so, as a rollback's result does
    (`tag_caveat`). Not when the image is a digest, nor when no new revision takes traffic
    (traffic pinned by name: the revision that served keeps it)."""
    template = {"image": image, "port": 8080, "env": {"DEBUG": "true"}}
    sandbox = make_sandbox(lab.lab_world(template=template, traffic=traffic))
    served = sandbox.service(lab.LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]
    ui = lab.ScriptedUI([True, False])  # yes to the canary, no to the promotion
    result = lab.lab_fix(tmp_path, sandbox, ui, lab.FixOptions(), monkeypatch)
    said = result.summary()
    assert result.exit_code is ExitCode.ABORTED, said
    (outcome,) = result.outcomes
    assert "drift removed the canary's tag and restored the routing" in outcome.message, said
    caveat = (
        f"{TAGGED} is a tag: the new revision runs the image it names now (Cloud Run resolves a "
        f"tag to a digest when it creates a revision), which is the one {served} ran only if "
        "nobody has pushed the tag since; drift cannot compare digests"
    )
    if image == TAGGED and traffic is None:  # main
        assert caveat in outcome.message, said
    else:
        assert "is a tag" not in outcome.message, said
