"""How a read names projects and accounts, one thing one name: a project by its id or its
number (SPEC: a secret reference's P is "an id or a number"; VpcAccess.connector "where
{project} can be project id or number"), the default compute account left unset or named by
its address. What `LiveState` learnt of the projects (`projects`: ids by the number or id
references and settings name them with, from the one GetProject per project), and the
settings naming a project read under one name (`respell`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from drift.fields import (
    DEFAULT_SERVICE_ACCOUNT,
    FIELDS,
    Field,
    SettingValue,
    default_account,
    unnamed_default,
)
from drift.fields.base import project_token, with_project
from drift.refs import SecretRef

if TYPE_CHECKING:
    from drift.profiles.model import ServiceProfile

NAMING = tuple(f for f in FIELDS.values() if f.names_project)
"""The rows whose value may name a project (`Field.names_project`)."""


@lru_cache(maxsize=4096)
def _naming(ref: SecretRef, project: str) -> SecretRef:
    """`ref` naming `project`: one copy per reference and project, however many times a check
    compares it (every reference of every revision, in the diff and again in the plan of the
    report's repairs: 20,000 copies for 1,000 services, `make bench`)."""
    return replace(ref, project=project)


class ProjectNames:
    """The naming rules of `LiveState` (its `projects`), and the settings of what it read
    (its `services` and `history`) named by them (`respell`)."""

    projects: dict[str, str]
    services: dict[str, Any]
    """`LiveService` by key (`drift.live.model`, which builds on this class)."""
    history: dict[str, Any]
    """`RevisionRecord`s by key."""

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
        if ref.unread:
            return ref
        project = self.project_of(ref.project, own)
        return ref if project == ref.project else _naming(ref, project)

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
        return self.same_project(mine.project, theirs.project)

    def same_project(self, a: str, b: str) -> bool | None:
        """Whether two project tokens (an id or a number each) name one project: by the ids
        the read learnt (`project_of`); None when one is a number and the other an id and the
        read learnt neither the number's id nor the id's number (GetProject could not be
        read). A project has one number: an id whose number is known is not another number's
        project."""
        mine, theirs = self.project_of(a, a), self.project_of(b, b)
        if mine == theirs:
            return True
        if mine.isdigit() == theirs.isdigit():  # an id never is digits
            return False
        named = theirs if mine.isdigit() else mine
        return False if self.number_of(named) else None  # its number: `project_of` would match

    def setting_name(
        self, field: Field, value: SettingValue, own: str, region: str
    ) -> SettingValue:
        """A value of a row naming a project (`NAMING`) as every text names it, one resource
        one name: its project by id where the read learnt it, and, on a row with `qualify`
        (a connector, a network, a subnetwork), its short name where it is `own`'s (the
        workloads' project, an id or a number) and `region`'s."""
        token = project_token(value)
        if not token:
            return value
        return self._named(field, value, self.project_of(token, token), own, region)

    def _named(
        self, field: Field, value: SettingValue, project: str, own: str, region: str
    ) -> SettingValue:
        """`value` naming its project as `project`, short where that is `own`'s."""
        spelt = with_project(value, project)
        if field.qualify is None:
            return spelt
        return field.qualify(spelt, self.project_of(own, own), region)

    def same_setting(
        self, field: Field, a: SettingValue, b: SettingValue, own: str, region: str
    ) -> bool | None:
        """Whether two values of a row name one resource, whichever way each names its project
        (a short name: `own`'s); None when that hangs on a number the read could not match
        (`same_project`)."""
        mine = self.project_of(own, own)
        if self._named(field, a, mine, own, region) != self._named(field, b, mine, own, region):
            return False  # not one resource of any one project
        return self.same_project(project_token(a) or own, project_token(b) or own)

    def named_projects(self, profiles: Iterable[ServiceProfile]) -> set[str]:
        """The projects the settings naming one (`NAMING`) name, as written: in what the workloads
        of `profiles` run (each configuration read) and in what their profiles state."""
        found = set()
        for profile in profiles:
            live = self.services.get(profile.key)
            for config in live.configs if live is not None else ():
                found |= {project_token(v) for f in NAMING if (v := config.settings.get(f.name))}
            for field in NAMING:
                stated = profile.settings.get(field.name)
                if stated is not None and stated.pattern is None:
                    found.add(project_token(stated.value))
        return found - {""}

    def traced_projects(
        self, profiles: Iterable[ServiceProfile], where: tuple[str, str]
    ) -> set[str]:
        """The projects `since` needs told apart in the histories read (`history`): on a
        setting naming one (`NAMING`) that a checked revision has not as the profile states
        it (a finding `since` traces back), the projects of an older revision's value whose
        sameness with the profile's hangs on a number and an id (`same_setting` None), and of
        the profile's value, back to the first revision told to be the profile's (`_untold`).
        Nothing elsewhere: no GetProject a `since` does not need."""
        found: set[str] = set()
        for profile in profiles:
            live, records = self.services.get(profile.key), self.history.get(profile.key, ())
            if live is None or not records:
                continue
            for field in NAMING:
                stated = profile.settings.get(field.name)
                if stated is None or stated.pattern is not None:
                    continue
                wanted = field.normalise(stated.value)
                read = [r.config.settings.get(field.name) for r in live.checked]
                if all(
                    v is not None and self.same_setting(field, v, wanted, *where) is not False
                    for v in read
                ):
                    continue  # no finding on it: no `since` to trace
                undecided = self._untold(field, records, wanted, where)
                found |= {project_token(v) or where[0] for v in (*undecided, wanted) if undecided}
        return found

    def _untold(
        self, field: Field, records: Iterable[Any], wanted: SettingValue, where: tuple[str, str]
    ) -> list[SettingValue]:
        """The values of older revisions, newest first, `since` may walk back over that cannot
        be told from the profile's (`same_setting` None), up to the first ready one told to be
        the profile's: `since` stops there (a failed one it passes over stops nothing)."""
        found = []
        for record in reversed(list(records)):
            value = record.lazy.settings.get(field.name)  # that setting alone read
            same = None if value is None else self.same_setting(field, value, wanted, *where)
            if value is not None and same is None:
                found.append(value)
            elif same and record.ready:
                break
        return found

    def respell(
        self,
        profiles: Iterable[ServiceProfile],
        where: tuple[str, str],
        failed: Callable[[Iterable[str]], str],
    ) -> None:
        """Every value read of a row naming a project (`NAMING`) under one name, in what the
        workloads of `profiles` run and in their histories (for `since`): as the profile names
        the same resource (its project by number or by id, short or full), so that comparing
        them finds them equal and a fix plans nothing (`Field.same`); else as `setting_name`
        (`drift init` writes one name). Where whether it is the profile's hangs on a project
        number GetProject could not match (`failed`: why, given the tokens), the setting is not
        read (`RevisionConfig.unreadable`, with why): not verified, never drift, never clean, as a
        secret reference is (`drift.diff.secrets.unknown_refs`)."""
        for profile in profiles:
            live = self.services.get(profile.key)
            for config in live.configs if live is not None else ():
                self._respell_all(profile, config, where=where, failed=failed, judged=True)
            told = partial(self._respell_all, profile, where=where, failed=failed, judged=False)
            names = [field.name for field in NAMING]
            for record in self.history.get(profile.key, ()):  # once `since` reads it, if ever
                record.edit(told, names)

    def _respell_all(
        self,
        profile: ServiceProfile,
        config: Any,
        *,
        where: tuple[str, str],
        failed: Callable[[Iterable[str]], str],
        judged: bool,
    ) -> None:
        for field in NAMING:
            self._respell(profile, config, field, where, failed, judged=judged)

    def _respell(
        self,
        profile: ServiceProfile,
        config: Any,
        field: Field,
        where: tuple[str, str],
        failed: Callable[[Iterable[str]], str],
        *,
        judged: bool,
    ) -> None:
        value = config.settings.get(field.name)
        stated = profile.settings.get(field.name)
        if value is None:
            return
        if stated is None or stated.pattern is not None:
            config.settings[field.name] = self.setting_name(field, value, *where)
            return
        wanted = field.normalise(stated.value)
        same = self.same_setting(field, value, wanted, *where)
        if same:
            config.settings[field.name] = field.compared(stated.value, where)
        elif same is False:
            config.settings[field.name] = self.setting_name(field, value, *where)
        elif judged:  # a revision of the history that cannot be told stays as read
            tokens = (project_token(value) or where[0], project_token(wanted) or where[0])
            del config.settings[field.name]
            config.unreadable[field.name] = (
                f"cannot tell whether {field.show(value)} is {field.show(wanted)}: the project's "
                f"id and number could not be matched ({failed(tokens)})"
            )
