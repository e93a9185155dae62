"""Direct VPC egress taken away (`vpc_network: none` or `vpc_subnet: none`): the revision's
network interface goes whole — network, subnetwork, tags, and the egress with them — as
gcloud's `--clear-network` takes it (command_lib/run/config_changes.py
ClearNetworkInterfacesChange) and `drift fix` writes it (`network._clear_interfaces`). So a
profile naming a network, subnet or tags beside such a `none` states what no revision can be:
each `drift fix` would take Direct VPC egress away and the next put it back (revfields90 F3).
It is refused at the `none` line; and a plan taking Direct VPC egress away says what goes
with it."""

from __future__ import annotations

from drift.fields.base import PlannedSetting, Stated, Unread, no_value

AWAY = ("vpc_network", "vpc_subnet")
"""The rows whose `none` takes Direct VPC egress away."""
PARTS = ("vpc_network", "vpc_subnet", "vpc_network_tags")
"""The rows naming a part of the network interface (tags' `none` is no tags, not no VPC)."""


def none_conflicts(service: str, settings: Stated) -> list[tuple[str, str]]:
    """(setting, message) for each `none` of `AWAY` the profile states beside a part of the
    interface it names, at the `none`'s file:line. `settings`: each value stated (parsed) with
    its file:line."""
    out = []
    for name in AWAY:
        if name not in settings or no_value(settings[name][0]):
            continue
        named = [
            f"{part} {settings[part][0]} ({settings[part][1]})"
            for part in PARTS
            if part != name and part in settings and no_value(settings[part][0])
        ]
        if named:
            out.append(
                (
                    name,
                    f"{service}: {name} none ({settings[name][1]}) with {', '.join(named)}: none "
                    "takes Direct VPC egress away, its network interface whole (as gcloud's "
                    "--clear-network); state one or the other",
                )
            )
    return out


def away_note(c: PlannedSetting) -> str:
    """What a plan taking Direct VPC egress away (`after` none where `before` named one) takes
    with it: each part of the interface and its egress that the plan does not change itself
    (one text for either row: said once)."""
    if no_value(c.after) or not no_value(c.before or ""):
        return ""
    gone = [
        f"{name} {value}"
        for name in (*PARTS, "vpc_egress")
        if name not in c.changed
        and (value := c.settings.get(name))
        and not isinstance(value, Unread)
        and not (name == "vpc_egress" and c.settings.get("vpc_connector"))
    ]
    if not gone:
        return ""
    return (
        f"taking Direct VPC egress away also clears {', '.join(gone)}: the network interface "
        "goes whole, as gcloud's --clear-network takes it"
    )
