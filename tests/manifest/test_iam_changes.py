"""drift.manifest.iam_changes: who gains and who loses an accessor role in one change of each
Terraform IAM resource type drift reads, the one answer `planned` (grants) and `removed`
(removals) share (revown10 1 and 2: they read these resources apart and disagreed)."""

from __future__ import annotations

from typing import Any

import pytest

from drift.manifest.iam_changes import EVERYONE, AccessChange, Members, access_changes
from drift.manifest.planned import planned
from drift.manifest.removed import removed

ACCESSOR = "roles/secretmanager.secretAccessor"
API = "serviceAccount:api@p.iam.gserviceaccount.com"
OPS = "user:ops@p.dev"
SECRET = "projects/p/secrets/db"
POLICY_API = f'{{"bindings": [{{"role": "{ACCESSOR}", "members": ["{API}"]}}]}}'
POLICY_OPS = f'{{"bindings": [{{"role": "{ACCESSOR}", "members": ["{OPS}"]}}]}}'


def change(actions: list[str], before: Any, after: Any, unknown: Any = None) -> dict[str, Any]:
    return {"actions": actions, "before": before, "after": after, "after_unknown": unknown or {}}


def on(kind: str, **values: Any) -> dict[str, Any]:
    """A resource's values on the secret (`secret_iam_*`) or the project."""
    place = {"project": "p"} if kind.startswith("google_project") else {"secret_id": SECRET}
    return {**place, **values}


def one(kind: str, c: dict[str, Any]) -> tuple[tuple[str, ...] | None, Members]:
    (found,) = access_changes(kind, c)
    return found.gained, found.lost


S_MEMBER, S_BINDING, S_POLICY = (
    f"google_secret_manager_secret_iam_{f}" for f in ("member", "binding", "policy")
)
P_MEMBER, P_BINDING, P_POLICY = (f"google_project_iam_{f}" for f in ("member", "binding", "policy"))
REMOVE = "google_project_iam_member_remove"
MEMBER_API = {"role": ACCESSOR, "member": API}
BINDING_API, BINDING_OPS = ({"role": ACCESSOR, "members": [m]} for m in (API, OPS))

CASES = {
    # kind, change, (gained, lost)
    "member create": (S_MEMBER, change(["create"], None, MEMBER_API), ((API,), Members())),
    "member delete": (
        S_MEMBER,
        change(["delete"], MEMBER_API, None),
        (None, Members(frozenset({API}))),
    ),
    "member replace": (
        S_MEMBER,
        change(["create", "delete"], MEMBER_API, MEMBER_API),
        ((API,), Members(frozenset({API}))),
    ),
    "binding create": (
        S_BINDING,
        change(["create"], None, BINDING_OPS),
        ((OPS,), Members(frozenset({OPS}), True)),
    ),
    "binding update": (
        S_BINDING,
        change(["update"], {"role": ACCESSOR, "members": [API, OPS]}, BINDING_OPS),
        ((OPS,), Members(frozenset({API}))),
    ),
    "binding delete": (
        S_BINDING,
        change(["delete"], BINDING_API, None),
        (None, Members(frozenset({API}))),
    ),
    "binding replace": (
        S_BINDING,
        change(["delete", "create"], BINDING_API, BINDING_OPS),
        ((OPS,), Members(frozenset({OPS}), True)),
    ),
    "binding create, other role": (
        S_BINDING,
        change(["create"], None, {"role": "roles/viewer", "members": [OPS]}),
        None,
    ),
    "binding create, members unknown": (
        S_BINDING,
        change(["create"], None, {"role": ACCESSOR, "members": None}, {"members": True}),
        ((), EVERYONE),
    ),
    "policy create": (
        S_POLICY,
        change(["create"], None, {"policy_data": POLICY_OPS}),
        ((OPS,), Members(frozenset({OPS}), True)),
    ),
    "policy create, no accessor": (
        S_POLICY,
        change(["create"], None, {"policy_data": '{"bindings": []}'}),
        (None, EVERYONE),
    ),
    "policy update": (
        S_POLICY,
        change(["update"], {"policy_data": POLICY_API}, {"policy_data": POLICY_OPS}),
        ((OPS,), Members(frozenset({API}))),
    ),
    "policy delete": (
        S_POLICY,
        change(["delete"], {"policy_data": POLICY_API}, None),
        (None, Members(frozenset({API}))),
    ),
    "project member create": (P_MEMBER, change(["create"], None, MEMBER_API), ((API,), Members())),
    "project binding create": (
        P_BINDING,
        change(["create"], None, BINDING_OPS),
        ((OPS,), Members(frozenset({OPS}), True)),
    ),
    "project policy create": (
        P_POLICY,
        change(["create"], None, {"policy_data": POLICY_OPS}),
        ((OPS,), Members(frozenset({OPS}), True)),
    ),
    "member_remove create": (
        REMOVE,
        change(["create"], None, MEMBER_API),
        (None, Members(frozenset({API}))),
    ),
    "member_remove create, member unknown": (
        REMOVE,
        change(["create"], None, {"role": ACCESSOR, "member": None}, {"member": True}),
        (None, EVERYONE),
    ),
    "member_remove create, other role": (
        REMOVE,
        change(["create"], None, {"role": "roles/viewer", "member": API}),
        None,
    ),
    "member_remove delete": (REMOVE, change(["delete"], MEMBER_API, None), None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_who_gains_and_who_loses_for_each_resource_and_action(case: str) -> None:
    kind, c, expected = CASES[case]
    place = "project" if kind.startswith("google_project") else "secret"
    for side in ("before", "after"):
        if isinstance(c[side], dict):
            c[side] = on(kind, **c[side])
    found = access_changes(kind, c)
    if expected is None:
        assert found == [], found
        return
    assert one(kind, c) == expected, case
    assert found[0].project_level is (place == "project")


def test_a_member_remove_is_never_a_grant() -> None:
    """revown10 2: google_project_iam_member_remove's type starts with `google_project_iam_`;
    `planned` read its creation as a grant of the accessor role to api, the opposite of what
    it does. It is a removal of api's access."""
    c = change(["create"], None, on(REMOVE, **MEMBER_API))
    assert planned(f"{REMOVE}.it", REMOVE, c) == []
    (gone,) = removed(f"{REMOVE}.it", REMOVE, c)
    assert (gone.done, gone.members, gone.others) == ("access removed", (API,), False)


@pytest.mark.parametrize("kind", [S_BINDING, S_POLICY, P_BINDING, P_POLICY])
def test_an_authoritative_resource_created_removes_everyone_it_does_not_name(kind: str) -> None:
    """revown10 1: a create has no `before`; `removed` read nothing of it."""
    values = {"policy_data": POLICY_OPS} if kind.endswith("_policy") else BINDING_OPS
    c = change(["create"], None, on(kind, **values))
    (gone,) = removed(f"{kind}.it", kind, c)
    assert (gone.members, gone.others) == ((OPS,), True)
    (granted,) = planned(f"{kind}.it", kind, c)  # a policy's grants are read too now
    assert granted.members == (OPS,)


def test_a_replace_that_moves_a_grant_to_another_secret_tells_both() -> None:
    """`secret_id` forces a new resource: the old secret loses the member, the new one gains
    it."""
    c = change(
        ["delete", "create"],
        on(S_MEMBER, **MEMBER_API),
        {**MEMBER_API, "secret_id": "projects/p/secrets/other"},
    )
    assert access_changes(S_MEMBER, c) == [
        AccessChange(False, SECRET, "", None, Members(frozenset({API}))),
        AccessChange(False, "projects/p/secrets/other", "", (API,), Members()),
    ]
    (grant,) = planned("g", S_MEMBER, c)
    assert grant.secret == "other"
    (gone,) = removed("g", S_MEMBER, c)
    assert gone.secret == "db"


@pytest.mark.parametrize(
    ("kind", "place", "node"),
    [
        ("google_folder_iam_member", {"folder": "folders/3000"}, "folders/3000"),
        ("google_folder_iam_member", {"folder": "3000"}, "folders/3000"),
        ("google_organization_iam_member", {"org_id": "77"}, "organizations/77"),
    ],
)
def test_a_grant_above_the_project_holds_for_every_project(
    kind: str, place: dict[str, str], node: str
) -> None:
    """helper-560 F1: which projects a folder or the organisation holds is not in the plan, so
    its grant is read as on every project: a loss may reach any reference, a gain may answer
    any `secret.no_access` (both unverified, never clean)."""
    gone = change(["delete"], {**place, **MEMBER_API}, None)
    assert access_changes(kind, gone) == [
        AccessChange(True, "", "", None, Members(frozenset({API})), node)
    ]
    (lost,) = removed(f"{kind}.it", kind, gone)
    assert (lost.secret, lost.project, lost.members) == ("*", "", (API,))
    assert lost.detail == f" (a grant on {node}: every project under it)"
    (granted,) = planned(f"{kind}.it", kind, change(["create"], None, {**place, **MEMBER_API}))
    assert (granted.secret, granted.project, granted.members) == ("*", "", (API,))


NEVER = {"title": "expired", "expression": 'request.time < timestamp("2020-01-01T00:00:00Z")'}


def _policy(*bindings: dict[str, Any]) -> str:
    import json

    return json.dumps({"bindings": list(bindings)})


@pytest.mark.parametrize("kind", [S_POLICY, P_POLICY, "google_folder_iam_policy"])
def test_a_grant_made_conditional_in_place_is_lost(kind: str) -> None:
    """helper-564 F1: a policy updated in place so that api's grant holds only under a
    condition grants only while it holds: api loses the grant it had (its reference is not
    verified), where it was read as kept."""
    plain = {"role": ACCESSOR, "members": [API]}
    before = on(kind, policy_data=_policy(plain))
    after = on(kind, policy_data=_policy({**plain, "condition": NEVER}))
    (found,) = access_changes(kind, change(["update"], before, after))
    assert found.lost == Members(frozenset({API}))
    same = access_changes(kind, change(["update"], after, after))  # the same condition: kept
    assert same == [] or not same[0].lost
    both = on(kind, policy_data=_policy(plain, {**plain, "condition": NEVER}))
    kept = access_changes(kind, change(["update"], before, both))  # still granted outright
    assert kept == [] or not kept[0].lost


def test_a_policy_created_takes_the_grant_from_a_member_it_names_only_conditionally() -> None:
    after = on(
        S_POLICY, policy_data=_policy({"role": ACCESSOR, "members": [API], "condition": NEVER})
    )
    (found,) = access_changes(S_POLICY, change(["create"], None, after))
    assert found.lost == Members(frozenset(), True)  # everyone: none named outright


@pytest.mark.parametrize("project", ["p", "projects/p"])
def test_a_project_named_with_its_prefix_is_the_project(project: str) -> None:
    """helper-564 F5: the provider takes `projects/ID` or `ID` ("strip any prefixes",
    terraform-provider-google iam_project.go)."""
    c = change(["delete"], {"project": project, **MEMBER_API}, None)
    (found,) = access_changes(P_MEMBER, c)
    assert found.project == "p"
