"""A revision's configuration normalised piece by piece, as it is asked for: each setting (the
revision's, a container's own) read from the protos, and each reason one cannot be read, when
first looked up (`Lazy`), the rest never. What `since` judges an older revision with
(`RevisionRecord.lazy`): it asks of each revision only about the drifts it follows, and
normalising every setting of every revision listed was most of its work. The same values,
the same reasons, the same keys as `normalize.revision_config` gives (a mapping asked for all
of them reads them all, in the catalogue's order)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, MutableMapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar, cast

from drift.fields import CONTAINER_SETTINGS, FIELDS, SettingValue, Source
from drift.kinds import Kind
from drift.live.model import ContainerConfig, RevisionConfig, RevisionVariables
from drift.live.normalize import (
    UNDESCRIBED,
    _public_names,
    _secret_mounts,
    _unmounted,
    pick_container,
)

V = TypeVar("V")
_ABSENT: tuple[bool, Any] = (False, None)


class Lazy(MutableMapping[str, V]):
    """A mapping whose entries are worked out one key at a time, when first asked for:
    `names`, the keys it may hold, in order; `read(name)`, whether it holds that one and with
    what. Iterating it (its length, a copy) works out every one. A value changed in place is
    kept beside (`ProjectNames.respell` renames a project); any other change works out the
    whole mapping first, and is then a dict's."""

    __slots__ = ("_names", "_read", "_base", "_over", "_whole", "_pending")

    def __init__(self, names: Sequence[str], read: Callable[[str], tuple[bool, V]]) -> None:
        self._names = _keys(names)
        self._read = read
        self._base: dict[str, tuple[bool, V]] = {}
        self._over: dict[str, V] = {}
        self._whole: dict[str, V] | None = None
        self._pending: list[tuple[frozenset[str], Callable[[], None]]] = []

    def defer(self, names: Collection[str], change: Callable[[], None], *beside: object) -> None:
        """Make `change`, which looks at and changes `names` alone, here and in the mappings
        `beside` (a configuration's `unreadable`), when one of them is first looked up in
        either, or either is read whole: once, after those deferred before it."""
        once = _Once(change)
        for mapping in (self, *beside):
            if isinstance(mapping, Lazy):
                mapping._pending.append((frozenset(names), once))

    def _due(self, key: str | None) -> None:
        """Make the changes deferred that `key` (None: every key) waits for."""
        if not self._pending:
            return
        waits = [i for i, (names, _) in enumerate(self._pending) if key is None or key in names]
        if waits:
            due, self._pending = self._pending[: waits[-1] + 1], self._pending[waits[-1] + 1 :]
            for _, change in due:
                change()

    def held(self, key: str) -> tuple[bool, V]:
        """(whether the mapping holds `key` as read, before any change; its value)."""
        found = self._base.get(key)
        if found is None:
            found = self._read(key) if key in self._names else _ABSENT
            self._base[key] = found
        return found

    def whole(self) -> dict[str, V]:
        if self._whole is None:
            self._due(None)  # which may read it whole itself (a change deleting a key)
        if self._whole is None:
            out = {}
            for name in self._names:
                held, value = self.held(name)
                if held:
                    out[name] = self._over.get(name, value)
            self._whole = out
        return self._whole

    def __getitem__(self, key: str) -> V:
        self._due(key)
        if self._whole is not None:
            return self._whole[key]
        if key in self._over:
            return self._over[key]
        held, value = self.held(key)
        if not held:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        self._due(key)
        if self._whole is not None:
            return key in self._whole
        return key in self._over or self.held(key)[0]

    def __setitem__(self, key: str, value: V) -> None:
        self._due(key)
        if self._whole is None and self.held(key)[0]:
            self._over[key] = value
        else:
            self.whole()[key] = value

    def __delitem__(self, key: str) -> None:
        del self.whole()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.whole())

    def __len__(self) -> int:
        return len(self.whole())

    def __repr__(self) -> str:
        return repr(self.whole())


_KEYS: dict[int, tuple[Sequence[str], dict[str, None]]] = {}


def _keys(names: Sequence[str]) -> dict[str, None]:
    """`names` as the keys of a dict, read only (`Lazy._names`): made once for each of the
    few sequences every revision's mappings share (`_NAMES`, `CONTAINER_SETTINGS`)."""
    kept = _KEYS.get(id(names))
    if kept is None or kept[0] is not names:  # (kept: an id is reused only once freed)
        kept = _KEYS[id(names)] = (names, dict.fromkeys(names))
    return kept[1]


class _Once:
    """A deferred change (`Lazy.defer`), made once whichever mapping asks first."""

    def __init__(self, change: Callable[[], None]) -> None:
        self.change: Callable[[], None] | None = change

    def __call__(self) -> None:
        change, self.change = self.change, None
        if change is not None:
            change()


def _as_dict(mapping: Lazy[V]) -> dict[str, V]:
    """`mapping` where a configuration holds a dict: it answers every lookup a dict does, a
    rule never tells them apart (nor does `==`: a Mapping's)."""
    return cast("dict[str, V]", mapping)


_NAMES = {kind: tuple(n for n, field in FIELDS.items() if field.applies(kind)) for kind in Kind}
"""Each kind's settings, in catalogue order (`catalogue.read_settings`)."""


def lazy_config(
    revision: Any, service: Any, container: str | None, kind: Kind, variables: RevisionVariables
) -> RevisionConfig:
    """`normalize.revision_config` of `revision` (raw) of `service` (raw) with its `variables`
    read already, each setting read when first asked for."""
    chosen = pick_container(revision.containers, container)
    source = Source(service, revision, chosen, kind)
    _public_names(revision, service)
    names = _NAMES[kind]
    undescribed = chosen is None and container is None and len(revision.containers) > 1
    each = [replace(source, container=c) for c in revision.containers] if undescribed else []
    settings, unreadable = _reads(names, source, lambda name: _nobodys(name, source, each))
    return RevisionConfig(
        containers=tuple(
            _container(revision, c, replace(source, container=c), held)
            for c, held in zip(revision.containers, variables.containers, strict=True)
        ),
        settings=settings,
        unreadable=unreadable,
        service_account=revision.service_account,
        primary=chosen.name if chosen is not None else (container or ""),
        unmounted=_unmounted(revision),
    )


def _reads(
    names: Sequence[str], source: Source, nobodys: Callable[[str], bool] | None = None
) -> tuple[dict[str, SettingValue], dict[str, str]]:
    """The settings `names` of `source` and why drift cannot read those it cannot
    (`catalogue.read_settings`, `unreadable_settings`), each when first asked for; `nobodys`:
    whether one is no container's (`UNDESCRIBED`), where none is the one the profile
    describes."""

    def why(name: str) -> tuple[bool, str]:
        check = FIELDS[name].unreadable
        said = check(source) if check is not None else ""
        if not said and nobodys is not None and nobodys(name):
            said = UNDESCRIBED  # `normalize._undescribed_settings`
        return (True, said) if said else (False, "")

    unreadable = Lazy(names, why)

    def setting(name: str) -> tuple[bool, SettingValue]:
        if unreadable.held(name)[0]:
            return False, ""
        return True, FIELDS[name].read(source)

    return _as_dict(Lazy(names, setting)), _as_dict(unreadable)


def _nobodys(name: str, source: Source, each: Sequence[Source]) -> bool:
    """Whether a setting read where no container is the one the profile describes is no
    container's (`normalize._undescribed_settings`): a container's own, or read otherwise
    off one of them (one that cannot be read off one counts as read otherwise); never where
    `each` (a source per container) is empty: a container is the one described."""
    if not each:
        return False
    if name in CONTAINER_SETTINGS:
        return True
    field = FIELDS[name]
    value = field.read(source)
    check = field.unreadable
    return any((check is not None and bool(check(one))) or field.read(one) != value for one in each)


def _container(revision: Any, container: Any, source: Source, held: Any) -> ContainerConfig:
    """`normalize.container_config`, its own settings read when first asked for."""
    settings, unreadable = _reads(CONTAINER_SETTINGS, source)
    return ContainerConfig(
        name=container.name,
        image=container.image,
        ingress=bool(container.ports),
        env=held.env,
        mounts=_secret_mounts(revision, container),
        settings=settings,
        unreadable=unreadable,
        words=held.words,
    )
