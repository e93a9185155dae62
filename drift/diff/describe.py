"""How expectations and live values are shown in findings: in words, never a secret value
(secrets and credential-looking plain values are masked here, on the data, before any
rendering)."""

from __future__ import annotations

from collections.abc import Iterable

from drift import redact
from drift.credentials import conceal, hidden_plain
from drift.kinds import key_name
from drift.live.model import EnvVar, RevisionVariables
from drift.profiles.model import VarRule
from drift.redact import MASK
from drift.secretforms import searchable


def describe_rule(rule: VarRule) -> str:
    """The expectation of a rule in words, never a secret value."""
    if rule.ref is not None:  # with the project it is in, when not the workload's own
        return str(rule.ref)
    if rule.value is not None:
        # the profile's own value: masked only where it looks like a credential itself, never
        # for its name alone (`CACHE_KEY: v3`, `PASS_THROUGH: disabled`)
        return conceal(rule.name, rule.value, by_name=False)
    parts = []
    if rule.pattern is not None:
        parts.append(f"matches {rule.pattern}")
    if rule.one_of:
        parts.append("one of " + ", ".join(rule.one_of))
    if rule.not_values:
        parts.append("not " + ", ".join(rule.not_values))
    if rule.min_length is not None:
        parts.append(f"at least {rule.min_length} characters")
    if rule.same_as is not None:
        parts.append(f"same value as {key_name(rule.same_as[0])}.{rule.same_as[1]}")
    return "; ".join(parts) or "present"


def mask_plain(name: str, value: str, *, secret: bool) -> str:
    """A plain value as shown: masked when it is a secret, looks like a credential or is in a
    variable named like one (`ADMIN_PASSWORD=hunter2`, however short); a credential assigned
    inside it (`--db-password=*** --verbose`) and any secret drift has read or been told of
    (`redact.register`) masked within it (`credentials.conceal`); a registered value too
    short to be searched for (`secretforms.searchable`) masked when shown whole
    (`redact.is_secret`: a plan line, a rollback's diff) — a longer one is found by the
    search, its readable rest kept; a value that is a known secret's start or end, whole
    (`redact.is_piece`: the secret pasted as two variables), masked too."""
    short = not searchable(value.strip())
    hidden = secret or (short and redact.is_secret(value)) or redact.is_piece(value)
    return MASK if hidden else conceal(name, value)


def hidden_values(configs: Iterable[RevisionVariables]) -> frozenset[str]:
    """The plain values some configuration of `configs` hides whole as its own variable's
    value (for its name alone, `DB_PASSWORD=hunter2`, or its shape): a password moved to a
    variable whose name says nothing (`PGPASS`, a rename) is known to be one among them, and
    is masked there too, within one history (`drift history`'s `Masking`; `check` and a plan
    mask only a value that moved: `moved_values`). Never registered for the run nor searched
    for in text: a value hidden for its name alone may be no secret (`SECRET_PROJECT=acme`,
    `API_KEY_HEADER=X-Api-Key`) (helper-588 O1)."""
    plain = {  # each once: most variables keep their value from one revision to the next
        (var.name, var.value, var.sensitive): var
        for config in configs
        for container in config.containers
        for var in container.env.values()
        if var.ref is None and (var.value or "").strip()
    }
    return frozenset(
        (var.value or "").strip() for var in plain.values() if describe_live(var) == MASK
    )


Rank = tuple[int, int, float]
"""When a configuration was made, comparable (`Context.hidden` ranks them)."""


def moved_values(ranked: Iterable[tuple[Rank, RevisionVariables]]) -> frozenset[str]:
    """The values a variable masked for its name (or shape) held, that a later configuration
    holds in a variable of another name, and in none masked, where that variable did not hold
    it before: a password renamed (an older revision's `DB_PASSWORD`, `PGPASS` later), rotated
    or not (`DB_PASSWORD` holding another value beside it), or put on a command line
    (`--pg PASSWORD`, counted as a variable `ARGS`). What `check` and a plan mask in the
    workload's live values (`Context.never_shown`, `ServicePlan.hidden`). A value beside one
    masked in the same configuration (`SECRET_PROJECT=acme` and `GOOGLE_CLOUD_PROJECT=acme`),
    or that its variable held before any variable masked for its name held it, is no password
    renamed: readable, and a YAML plan appliable (helper-588 O1, helper-589, helper-590)."""
    ranked = list(ranked)
    first: dict[str, Rank] = {}  # a value -> the earliest a variable masked for it holds it
    judged: dict[tuple[str, str], bool] = {}  # each once: most keep theirs from one to the next
    for rank, config in ranked:
        for pair in _plain(config):
            if pair not in judged:  # by its name or shape alone: never by what this run
                # registered (a value withheld for another workload made this one's copy
                # count as masked, its rename unseen: helper-594 F1)
                judged[pair] = hidden_plain(*pair)
            if judged[pair]:
                first[pair[1]] = min(rank, first.get(pair[1], rank))
    if not first:  # nothing masked for its name or shape: nothing moved (the usual case)
        return frozenset()
    # only the values some variable masked for them holds can have moved: the others are not
    # followed (most variables of a history of hundreds of revisions)
    since: dict[tuple[str, str], Rank] = {}  # (value, variable) -> the earliest it holds it
    held: list[tuple[set[str], set[tuple[str, str]]]] = []  # values held masked, others
    for rank, config in ranked:
        masked: set[str] = set()
        other: set[tuple[str, str]] = set()
        for name, value in _plain(config):
            if value not in first:
                continue
            if judged[name, value]:
                masked.add(value)
            else:
                other.add((value, name))
        # a command line holds it too (`--pg PASSWORD`, `--pg=PASSWORD`): as a variable of
        # its own, that a plan's YAML copy writes (helper-590 F4)
        other.update((value, ARGS) for value in _words(config) if value in first)
        for pair in other:
            since[pair] = min(rank, since.get(pair, rank))
        held.append((masked, other))
    return frozenset(
        value
        for masked, other in held
        for value, name in other
        if value not in masked and first[value] < since[value, name]
    )


def _plain(config: RevisionVariables) -> Iterable[tuple[str, str]]:
    """(name, value stripped) of each plain variable of `config` with a value."""
    for container in config.containers:
        for var in container.env.values():
            if var.ref is None and (value := (var.value or "").strip()):
                yield var.name, value


ARGS = "(command line)"
"""What `moved_values` calls a container's command and arguments, as if a variable's name."""


def word_values(word: str) -> tuple[str, ...]:
    """What a word of a command line may hold whole: itself, and a flag's VALUE
    (`--pg=VALUE`), each stripped: where a password moved onto a command line stands."""
    return (word.strip(), word.split("=", 1)[1].strip()) if "=" in word else (word.strip(),)


def _words(config: RevisionVariables) -> set[str]:
    """`word_values` of every word of each container's command line."""
    return {v for c in config.containers for w in c.words for v in word_values(w) if v}


def describe_live(var: EnvVar, *, secret: bool = False) -> str:
    if var.ref is not None:
        return str(var.ref)
    return mask_plain(var.name, var.value or "", secret=secret or var.sensitive)
