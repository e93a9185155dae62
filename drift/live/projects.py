"""How a read names projects and accounts, one thing one name: a project by its id or its
number (SPEC: a secret reference's P is "an id or a number"), the default compute account
left unset or named by its address. What `LiveState` learnt of the projects (`projects`:
ids by the number or id references name them with, from the one GetProject per project)."""

from __future__ import annotations

from dataclasses import replace

from drift.fields import DEFAULT_SERVICE_ACCOUNT, default_account, unnamed_default
from drift.refs import SecretRef


class ProjectNames:
    """The naming rules of `LiveState` (its `projects`)."""

    projects: dict[str, str]

    def project_of(self, token: str, own: str) -> str:
        """The project a reference's project token designates (its id when known; `own` for
        an omitted project)."""
        token = token or own
        return self.projects.get(token, token)

    def number_of(self, project: str) -> str:
        """The number of the project `project` names (its id or its number), "" when the read
        did not learn it."""
        if project.isdigit():
            return project
        found = self.project_of(project, project)
        return next((k for k, v in self.projects.items() if k.isdigit() and v == found), "")

    def account(self, account: str, own: str) -> str:
        """A runtime account as every text names it, one account one name: the default
        compute account of `own` (the workloads' project) by its address when its number is
        known, whether a revision leaves it unset or names it ("If not provided, the revision
        will use the project's default service account", RevisionTemplate.service_account:
        PROJECT_NUMBER-compute@…; a revision read back names it, its template does not);
        `DEFAULT_SERVICE_ACCOUNT` when the number is not known; any other as given."""
        if not unnamed_default(account):
            return account
        number = self.number_of(own)
        return default_account(number) if number else DEFAULT_SERVICE_ACCOUNT

    def resolved(self, ref: SecretRef, own: str) -> SecretRef:
        """`ref` naming its project one way, whichever way it was written (omitted for `own`,
        an id or a number: SPEC, "P an id or a number"): by `project_of`, its id when known.
        What every comparison of two references goes by (`same_ref`, `comparable_fingerprints`)."""
        return ref if ref.unread else replace(ref, project=self.project_of(ref.project, own))

    def same_ref(self, expected: SecretRef, live: SecretRef, own: str) -> bool | None:
        """Whether two references name the same secret and version, whichever way each names
        its project (`resolved`); None when that hangs on a project number whose id is not
        known (GetProject could not be read) and the id's own number is not known either:
        not decided. A project has one number: an id whose number is known is not another
        number's project."""
        mine, theirs = self.resolved(expected, own), self.resolved(live, own)
        if mine == theirs:
            return True
        if (mine.secret, mine.version, mine.unread) != (
            theirs.secret,
            theirs.version,
            theirs.unread,
        ):
            return False
        if mine.project.isdigit() == theirs.project.isdigit():  # an id never is digits
            return False
        named = theirs.project if mine.project.isdigit() else mine.project
        return False if self.number_of(named) else None  # its number: `resolved` would match
