"""One resource, one name, whichever way a value names its project (an id or a number:
VpcAccess.connector "where {project} can be project id or number"): `ProjectNames.same_setting`
and `setting_name` on every row whose value may name a project (`Field.names_project`), by
what the read learnt of the projects (`LiveState.projects`, from GetProject)."""

from __future__ import annotations

import pytest

from drift.fields import FIELDS
from drift.live.projects import NAMING
from drift.live.state import LiveState

OWN, OWN_NUMBER = "acme-prod", "500000000001"
KMS, KMS_NUMBER = "acme-kms", "600000000002"
REGION = "us-central1"
WHERE = (OWN, REGION)


def _state(*known: tuple[str, str]) -> LiveState:
    """A read that learnt these (id, number) pairs."""
    state = LiveState()
    for project, number in known:
        state.projects.update({project: project, number: project})
    return state


LEARNT = _state((OWN, OWN_NUMBER), (KMS, KMS_NUMBER))


@pytest.mark.parametrize(
    ("row", "a", "b"),
    [
        ("vpc_connector", f"projects/{OWN_NUMBER}/locations/{REGION}/connectors/run", "run"),
        (
            "vpc_connector",
            f"projects/{OWN_NUMBER}/locations/{REGION}/connectors/run",
            f"projects/{OWN}/locations/{REGION}/connectors/run",
        ),
        ("vpc_network", f"projects/{OWN_NUMBER}/global/networks/prod-vpc", "prod-vpc"),
        ("vpc_subnet", f"projects/{OWN_NUMBER}/regions/{REGION}/subnetworks/run", "run"),
        (
            "encryption_key",
            f"projects/{KMS_NUMBER}/locations/{REGION}/keyRings/r/cryptoKeys/k",
            f"projects/{KMS}/locations/{REGION}/keyRings/r/cryptoKeys/k",
        ),
        (
            "binary_authorization",
            f"projects/{OWN_NUMBER}/platforms/cloudRun/strict",
            f"projects/{OWN}/platforms/cloudRun/strict",
        ),
    ],
)
def test_a_project_by_number_is_the_project_by_id_once_learnt(row: str, a: str, b: str) -> None:
    field = FIELDS[row]
    assert LEARNT.same_setting(field, a, b, *WHERE) is True
    assert LEARNT.same_setting(field, b, a, *WHERE) is True
    assert LEARNT.setting_name(field, a, *WHERE) == LEARNT.setting_name(field, b, *WHERE)
    # not learnt (GetProject denied): not decided, never the same nor another
    assert LiveState().same_setting(field, a, b, *WHERE) is None


@pytest.mark.parametrize(
    ("row", "a", "b"),
    [
        # another project's connector of the same name
        ("vpc_connector", f"projects/{KMS_NUMBER}/locations/{REGION}/connectors/run", "run"),
        # the own project's connector of another region
        ("vpc_connector", f"projects/{OWN_NUMBER}/locations/europe-west1/connectors/run", "run"),
        ("vpc_subnet", f"projects/{OWN_NUMBER}/regions/europe-west1/subnetworks/run", "run"),
        (
            "encryption_key",
            f"projects/{OWN_NUMBER}/locations/{REGION}/keyRings/r/cryptoKeys/k",
            f"projects/{KMS}/locations/{REGION}/keyRings/r/cryptoKeys/k",
        ),
        ("vpc_network", f"projects/{OWN_NUMBER}/global/networks/other", "prod-vpc"),
        ("binary_authorization", f"projects/{OWN_NUMBER}/platforms/cloudRun/strict", "default"),
    ],
)
def test_another_resource_stays_another(row: str, a: str, b: str) -> None:
    field = FIELDS[row]
    assert LEARNT.same_setting(field, a, b, *WHERE) is False
    assert LEARNT.setting_name(field, a, *WHERE) != LEARNT.setting_name(field, b, *WHERE)


def test_a_number_is_decided_by_the_ids_number_when_its_own_lookup_failed() -> None:
    """GetProject on the number refused, on the id answered: the id's number is another, so
    another project (`same_project`: a project has one number)."""
    state = _state((KMS, KMS_NUMBER))
    key = FIELDS["encryption_key"]
    theirs = f"projects/{OWN_NUMBER}/locations/{REGION}/keyRings/r/cryptoKeys/k"
    mine = f"projects/{KMS}/locations/{REGION}/keyRings/r/cryptoKeys/k"
    assert state.same_setting(key, theirs, mine, *WHERE) is False


def test_two_ids_or_two_numbers_need_no_lookup() -> None:
    nothing = LiveState()
    connector = FIELDS["vpc_connector"]
    host = f"projects/net-host/locations/{REGION}/connectors/run"
    assert nothing.same_setting(connector, host, "run", *WHERE) is False
    by_number = f"projects/{OWN_NUMBER}/locations/{REGION}/connectors/run"
    assert nothing.same_setting(connector, by_number, "run", OWN_NUMBER, REGION) is True


def test_a_value_is_named_by_id_short_where_it_is_the_own_projects() -> None:
    connector = FIELDS["vpc_connector"]
    own = f"projects/{OWN_NUMBER}/locations/{REGION}/connectors/run"
    assert LEARNT.setting_name(connector, own, *WHERE) == "run"
    key = FIELDS["encryption_key"]
    theirs = f"projects/{KMS_NUMBER}/locations/{REGION}/keyRings/r/cryptoKeys/k"
    assert LEARNT.setting_name(key, theirs, *WHERE) == f"projects/{KMS}/{theirs.split('/', 2)[2]}"
    # the profile's project by number: its own connector by id is short too
    by_id = f"projects/{OWN}/locations/{REGION}/connectors/run"
    assert LEARNT.setting_name(connector, by_id, OWN_NUMBER, REGION) == "run"


def test_every_row_naming_a_project_is_spelt_one_way() -> None:
    """The account row names its project by id in an address (`…@P.iam.gserviceaccount.com`)
    and its default by number (`drift.diff.settings.as_compared`): no `projects/P/…` to
    respell, left as read."""
    account = FIELDS["service_account"]
    assert account in NAMING
    name = f"run@{OWN}.iam.gserviceaccount.com"
    assert LEARNT.setting_name(account, name, *WHERE) == name
