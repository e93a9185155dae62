"""`$(VAR)` in environment values, as the sandbox's instances expand them: a port of
Kubernetes' `third_party/forked/golang/expansion/expand.go` (`Expand`, `tryReadVariableName`),
the rule run v2 k8s_min.proto's EnvVar.value quotes ("Variable references $(VAR_NAME) are
expanded using the previous defined environment variables in the container… If a variable
cannot be resolved, the reference in the input string will be unchanged. Double $$ are reduced
to a single $"). The sandbox's own, not drift's (`drift.expansion`): a sandbox that expanded
with drift's code would agree with drift's mistakes."""

from __future__ import annotations

from collections.abc import Callable

OPERATOR, OPENER, CLOSER = "$", "(", ")"


def expand(text: str, lookup: Callable[[str], str | None]) -> str:
    """`Expand(input, MappingFuncFor(…))`: `lookup` None is Kubernetes' "no mapping", where the
    reference is written back as it was (`syntaxWrap`)."""
    out: list[str] = []
    checkpoint = cursor = 0
    while cursor < len(text):
        if text[cursor] == OPERATOR and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            read, is_var, advance = _read_name(text[cursor + 1 :])
            if is_var:
                value = lookup(read)
                out.append(OPERATOR + OPENER + read + CLOSER if value is None else value)
            else:
                out.append(read)
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    return "".join(out) + text[checkpoint:]


def _read_name(rest: str) -> tuple[str, bool, int]:
    """`tryReadVariableName`: what follows an operator, whether it is a name, and how many
    characters it takes."""
    if rest[0] == OPERATOR:  # an escaped operator
        return rest[0], False, 1
    if rest[0] == OPENER:
        close = rest.find(CLOSER, 1)
        if close >= 0:
            return rest[1:close], True, close + 1
        return OPERATOR + OPENER, False, 1  # incomplete: kept, and scanning goes on after `(`
    return OPERATOR + rest[0], False, 1  # an operator opening nothing
