"""The digests a journal written before f753cd92 holds. drift then read a plain value as the
older run v2 proto text said Cloud Run ran it, `$(NAME)` expanded from the plain variables
before it and `$$` a `$` (the text "Variable references are not supported in Cloud Run"
replaced it: `drift.live.model.EnvVar.holds`), and digested that. A template holding `$(` or
`$$` in a plain value has another digest now, and the change that earlier drift made (pinned
by `--no-promote`, or left by a kill) would look changed by someone else (helper-578 F1). Such
a stored digest is matched by the key computed the earlier way too; none other is affected."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from drift.fix.journal import Write
from drift.live.model import EnvVar, RevisionConfig


def expand(text: str, lookup: Callable[[str], str | None]) -> str:
    """The earlier reading: each `$(NAME)` replaced by `lookup(NAME)` (unchanged where that is
    None), `$$` by `$`; any other `$` kept (the Kubernetes scanner it followed)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char != "$" or i + 1 >= n:
            out.append(char)
            i += 1
        elif text[i + 1] == "$":
            out.append("$")
            i += 2
        elif text[i + 1] == "(" and (end := text.find(")", i + 2)) >= 0:
            value = lookup(text[i + 2 : end])
            out.append(text[i : end + 1] if value is None else value)
            i = end + 1
        else:
            out.append(text[i : i + 2])
            i += 2
    return "".join(out)


def earlier_config(config: RevisionConfig) -> RevisionConfig | None:
    """`config` with its plain values as the earlier drift read them, or None where that is
    `config` itself (no value holds a `$`: most)."""
    if not any(v.value and "$" in v.value for c in config.containers for v in c.env.values()):
        return None
    return replace(
        config, containers=tuple(replace(c, env=_read(c.env)) for c in config.containers)
    )


def _read(variables: dict[str, EnvVar]) -> dict[str, EnvVar]:
    env: dict[str, EnvVar] = {}
    unknown: set[str] = set()  # a secret's, or one that refers to a secret's

    def plain(name: str) -> str | None:
        var = env.get(name)
        return None if var is None or name in unknown else var.value

    for var in variables.values():
        if var.ref is not None:
            unknown.add(var.name)
        elif var.value and "$" in var.value:
            if unknown.intersection(_references(var.value)):
                unknown.add(var.name)
            var = replace(var, value=expand(var.value, plain))
        env[var.name] = var
    return env


def _references(text: str) -> list[str]:
    found: list[str] = []

    def note(name: str) -> None:
        found.append(name)

    expand(text, note)
    return found


def sent(write: Write, key: Callable[[Any], str], config: RevisionConfig) -> bool:
    """Whether `config` is what `write` sent: its digest is `key(config)`, or, for a write an
    older journal holds (`Write.literal` false), `key` of `config` read the earlier way; never
    that for this drift's own (a teammate's `B=$(A)` is not the `B=x` drift wrote,
    helper-579 F1)."""
    if key(config) == write.template_key:
        return True
    earlier = None if write.literal else earlier_config(config)
    return earlier is not None and key(earlier) == write.template_key
