"""Secret files' permissions between two environments (`mount.mode`): part of a mount's shape,
never per-environment configuration; and why their versions are not compared."""

from __future__ import annotations

from drift.compare.model import Difference, Kind, Mode, Side, VarView
from drift.compare.sides import Sides, other_side
from drift.refs import shown_mode

ANY_MODE = "(any mode)"
"""What a profile that sets no `mode` for a mount accepts (`check` judges none there)."""


def mode_difference(
    sides: Sides, mode: Mode, service: str, name: str, a: VarView | None, b: VarView | None
) -> Difference | None:
    """`mount.mode`: the same secret file (a mount both sides have) created with other
    permission bits in one environment than in the other, as `check` compares them with a
    profile (`mount.mode`: the item's `mode`, else the volume's `default_mode`, else 0444, less
    the umask 0222: `refs.file_mode`). A file's mode is how the workload reads it (a key that
    must be its owner's only), the same in every environment: 0400 in staging and 0555 in
    production is a difference, whatever their secrets are. Between profiles, a mode one sets
    and the other leaves open (any mode passes its `check`) is one too, as a variable one
    requires and the other does not is (`env.unsatisfied`).

    Not the version a file (or a variable) pins: each environment's secret counts its own
    versions (version 2 of staging's tls-cert and version 1 of production's may hold the same
    rotation), and one environment rotating first is per-environment; the very same secret
    on both sides is `secret.shared` whatever its versions."""
    if a is None or b is None or a.mode == b.mode or None in (a.secret, b.secret):
        return None
    target = f"env.{name}"
    shown = (_mode(a), _mode(b))
    env_a, env_b = sides.a.environment, sides.b.environment
    if a.mode is not None and b.mode is not None:
        made = "is created with" if mode == "live" else "has"
        whose = (env_a, env_b) if mode == "live" else (f"{env_a}'s profile", f"{env_b}'s")
        message = (
            f"{name} {made} mode {shown[0]} in {whose[0]}, {shown[1]} in {whose[1]} (a file's "
            "permissions are the workload's, not an environment's)"
        )
        return Difference(Kind.MOUNT_MODE, service, target, message, *shown)
    side: Side = "a" if a.mode is not None else "b"
    said = shown[0] if side == "a" else shown[1]
    message = (
        f"{sides.env(side).environment}'s profile requires mode {said} for {name} on "
        f"{service}; {sides.env(other_side(side)).environment}'s sets none (any mode passes "
        "its check)"
    )
    return Difference(Kind.MOUNT_MODE, service, target, message, *shown, side)


def _mode(view: VarView) -> str:
    return ANY_MODE if view.mode is None else shown_mode(view.mode)
