"""The two sides of a comparison, and what names each: its project (by id, or by a number
either read learned), its environment; a value or secret reference of one side that names the
other (`value.foreign`), and whether two references name the very same secret."""

from __future__ import annotations

from drift.compare.markers import mentions, without
from drift.compare.model import Side
from drift.findings import Scope
from drift.refs import SecretRef


class Sides:
    """Environment `a` and environment `b`, and the projects their reads learned."""

    def __init__(self, a: Scope, b: Scope, *, read: bool = True) -> None:
        """`read`: the environments are read (`--live`), not their profiles compared."""
        self.a = a
        self.b = b
        self.read = read
        self.projects: dict[str, str] = {}
        """Project ids by the numbers (and ids) references name them with, as either side's
        read learned them (`LiveState.projects`): `projects/700000000001/secrets/x` and
        `700000000001-compute@developer.gserviceaccount.com` name acme-staging when it is
        700000000001. Empty for profiles: a number is then no project drift knows."""

    def env(self, side: Side) -> Scope:
        return self.a if side == "a" else self.b

    def same_secret(self, a: SecretRef, b: SecretRef) -> bool:
        """The very same secret (a reference names its project, by id or number, or is in its
        side's): whatever its version; never one drift does not read (`SecretRef.unread`)."""
        return not (a.unread or b.unread) and (self.project_of(a.project, "a"), a.secret) == (
            self.project_of(b.project, "b"),
            b.secret,
        )

    def unknown_project(self, side: Side, ref: SecretRef) -> str:
        """Why what `ref` (of `side`) names cannot be told, "" when it can: its project is a
        number no read learned (its GetProject failed or was refused), so whether it is the
        other side's project, or the same secret as the other side's, is not known; never
        equivalent (revcmp89 F3)."""
        if ref.unread or not ref.project.isdigit() or ref.project in self.projects:
            return ""
        other = self.env(other_side(side)).environment
        why = (
            f"could not be looked up (GetProject on projects/{ref.project})"
            if self.read  # profiles: nothing is read (helper-531 MEDIUM-3)
            else "is not looked up when profiles are compared (name the project by its id, "
            "or compare --live, which looks it up)"
        )
        return (
            f"the project of secret {ref.secret}, number {ref.project}, {why}: whether it is "
            f"{other}'s project, or the same secret as {other}'s, is not known"
        )

    def project_of(self, token: str, side: Side) -> str:
        """The project a reference's project token designates: `side`'s own when omitted, its
        id when it is a number drift knows (`projects`), else the token as written."""
        token = token or self.env(side).project
        return self.projects.get(token, token)

    def markers(self, side: Side) -> list[str]:
        """What names `side`: its project, its environment, and its project's numbers known."""
        env = self.env(side)
        numbers = [t for t, p in self.projects.items() if p == env.project and t != p]
        return [env.project, env.environment, *numbers]

    def _named(self, side: Side, marker: str) -> str:
        """How a marker of `side` is named in a message."""
        env = self.env(side)
        if marker == env.environment != env.project:
            return marker
        number = f" (number {marker})" if marker != env.project else ""
        return f"{env.environment}'s project {env.project}{number}"

    def _foreign_secret(self, side: Side, ref: SecretRef) -> str | None:
        """Why a secret reference of `side` belongs to the other side: the secret is in the
        other side's project (by id, or by a number drift knows), or its name names the other
        side's environment or project."""
        other = self.env(other_side(side))
        project = self.project_of(ref.project, side)
        if project == other.project != self.env(side).project:
            return f"references a secret of {other.environment}'s project {other.project}"
        named = self._foreign(side, ref.secret)
        return f"references a secret named for {named}" if named else None

    def names_other(self, side: Side, text: str) -> str | None:
        """The other side's environment or project, as a message names it, when `text` (a
        setting's value of `side`) names it."""
        return self._foreign(side, text)

    def _foreign(self, side: Side, text: str, variable: str = "") -> str | None:
        """The other side's environment or project, when `text` (from `side`, the value of
        `variable` if a variable's) names it (`markers.mentions`)."""
        mine = self.markers(side)
        theirs = [m for m in self.markers(other_side(side)) if m not in mine]
        for marker in mine:
            text = without(text, marker, keep=theirs)  # never a part of theirs: `staging-eu`
        for marker in theirs:
            if mentions(text, marker, variable):
                return self._named(other_side(side), marker)
        return None


def other_side(side: Side) -> Side:
    return "b" if side == "a" else "a"
