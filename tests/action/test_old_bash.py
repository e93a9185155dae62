"""helper-849 F1: the action's step runs under whatever bash the runner has first on PATH
(`#!/usr/bin/env bash`): 3.2.57 on GitHub's macOS runners, 4.2 on RHEL 7 and Amazon Linux 2.
Under `set -u`, bash before 4.4 takes `"${a[@]}"` of an empty array for an unbound variable
(bash CHANGES, bash-4.4-rc2 a) and the step exited 1, "drift found", before drift ran, when
no baseline was set; `local -` is 4.4's too. No bash that old runs here in CI, so the script is
checked for the constructs older bash lacks (each with the version that brought it). By hand,
every test of tests/action and tests/test_action.py passed under bash 3.2.48 and 4.2.45 built
from source (PATH naming them first; 28 of them failed under 3.2.48 before)."""

from __future__ import annotations

import re

from tests.action.step import SCRIPT

TEXT = SCRIPT.read_text(encoding="utf-8")
CODE = "\n".join(line for line in TEXT.splitlines() if not line.lstrip().startswith("#"))

NEWER = {
    # construct: the bash that brought it (bash's CHANGES / NEWS)
    r"\blocal\s+-(\s|$)": "local - (4.4)",
    r"\$\{\w+@[QEPAaKkUuL]\}": "${x@Q} and the other transformations (4.4)",
    r"\b(declare|typeset|local)\s+-\w*[nA]": "declare -n / -A (4.3 / 4.0)",
    r"\$\{\w+(\^\^?|,,?)\}": "case modification ${x^^} (4.0)",
    r"\b(mapfile|readarray|coproc)\b": "mapfile, readarray, coproc (4.0)",
    r"&>>|\|&": "&>> and |& (4.0)",
    r";;&|;&": "case fall-through ;& and ;;& (4.0)",
    r"\bwait\s+-n\b": "wait -n (4.3)",
    r"\[\[\s+-v\b": "[[ -v (4.2)",
    r"\bshopt\s+-s\s+(globstar|lastpipe)\b": "globstar / lastpipe (4.0 / 4.2)",
}


def _unguarded(code: str) -> list[str]:
    """Arrays `code` assigns empty (`NAME=()`) anywhere and expands plainly (`"${NAME[@]}"`,
    not `${NAME[@]+"${NAME[@]}"}`): an unbound variable under `set -u` before bash 4.4."""
    empty = set(re.findall(r"\b(\w+)=\(\s*\)", code))
    return sorted(n for n in empty if re.search(rf'(?<!\+)"\$\{{{n}\[[@*]\]\}}"', code))


def _replacements(code: str) -> list[str]:
    """The replacement of each `${NAME/PATTERN/REPLACEMENT}` (and `//`): the text after the
    first `/` outside quotes, up to the `}` that closes it."""
    found = []
    for start in re.finditer(r"\$\{\w+//?", code):
        i, quote, depth, cut = start.end(), "", 0, None
        while i < len(code):
            c = code[i]
            if quote:
                quote = "" if c == quote else quote
            elif c in "'\"":
                quote = c
            elif c == "\\":
                i += 1
            elif code.startswith("${", i):
                depth += 1
                i += 1
            elif c == "}" and depth:
                depth -= 1
            elif c == "}":
                break
            elif c == "/" and cut is None and not depth:
                cut = i + 1
            i += 1
        if cut is not None:
            found.append(code[cut:i])
    return found


def test_no_empty_array_is_expanded_unguarded() -> None:
    assert "compare=()" in CODE  # the array of no baseline, which the check must see
    assert _unguarded(CODE) == [], 'write ${NAME[@]+"${NAME[@]}"} (bash before 4.4, set -u)'
    assert 'check ${compare[@]+"${compare[@]}"}' in CODE


def test_no_construct_of_a_bash_after_3_2() -> None:
    for pattern, what in NEWER.items():
        assert not re.search(pattern, CODE), f"{what}: bash 3.2 has none"


def test_no_quotes_in_a_replacement() -> None:
    """Up to bash 4.2, quotes inside the replacement of a double-quoted `${x//p/r}` stay
    characters (`'##\\['` printed with its quotes): a variable holds it instead."""
    replacements = _replacements(CODE)
    assert len(replacements) >= 4, replacements  # command_data's three, plain_data's
    assert [r for r in replacements if re.search("['\"]", r)] == [], replacements


def test_the_checks_see_what_the_script_had_before() -> None:
    """The checks above, on the lines the script had before (helper-849 F1)."""
    before = (
        "compare=()\n"
        'check "${compare[@]}" 2>"$errors"\n'
        "  local - IFS=/\n"
        """  printf '%s' "${text//'##['/'##\\['}"\n"""
    )
    assert _unguarded(before) == ["compare"]
    assert re.search(next(iter(NEWER)), before)
    assert _replacements(before) == ["'##\\['"]
