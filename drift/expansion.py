"""`$(VAR)` references in environment values, expanded as Cloud Run expands them (run v2
`k8s_min.proto`, EnvVar.value): "Variable references $(VAR_NAME) are expanded using the
previous defined environment variables in the container and any route environment variables.
If a variable cannot be resolved, the reference in the input string will be unchanged. Double
$$ are reduced to a single $, which allows for escaping the $(VAR_NAME) syntax: i.e.
"$$(VAR_NAME)" will produce the string literal "$(VAR_NAME)". Escaped references will never
be expanded, regardless of whether the variable exists or not." (the Kubernetes rule, whose
scanner this follows: `third_party/forked/golang/expansion`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any


def expand(text: str, lookup: Callable[[str], str | None]) -> str:
    """`text` with each reference `$(NAME)` replaced by `lookup(NAME)` (unchanged where that is
    None), `$$` by `$`; any other `$` is kept as it is."""
    if "$" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char != "$" or i + 1 >= n:
            out.append(char)
            i += 1
        elif text[i + 1] == "$":  # escaped: `$$(X)` is the text `$(X)`
            out.append("$")
            i += 2
        elif text[i + 1] == "(" and (end := text.find(")", i + 2)) >= 0:
            name = text[i + 2 : end]
            value = lookup(name)
            out.append(f"$({name})" if value is None else value)
            i = end + 1
        else:  # `$(` never closed, or a `$` that opens nothing: kept
            out.append(text[i : i + 2])
            i += 2
    return "".join(out)


def references(text: str) -> list[str]:
    """The names `text` refers to with `$(NAME)` (escaped ones are not references)."""
    found: list[str] = []

    def note(name: str) -> None:
        found.append(name)

    expand(text, lambda name: note(name))
    return found


def set_after(
    order: Sequence[str], name: str, text: str | None, at: Mapping[str, int] | None = None
) -> list[str]:
    """The variables of `order` (a container's, as set) that `name`'s plain value `text`
    refers to and that are set only after it: Cloud Run leaves such a reference "unchanged",
    so the variable runs with the text `$(NAME)`. `at`: each name's place in `order`, when
    the caller has it (built once, not once a variable: helper-570)."""
    if not text or "$(" not in text:
        return []
    at = at if at is not None else {n: i for i, n in enumerate(order)}
    return [n for n in dict.fromkeys(references(text)) if at.get(n, -1) > at.get(name, -1)]


def reference_order(
    env: Sequence[tuple[str, str | None]], movable: Callable[[str], bool]
) -> tuple[list[str], set[str]]:
    """The names of `env` ((name, plain value or None for a secret), as set) with each variable
    `movable` allows placed after the variables its value refers to, and the names moved;
    every other variable keeps its place. References that go round (A refers to B, B to A)
    cannot all be met: the order stops changing after one pass per variable."""
    names = [n for n, _ in env]
    values = dict(env)
    moved: set[str] = set()
    for _ in range(len(names)):
        before = len(moved), list(names)
        at = {n: i for i, n in enumerate(names)}
        for name in [n for n in names if movable(n)]:
            late = set_after(names, name, values[name], at)
            if late:
                names.remove(name)
                names.insert(max(names.index(n) for n in late) + 1, name)
                moved.add(name)
                at = {n: i for i, n in enumerate(names)}
        if names == before[1]:
            break
    return names, moved


UNKNOWN = object()
"""A referenced name whose value drift cannot know (`runs_as`)."""
VALUE_MAX = 32768
"""The longest value a variable may hold, in bytes (run v2 EnvVar.value)."""
DEPTH = 32
"""How deep `runs_as` follows a stated value's references into other stated values (each a
Python frame or two: a chain of thousands would end the run in a RecursionError); past it,
the reference is not known, and the value is judged as written."""


def runs_as(env: Mapping[str, Any], name: str, text: str, stated: Mapping[str, Any]) -> bool:
    """Whether the plain variable `name` of a container whose variables are `env` (as set:
    `drift.live.model.EnvVar`s) runs with what a profile's `text` means: `text` itself, as
    written or as it runs (`EnvVar.holds`), or `text` with its references expanded — a name
    the profile states a plain value for (`stated`: its VarRules of that container) by that
    value (its own references expanded alike), any other by the container's own plain
    variable (one holding a secret, or referring to one, is not known: left as `$(X)`). A
    revision that writes `postgres://db/x` runs what `postgres://$(HOST)/x` means where HOST
    is `db`; where the profile states HOST as `prod-db` it does not (helper-565 F2, helper-566
    F1). The one answer `drift check` and `drift plan` give."""
    live = env.get(name)
    if live is None or live.ref is not None:
        return False
    if bool(live.holds(text)):
        return True
    if live.value is None or "$(" not in text:
        return False

    # each name's meaning once (a value referring twice to the next ran 2^n lookups:
    # helper-570 F2): its text, None for a name set nowhere (Cloud Run leaves `$(X)` as it
    # is, on both sides), or UNKNOWN
    memo: dict[str, str | None | object] = {}
    unknown: list[str] = []

    def lookup(other: str, depth: int = 0) -> str | None:
        if other not in memo:
            memo[other] = UNKNOWN  # while it is worked out: a reference that goes round
            memo[other] = _meaning(other, depth)
        found = memo[other]
        if found is UNKNOWN:
            unknown.append(other)
            return None
        return found if isinstance(found, str) else None

    def _meaning(other: str, depth: int) -> str | None | object:
        if other == name:
            return None  # itself: not set before it, left as text
        if depth >= DEPTH:
            return UNKNOWN  # nested past `DEPTH`
        rule = stated.get(other)
        if rule is not None and (rule.ref is not None or rule.forbidden):
            return UNKNOWN  # a secret, or a name the profile rules out: not what runs
        if rule is not None and rule.value is not None:
            # the profile's value, its own references expanded alike (`$$` is `$`); one
            # longer than a variable may be ("the maximum length is 32768 bytes", run v2
            # EnvVar.value) is no value Cloud Run runs: not known (a value referring twice to
            # the next doubles with each link)
            meant = expand(str(rule.value), lambda n: lookup(n, depth + 1))
            return meant if len(meant.encode()) <= VALUE_MAX else UNKNOWN
        # a name the profile states no value for (required, a pattern, optional), or none:
        # the container's own, wherever it is set — a fix places it before what refers to it
        # (`drift.fix.env_order`), and what the written text runs is `_set_after`'s to judge
        # (helper-568 F3, helper-569 F3); one set nowhere stays `$(X)` (helper-571)
        var = env.get(other)
        if var is None:
            return None
        if var.ref is not None or var.needs or var.value is None:
            return UNKNOWN
        return str(var.value)

    meant = expand(text, lookup)
    # a reference drift cannot resolve (a secret, one that goes round) means a value it does
    # not know: never "the same" by a `$(X)` left as text (helper-570 F1)
    return not unknown and meant == live.value
