"""Settings that mean nothing, and that a fix leaves nothing of, given the workload's others
(`Field.void`: a CMEK key's revocation action and shutdown hours without a key): check, plan
and fix neither compare nor write them where the workload as the profile wants it makes them
void, and `profiles validate` notes those the profile's own lines make void."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from drift.fields.base import SettingValue, Stated
from drift.fields.catalogue import FIELDS


def moot_settings(
    stated: Mapping[str, SettingValue], read: Mapping[str, SettingValue]
) -> frozenset[str]:
    """The settings of `stated` (a profile's values, patterns left out) that mean nothing on
    the workload as the profile wants it: its stated values (in their compared form) over
    those `read` from it. A key the profile takes away (`encryption_key: none`, which drift
    fix clears with its revocation settings, as gcloud's `--clear-key` does) or none read
    where the profile names none: its revocation rows are no finding, no write, no plan line
    (init leaves them out too: `Field.moot`), whatever the profile or template still says."""
    wanted = _Over({n: FIELDS[n].normalise(v) for n, v in stated.items() if n in FIELDS}, read)
    return frozenset(
        name
        for name in stated
        if name in FIELDS and (void := FIELDS[name].void) is not None and void(wanted)
    )


class _Over(Mapping[str, SettingValue]):
    """`over`'s values over `under`'s, without a copy of `under`: a revision `since` judges
    reads each of its settings when first asked for (`drift.live.lazy_config`), and a row's
    `void` looks at one or two."""

    def __init__(self, over: Mapping[str, SettingValue], under: Mapping[str, SettingValue]):
        self.over, self.under = over, under

    def __getitem__(self, key: str) -> SettingValue:
        return self.over[key] if key in self.over else self.under[key]

    def __iter__(self) -> Iterator[str]:
        return iter({**self.under, **self.over})

    def __len__(self) -> int:
        return len({**self.under, **self.over})


class _Seen(Mapping[str, SettingValue]):
    """The profile's values, remembering which settings a row's `void` looked at."""

    def __init__(self, values: Mapping[str, SettingValue]) -> None:
        self.given, self.looked = values, set[str]()

    def __getitem__(self, key: str) -> SettingValue:
        self.looked.add(key)
        return self.given[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.given)

    def __len__(self) -> int:
        return len(self.given)


def stated_moot(service: str, stated: Stated) -> list[tuple[str, str]]:
    """(setting, note) for each setting the profile's own lines make moot: every setting its
    row's `void` looked at is stated, so no live value can give it a meaning (a revocation
    action beside `encryption_key: none`). Said, not refused: drift compares and writes
    nothing for it (`moot_settings`), so the profile `drift init` wrote for a key, with one
    line edited to `none`, still fixes the workload; the note says the line can go."""
    values = {n: FIELDS[n].normalise(v) for n, (v, _) in stated.items() if n in FIELDS}
    notes = []
    for name in stated:
        void = FIELDS[name].void if name in FIELDS else None
        seen = _Seen(values)
        if void is None or not void(seen) or not seen.looked <= stated.keys():
            continue
        beside = ", ".join(
            f"{n}: {FIELDS[n].show(values[n])} ({stated[n][1]})" for n in sorted(seen.looked)
        )
        notes.append(
            (
                name,
                f"{service}: {name} means nothing beside {beside}: drift neither compares nor "
                "writes it; the line can go",
            )
        )
    return notes
