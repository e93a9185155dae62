"""A Knative manifest that fixes its revision's name (`spec.template.metadata.name`). Cloud
Run refuses a name a revision of the service already has with another configuration
(RevisionTemplate.revision, "The unique name for the revision"), and a manifest check reads no
Cloud Run service: the name was passed over in silence; now a note says it is not checked, at
its line. A name without the service's prefix (Knative refuses it: "must have prefix
SERVICE-") leaves the deploy possibly refused: nothing is verified (exit 3). Terraform's
`template.revision` kept with another configuration is `test_plan_revision_name`'s."""

from __future__ import annotations

import json
from pathlib import Path

from tests.manifest.conftest import MINIMAL, check_offline

PROFILE = "project: acme-prod\nregion: us-central1\nservices:\n  api:\n    settings: {}\n"


def _named(name: str) -> str:
    return MINIMAL.replace("    spec:\n", f"    metadata:\n      name: {name}\n    spec:\n", 1)


def test_a_fixed_revision_name_is_said_at_its_line(tmp_path: Path) -> None:
    done = check_offline(tmp_path, PROFILE, ("m.yaml", _named("api-v7")))
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    [note] = [n for n in json.loads(done.stdout)["notes"] if "revision name" in n]
    assert note.startswith(
        "m.yaml:8: the template fixes the revision name api-v7: Cloud Run "
        "refuses the deploy if a revision of that name exists"
    ), note


def test_no_name_no_note(tmp_path: Path) -> None:
    done = check_offline(tmp_path, PROFILE, ("m.yaml", MINIMAL))
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    assert not [n for n in json.loads(done.stdout)["notes"] if "revision name" in n]


def test_a_name_without_the_services_prefix_is_not_verified(tmp_path: Path) -> None:
    done = check_offline(tmp_path, PROFILE, ("m.yaml", _named("web-v7")))
    assert done.returncode == 3, (done.returncode, done.stdout, done.stderr)
    [unverified] = json.loads(done.stdout)["unverified"]
    assert unverified["target"] == "service", unverified
    assert unverified["reason"].startswith(
        "m.yaml:8: the revision name web-v7 does not start with api-: Knative refuses"
    ), unverified
