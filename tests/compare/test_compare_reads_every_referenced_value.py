"""helper-774 (left, MEDIUM; task 777; failed before its fix): `drift compare --live` read a
secret's value only where both sides reference a secret and the two references differ. A
secret referenced on one side only, or the very same secret on both, was never read, so a plain
variable holding its start or end (the secret pasted as two variables) was shown as it is, or
partly concealed, while `init --from-live` masks it whole. compare now reads the value of every
version the workloads it read reference, each once (for masking only: no finding of its own;
`--no-secret-values` reads none, and says what it leaves as Cloud Run shows it). SPEC Safety
invariant 1: no secret value in any output."""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.compare.test_compare_credential_shaped_halves import ACCOUNT, PAYLOADS, _leaked
from tests.conftest import MakeSandbox

GRANT = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
PAYLOAD = {name: payload for name, (payload, _, _) in PAYLOADS.items()}
HALVES = {}  # each payload pasted as two plain variables, in prod only
for _name, (_payload, _cut, _) in PAYLOADS.items():
    HALVES[f"{_name}_START"], HALVES[f"{_name}_END"] = _payload[:_cut], _payload[_cut:]
VAULT = "acme-vault"  # a project of its own holding secrets both environments read


def _secrets() -> dict[str, Any]:
    return {n.lower(): {"versions": [p], "iam": GRANT} for n, p in PAYLOAD.items()}


def _world(prod_env: dict[str, Any], dev_env: dict[str, Any], vault: bool) -> dict[str, Any]:
    def project(number: int, env: dict[str, Any]) -> dict[str, Any]:
        service = {"template": {"service_account": ACCOUNT, "env": env}}
        return {"number": number, "secrets": _secrets(), "services": {"api": service}}

    projects = {"acme-prod": project(111, prod_env), "acme-dev": project(222, dev_env)}
    if vault:
        projects[VAULT] = {"number": 333, "secrets": _secrets()}
    return {"projects": projects}


def _run(sandbox: Sandbox, folder: Path, *args: str) -> tuple[int, str, str]:
    for env in ("prod", "dev"):
        (folder / f"{env}.yaml").write_text(
            f"project: acme-{env}\nregion: us-central1\nservices:\n  api: {{}}\n"
        )
    sandbox.clear_calls()
    done = drift(
        "compare", *args, "--live", "--profiles", str(folder), env=sandbox.environ(), cwd=folder
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stdout + done.stderr


# where prod's references point, dev's: one side only (dev references nothing), or the very
# same secret (of a third project) on both sides
SIDES = {
    "one_side": ({n: {"secret": n.lower()} for n in PAYLOAD}, {}, False),
    "same_secret": ({n: {"secret": f"projects/{VAULT}/secrets/{n.lower()}"} for n in PAYLOAD},) * 2
    + (True,),
}


def _sandbox(make_sandbox: MakeSandbox, sides: str) -> Sandbox:
    prod_refs, dev_refs, vault = SIDES[sides]
    return make_sandbox(_world(prod_refs | HALVES, dev_refs, vault))


@pytest.mark.parametrize("sides", sorted(SIDES))
@pytest.mark.parametrize("order", [("prod", "dev"), ("dev", "prod")])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_compare_live_masks_the_parts_of_a_secret_it_did_not_compare(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: str, order: tuple[str, str], sides: str
) -> None:
    sandbox = _sandbox(make_sandbox, sides)
    code, out, text = _run(sandbox, tmp_path, *order, "-f", fmt)
    assert code == 1, text
    if fmt == "json":
        shown = {
            d["target"]: d["a"] if order[0] == "prod" else d["b"]
            for d in json.loads(out)["differences"]
            if d["kind"] == "env.only_in" and d["target"].removeprefix("env.") in HALVES
        }
        # every half is still said, masked whole
        assert set(shown) == {f"env.{n}" for n in HALVES} and set(shown.values()) == {"***"}, text
    leaked = {name: _leaked(text, parts) for name, (_, _, parts) in PAYLOADS.items()}
    assert {name: runs for name, runs in leaked.items() if runs} == {}, text
    assert "could not read" not in text, text  # every value read: no note
    # each version read once, and nothing read for it but its value (compare reads no state)
    reads = collections.Counter(
        c.request.name for c in sandbox.calls if c.short == "AccessSecretVersion"
    )
    assert sorted(reads.values()) == [1] * len(PAYLOAD), reads
    assert not [c for c in sandbox.calls if c.short == "GetSecretVersion"]


def test_compare_live_reads_each_version_once_when_it_also_compares_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """prod's and dev's references differ (each its own project's), and prod holds the halves:
    the values read to compare are the ones that mask, each version read once."""
    refs = {n: {"secret": n.lower()} for n in PAYLOAD}
    sandbox = make_sandbox(_world(refs | HALVES, refs, False))
    code, _, text = _run(sandbox, tmp_path, "prod", "dev", "-f", "json")
    assert code == 1 and "secret.shared" in text, text
    reads = collections.Counter(
        c.request.name for c in sandbox.calls if c.short == "AccessSecretVersion"
    )
    assert sorted(reads.values()) == [1] * (2 * len(PAYLOAD)), reads


def test_no_secret_values_reads_none_and_says_what_it_leaves_as_it_is(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = _sandbox(make_sandbox, "one_side")
    code, _, text = _run(sandbox, tmp_path, "prod", "dev", "--no-secret-values")
    assert code == 1, text
    assert not [c for c in sandbox.calls if c.short == "AccessSecretVersion"]
    assert "--no-secret-values" in text and "shown as Cloud Run shows it" in text, text


def test_a_value_it_may_not_read_leaves_its_parts_as_check_leaves_them(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A value read only to mask whose read is refused is nobody's finding, as `check`'s read
    of a value pasted in (`SecretReads.read_pasted`): no `unverified`, the exit code the
    differences give, and what the plain values are is judged as without the value; a note
    says so (helper-781 C1)."""
    sandbox = make_sandbox(_world({"DOTENV": {"secret": "dotenv"}, "PLAIN": "x"}, {}, False))
    sandbox.inject(Fault(method="AccessSecretVersion", code="PERMISSION_DENIED"))
    code, out, text = _run(sandbox, tmp_path, "prod", "dev", "-f", "json")
    assert code == 1 and json.loads(out)["unverified"] == [], text
    assert [c.code for c in sandbox.calls if c.short == "AccessSecretVersion"] == [
        "PERMISSION_DENIED"
    ], text
    # said, as `--no-secret-values` says it (helper-781 C1)
    assert [n for n in json.loads(out)["notes"] if n.startswith("could not read")] == [
        f"could not read the value of {_refused('dotenv')}: {SHOWN}"
    ], text


def _refused(secret: str) -> str:
    version = f"projects/acme-prod/secrets/{secret}/versions/latest"
    return f"{version} (AccessSecretVersion: PERMISSION_DENIED)"


SHOWN = "a plain variable holding a copy or a part of one is shown as Cloud Run shows it"


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_the_values_it_may_not_read_are_named_in_one_note(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: str
) -> None:
    """helper-781 C1 (failed before): the refused reads left the halves of a secret shown as
    they are, and nothing said so. One note names the versions (three, sorted, and how many
    more), no unverified item, the exit code the differences give."""
    sandbox = _sandbox(make_sandbox, "one_side")
    sandbox.inject(Fault(method="AccessSecretVersion", code="PERMISSION_DENIED"))
    code, out, text = _run(sandbox, tmp_path, "prod", "dev", "-f", fmt)
    assert code == 1, text
    named = ", ".join(map(_refused, ("dotenv", "jwt", "oauth")))
    note = f"could not read the values of {named} and 1 more: {SHOWN}"
    if fmt == "table":
        assert [x for x in out.splitlines() if "could not read" in x] == [f"note: {note}"], out
    else:
        doc = json.loads(out)
        assert [n for n in doc["notes"] if "could not read" in n] == [note], out
        assert doc["unverified"] == [] and doc["exit_code"] == 1, out
