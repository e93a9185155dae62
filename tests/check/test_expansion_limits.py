"""`drift.expansion.runs_as` at its limits (helper-570; each failed on 5c214cec): a reference it
cannot resolve (a secret, nested) never makes the profile's text "the same" as a value that runs
with the literal `$(X)`; a long chain of stated values is judged, not a RecursionError; values
referring twice to the next are worked out once each, and one longer than a variable may hold
is not known; a manual count of 0 is named in the note of the service's own settings."""

from __future__ import annotations

import json
from pathlib import Path

from drift.sandbox import Sandbox
from tests.check.test_expansion_check_plan import P1, REGION, _run, _world


def _profile(rules: str) -> str:
    return f"project: {P1}\nregion: {REGION}\nservices:\n  svc:\n    env:\n{rules}"


def test_nested_reference_to_a_secret_set_after_is_not_clean(tmp_path: Path) -> None:
    """F1. Profile: BASE (a secret), HOST "$(BASE)-db", URL "postgres://$(HOST)/x".
    Container: URL written `postgres://$(BASE)-db/x` set BEFORE BASE -> it runs with the
    literal text `$(BASE)-db` (never the secret). The flat spelling (URL stated as
    `postgres://$(BASE)-db/x`) is flagged `refers to $(BASE), set after it`; the nested one
    expands HOST to `$(BASE)-db` (BASE 'not known: left as $(X)') and equals the literal:
    clean on 5c214cec (on 92e39dc3 a stated value referring on was not known -> env.value)."""
    rules = '      BASE: {secret: s}\n      HOST: "$(BASE)-db"\n      URL: "postgres://$(HOST)/x"\n'
    env = {"URL": "postgres://$(BASE)-db/x", "BASE": {"secret": "s"}, "HOST": "$(BASE)-db"}
    with Sandbox(_world(env)) as sb:  # type: ignore[arg-type]
        checked = _run(sb, tmp_path, _profile(rules), "check", "--no-history", "-f", "json")
    found = {f["target"] for f in json.loads(checked.stdout)["findings"]}
    assert "env.URL" in found, (found, checked.stderr[-2000:])


def _chain(n: int, twice: bool) -> str:
    lines = []
    for i in range(n):
        ref = f"$(A{i + 1})"
        lines.append(f'      A{i}: "{ref + ref if twice else ref}"\n')
    lines.append(f'      A{n}: "x"\n')
    lines.append('      URL: "u-$(A0)"\n')
    return "".join(lines)


def test_a_long_chain_of_stated_values_is_reported(tmp_path: Path) -> None:
    """F3: 400 stated values each referring to the next (3 frames a link in `lookup`/`expand`/
    the lambda): RecursionError, drift check reports nothing."""
    with Sandbox(_world({"URL": "plain"})) as sb:
        checked = _run(sb, tmp_path, _profile(_chain(400, False)), "check", "--no-history",
                       "-f", "json")  # fmt: skip
    assert checked.stdout, checked.stderr[-1500:]
    found = {f["target"] for f in json.loads(checked.stdout)["findings"]}
    assert "env.URL" in found


def test_stated_values_referring_twice_on_are_not_exponential() -> None:
    """F2: 30 stated values each `$(Anext)$(Anext)`: without a memo, 2**30 lookups and a value
    of 2**30 characters. Each name's meaning is worked out once, and one longer than a
    variable may hold (32,768 bytes) is not known."""
    from types import SimpleNamespace as NS

    from drift.expansion import runs_as
    from drift.live.model import EnvVar

    class Counted(dict[str, NS]):
        asked = 0

        def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
            Counted.asked += 1
            return super().get(key, default)

    def rule(v: str) -> NS:
        return NS(value=v, ref=None, forbidden=False)

    n = 30
    stated = Counted({f"A{i}": rule(f"$(A{i + 1})$(A{i + 1})") for i in range(n)})
    stated[f"A{n}"] = rule("x")
    assert not runs_as({"URL": EnvVar("URL", value="plain")}, "URL", "u-$(A0)", stated)
    assert Counted.asked <= 2 * (n + 1), Counted.asked


def test_manual_instances_zero_is_named_in_the_failed_template_note() -> None:
    """F4: `_sent_as_read` leaves out values `in ("", False, None, "auto")`; `0 == False`, so
    manual_instances 0 (manual scaling at zero instances: the service serves nothing, a
    value of its own, unlike auto) is left out of the note, though the failed write may have
    asked for it and the fix sends it as read."""
    from types import SimpleNamespace as NS

    from drift.fix.formats.table import _sent_as_read

    sp = NS(settings=(), held={"manual_instances": 0, "ingress": "all"})
    (line,) = _sent_as_read(sp)  # type: ignore[arg-type]
    assert "manual_instances 0" in line, line
