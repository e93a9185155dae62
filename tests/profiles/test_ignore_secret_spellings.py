"""`ignore: {secret: …}` names the secret in any spelling a profile accepts for one, and
matches the finding drift names its own way (revbaseline2 F4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeSandbox
from tests.oldstate import check_json, secret_world, write_profile


@pytest.mark.parametrize(
    "spelled",
    [
        "5/k",  # the older drift's target (`secret.5/k`), the own project by number
        "p-acme/k",  # the own project by id
        "projects/5/secrets/k",  # Secret.name, as Terraform writes the reference
        "k",  # as drift names it now
    ],
)
def test_an_ignore_naming_the_secret_in_any_profile_spelling_silences_its_finding(
    make_sandbox: MakeSandbox, tmp_path: Path, spelled: str
) -> None:
    """Was wrong: `Ignore.fits` compared the entry's target with the finding's as text. Since
    3525eff the finding of a `projects/5/secrets/k` reference is `secret.k`, so an entry
    copied from the older drift's target (`secret: 5/k`), or written as a profile may name a
    secret (README "Rules for one variable": by id, by number, `projects/P/secrets/NAME`),
    matched nothing: the drift it silenced failed the check again and the note said "remove
    it if its drift is gone"."""
    env = make_sandbox(secret_world()).environ()
    write_profile(
        tmp_path,
        "ignore:\n  - {service: api, rule: secret.disabled, reason: OPS-1, "
        f"secret: '{spelled}'}}\n",
    )
    report, _ = check_json(tmp_path, env)
    disabled = [f for f in report["findings"] if f["rule"] == "secret.disabled"]
    assert disabled and all(f["ignored"] for f in disabled), (disabled, report["notes"])
    assert not any("matched no finding" in n for n in report["notes"]), report["notes"]


def test_an_unmatched_ignore_of_a_secret_says_how_drift_names_it_now(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Was wrong: an entry that matched nothing only said "correct what it names", not the
    name drift gives the secret: an entry written `5/k` is told drift names it `secret.k`."""
    env = make_sandbox(secret_world(disabled=False)).environ()
    write_profile(
        tmp_path,
        "ignore:\n  - {service: api, secret: 5/k, rule: secret.disabled, reason: OPS-1}\n",
    )
    report, _ = check_json(tmp_path, env)
    [note] = [n for n in report["notes"] if "matched no finding" in n]
    assert "(drift names it `secret.k`)" in note, note
