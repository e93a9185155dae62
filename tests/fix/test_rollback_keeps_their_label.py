"""helper-661 A7: a teammate's write since drift's last write of a change that touched only what
the rollback keeps — a label of the service: no revision, the routing, the template and the
service-level settings the change set as drift left them. A rollback copies the service as it
is and writes only its template, its traffic and the parts the change set, so their label
stays: the rollback goes on and says so ("their labels team stays"), exit 0, for a canary's
change (promoted, or held by `--no-promote`) and for an update in place alike. Before, both
refused ("changed since … `--force` restores anyway", exit 4), the words "rolling back would
undo what of their change the lines above list" listing nothing of theirs.

Where it is not proven, the rollback refuses as before: their 0 % tag (the rollback's traffic
would remove it), their deploy (a revision of theirs), their ingress over drift's, set in place
or with a canary's change (the journal records a digest of the ingress drift's writes sent:
theirs is not it), their label while the service is still reconciling (a deploy in progress
is never "their labels only")."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, entries, ready_config, updates
from tests.fix.test_inplace_refused_theirs import ALL, INTERNAL, LOAD_BALANCER, SOLO
from tests.fix.test_inplace_refused_theirs import their_write as their_update
from tests.fix.test_promotion_refused_theirs import fix_cli, their_write
from tests.fix.test_rollback_landed_then_theirs import stands, theirs
from tests.sandbox.helpers import service_name

KEPT = "which the rollback keeps (it writes only the template, the traffic and what the change set)"
OURS = ", its client not known: the client fields are still as drift's write left them"
REFUSED = "rolling back would undo what of their change the lines above list"
IAM = (
    "solo",
    f"project: {PROJECT}\nregion: us-central1\nservices:\n  api:\n    settings:\n"
    "      invoker_iam_disabled: true\n",
)


@pytest.mark.parametrize("how", ["promoted", "no-promote"])
def test_a_canary_change_rolled_back_over_their_label(
    how: str,
    sandbox: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = sandbox.service(PROJECT, "api")
    served = ready_config(sandbox, before)
    flags = ["--no-promote"] if how == "no-promote" else []
    done = fix_cli(env, tmp_path, "fix", "e2e", "--service", "api", "--yes", *flags)
    (entry,) = entries(tmp_path)
    assert entry.state == (State.PINNED if flags else State.PROMOTED), done.stdout + done.stderr
    their_write(clients, "label")
    if flags:  # `drift check` offers the rollback as it judges it: no refusal to name
        checked = fix_cli(env, tmp_path, "check", "e2e", "--service", "api")
        assert f"`drift rollback {entry.change_id}` removes the canary" in checked.stdout
        assert "which refuses it" not in checked.stdout, checked.stdout
    sandbox.clear_calls()
    back = fix_cli(env, tmp_path, "rollback", "--yes")
    said = back.stdout + back.stderr
    assert back.returncode == 0, said  # was 4: "changed since … `--force` restores anyway"
    assert f"they changed only its labels team, {KEPT}: their labels team stays" in said, said
    # their read-modify-write sent back drift's client fields: not named as drift's write
    assert f"{OURS}): they changed only its labels team" in said and " with drift " not in said
    assert REFUSED not in said and "--force" not in said, said
    assert f"rollback of {entry.change_id}: restored api" in said, said
    now = sandbox.service(PROJECT, "api")
    assert now.labels["team"] == "theirs"
    assert ready_config(sandbox, now) == served
    assert not any(t.tag == entry.tag for t in now.traffic_statuses)
    assert entries(tmp_path)[0].state == State.ROLLED_BACK


def test_an_update_in_place_rolled_back_over_their_label(
    sandbox: Sandbox, env: dict[str, str], clients: Clients, tmp_path: Path
) -> None:
    """A setting the configuration digest drift journals holds (`invoker_iam_disabled`)."""
    done = drift_on(sandbox, tmp_path, IAM, "fix", "solo", "--yes")
    (entry,) = entries(tmp_path)
    assert entry.state == State.UPDATED, done.stdout + done.stderr
    assert sandbox.service(PROJECT, "api").invoker_iam_disabled
    their_write(clients, "label")
    back = drift_on(sandbox, tmp_path, IAM, "rollback", "--yes")
    said = back.stdout + back.stderr
    assert back.returncode == 0, said  # was 4
    assert f"they changed only its labels team, {KEPT}: their labels team stays" in said, said
    assert f"{OURS}): they changed only its labels team" in said and " with drift " not in said
    now = sandbox.service(PROJECT, "api")
    assert now.labels["team"] == "theirs" and not now.invoker_iam_disabled
    assert entries(tmp_path)[0].state == State.ROLLED_BACK


@pytest.mark.parametrize("what", ["tag", "deploy", "reconciling"])
def test_their_routing_or_revision_still_refuses(
    what: str,
    sandbox: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
) -> None:
    """`reconciling`: their label, its deploy held (service.proto `Service.reconciling`);
    before, the rollback went on, wrote over it and waited on it."""
    done = fix_cli(env, tmp_path, "fix", "e2e", "--service", "api", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    if what == "reconciling":
        service = clients.services.get_service(name=service_name("api"))
        service.labels["team"] = "theirs"
        sandbox.hold_deploys()
        clients.services.update_service(service=service)  # held: not waited on
        assert sandbox.service(PROJECT, "api").reconciling
    else:
        theirs(sandbox, clients, what)
    sandbox.clear_calls()
    back = fix_cli({**env, "DRIFT_WRITE_WAIT": "3"}, tmp_path, "rollback", "--yes")
    said = back.stdout + back.stderr
    assert back.returncode == 4 and REFUSED in said and KEPT not in said, said
    assert updates(sandbox) == [] and stands(sandbox, what.replace("reconciling", "label"))
    # a deploy names its client (gcloud); their read-modify-write sent back drift's fields
    assert (" with gcloud " in said) if what == "deploy" else (f"{OURS})" in said), said


BOTH = (
    "solo",
    f"project: {PROJECT}\nregion: us-central1\nservices:\n  api:\n    env:\n      NEW: '1'\n"
    "    settings:\n      ingress: internal-and-cloud-load-balancing\n",
)
"""The ingress with an env var: a canary change (promoted) that sets a service-level part."""
Fixed = tuple[tuple[str, str], str]
"""A profile, and the state its fix ends in."""
INGRESS = pytest.mark.parametrize(
    "how", [(SOLO, State.UPDATED), (BOTH, State.PROMOTED)], ids=["update", "canary"]
)


def fixed(sandbox: Sandbox, tmp_path: Path, how: Fixed) -> tuple[str, str]:
    """`drift fix solo --yes`: the ingress set, in place or with a canary's change; each write
    journals a digest of the ingress it sent (`Write.parts`), never the value. The profile."""
    profile, state = how
    done = drift_on(sandbox, tmp_path, profile, "fix", "solo", "--yes")
    (entry,) = entries(tmp_path)
    assert entry.state == state, done.stdout + done.stderr
    assert sandbox.service(PROJECT, "api").ingress == LOAD_BALANCER
    for parts in [w["parts"] for w in entry.writes]:  # the canary's and promotion's too
        assert list(parts) == ["ingress"] and len(parts["ingress"]) == 32  # a digest alone
    return profile


@INGRESS
def test_an_ingress_change_rolled_back_over_their_label(
    how: Fixed, sandbox: Sandbox, env: dict[str, str], clients: Clients, tmp_path: Path
) -> None:
    """A service-level part outside the configuration digest (`ingress`): the journal records
    a digest of the ingress drift's writes sent (`Write.parts`, never the value), so the
    ingress the service has is proven drift's and their label alone goes on (exit 4 before:
    the journal recorded no ingress drift wrote; for a canary's change until helper-685)."""
    profile = fixed(sandbox, tmp_path, how)
    their_write(clients, "label")
    back = drift_on(sandbox, tmp_path, profile, "rollback", "--yes")
    said = back.stdout + back.stderr
    assert back.returncode == 0, said  # was 4
    assert f"they changed only its labels team, {KEPT}: their labels team stays" in said, said
    now = sandbox.service(PROJECT, "api")
    assert now.labels["team"] == "theirs" and now.ingress == ALL
    assert entries(tmp_path)[0].state == State.ROLLED_BACK


@INGRESS
@pytest.mark.parametrize("label", [False, True])
def test_their_ingress_after_drifts_ingress_still_refuses(
    label: bool,
    how: Fixed,
    sandbox: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
) -> None:
    """Their ingress over drift's (and their label after it): not what drift's write sent,
    so the rollback would undo theirs; it refuses as before."""
    profile = fixed(sandbox, tmp_path, how)
    their_update(clients, "ingress")()
    if label:
        their_write(clients, "label")
    sandbox.clear_calls()
    back = drift_on(sandbox, tmp_path, profile, "rollback", "--yes")
    said = back.stdout + back.stderr
    assert back.returncode == 4 and REFUSED in said and KEPT not in said, said
    assert updates(sandbox) == [] and sandbox.service(PROJECT, "api").ingress == INTERNAL
