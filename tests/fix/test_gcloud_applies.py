"""The gcloud script does what it says when gcloud applies it, not only when its argv parses:
a model of how `gcloud run services update` changes a container's variables, in its order
(helper-530 F1: a secret made a plain value was `--remove-secrets=X --update-env-vars=X=…` in
one command, which gcloud refuses, and `set -e` then stopped every command after it)."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from drift.delimiters import delimiter_candidates, first_free
from drift.fix.formats.gcloud import plan_script, service_script
from drift.fix.formats.text import GcloudItems, free_delimiter
from drift.fix.model import Action, EnvChange, Plan
from drift.live.model import EnvVar
from drift.refs import SecretRef
from tests.fix.test_gcloud_script import flags, gcloud_dict, run_script, service_plan

Env = dict[str, tuple[str, str]]
"""A container's variables as gcloud sees them: name -> ("literal" | "secret", text)."""


class Refused(Exception):
    """gcloud's ConfigurationError: the command changes nothing."""


def apply_like_gcloud(env: Env, argv: list[str]) -> Env:
    """`argv` (one container's flags) applied as gcloud 528 applies them: the variables'
    change before the secrets' (command_lib/run/flags.py `_GetConfigurationChanges`:
    `_GetEnvChanges`, then `_GetSecretsChanges`); each removes, then updates; an update of a
    name held by the other kind is refused (config_changes.py `EnvVarLiteralChanges.
    AdjustContainer`, `SecretEnvVarChanges.Adjust`: "Cannot update environment variable [X]
    … because it has already been set with a different type")."""
    out = dict(env)
    given = flags(["run", "services", "update", "api", *argv])
    lists = {flag: gcloud_dict(value) for flag, value in given if flag.startswith("--")}
    for flag, value in given:  # repeated --update-env-vars merge (calliope UpdateAction)
        if flag == "--update-env-vars":
            lists[flag] = {**lists.get(flag, {}), **gcloud_dict(value)}
    for kind, remove, update in (
        ("literal", "--remove-env-vars", "--update-env-vars"),
        ("secret", "--remove-secrets", "--update-secrets"),
    ):
        for name in lists.get(remove, {}):
            if out.get(name, ("",))[0] == kind:
                del out[name]
        for name, text in lists.get(update, {}).items():
            if name in out and out[name][0] != kind:
                raise Refused(name)
            out[name] = (kind, text)
    return out


LIVE: Env = {
    "MADE_PLAIN": ("secret", "s-old:latest"),
    "MADE_SECRET": ("literal", "was-plain"),
    "GONE_SECRET": ("secret", "s-gone:latest"),
    "GONE": ("literal", "x"),
    "CHANGED": ("literal", "old"),
    "KEPT": ("literal", "kept"),
}


def _secret(name: str, secret: str) -> EnvVar:
    return EnvVar(name, ref=SecretRef(secret))


PLAN = service_plan(
    env=(
        EnvChange(
            Action.SET_VALUE, "MADE_PLAIN", _secret("MADE_PLAIN", "s-old"), value="now-plain"
        ),
        EnvChange(
            Action.SET_SECRET,
            "MADE_SECRET",
            EnvVar("MADE_SECRET", value="was-plain"),
            ref=SecretRef("s-new"),
        ),
        EnvChange(Action.REMOVE, "GONE_SECRET", _secret("GONE_SECRET", "s-gone")),
        EnvChange(Action.REMOVE, "GONE", EnvVar("GONE", value="x")),
        EnvChange(Action.SET_VALUE, "CHANGED", EnvVar("CHANGED", value="old"), value="new"),
        EnvChange(Action.SET_VALUE, "ADDED", None, value="a,b"),
    )
)


def test_the_command_applies_and_makes_every_change_it_names(tmp_path: Path) -> None:
    script = service_script(PLAN)
    done, calls = run_script(tmp_path, plan_script(Plan("staging", "p", "r", (PLAN,))))
    assert done.returncode == 0, done.stderr
    (argv,) = calls
    after = apply_like_gcloud(LIVE, argv[4:])
    assert after == {
        "MADE_PLAIN": ("secret", "s-old:latest"),  # a manual step: left as it was
        "MADE_SECRET": ("secret", "s-new:latest"),
        "CHANGED": ("literal", "new"),
        "KEPT": ("literal", "kept"),
        "ADDED": ("literal", "a,b"),
    }
    assert [c.name for c in script.left] == ["MADE_PLAIN"]  # type: ignore[attr-defined]
    text = plan_script(Plan("staging", "p", "r", (PLAN,)))
    assert "# not in the command above: MADE_PLAIN: it is read from Secret Manager" in text


def test_the_model_refuses_what_gcloud_refuses() -> None:
    """The model is no stand-in that takes anything: the old command is refused by it."""
    old = ["--remove-secrets=MADE_PLAIN", "--update-env-vars=MADE_PLAIN=now-plain"]
    with pytest.raises(Refused):
        apply_like_gcloud(LIVE, old)
    made_secret = ["--remove-env-vars=MADE_SECRET", "--update-secrets=MADE_SECRET=s-new:latest"]
    assert apply_like_gcloud(LIVE, made_secret)["MADE_SECRET"] == ("secret", "s-new:latest")


def test_a_value_no_delimiter_can_separate_from_the_rest_is_a_manual_step() -> None:
    """helper-530 F4: one value holding every character drift could delimit gcloud's list
    with ended the plan with "internal error: StopIteration". Now no value Cloud Run takes
    (32768 bytes) exhausts them alone; values that do together leave the last one to a
    manual step, the others made."""
    printable = [chr(p) for p in range(0x20, 0x110000) if chr(p).isprintable()]
    every_plane_0 = "".join(c for c in printable if ord(c) < 0x3000)
    assert free_delimiter([every_plane_0]) is not None  # alone, a delimiter is left
    chunks = ["".join(printable[i : i + 8000]) for i in range(0, len(printable), 8000)]
    assert all(len(chunk.encode()) <= 32768 for chunk in chunks)  # each a value Cloud Run takes
    changes = tuple(
        EnvChange(Action.SET_VALUE, f"V{i}", None, value=chunk) for i, chunk in enumerate(chunks)
    )
    script = service_script(service_plan(env=changes))
    left = [c.name for c in script.left]  # type: ignore[attr-defined]
    assert left and left != [c.name for c in changes]
    assert all(s.endswith("change it by hand, or run drift fix") for s in script.skipped)
    command = "\n".join(script.lines)
    assert all(f"V{i}=" not in command for i in range(len(chunks)) if f"V{i}" in left)


def test_a_plain_value_made_a_secret_is_both_flags_or_neither() -> None:
    """helper-534: a plain value made a secret is `--remove-env-vars` and `--update-secrets`;
    when the second list had no delimiter left, the change was said to be left out, yet
    `--remove-env-vars=NAME` stayed in the command: the variable deleted, nothing in its
    place."""
    from drift.fix.formats.text import _candidates

    candidates = [c for c in _candidates() if c not in "=:"]
    rest, last = candidates[:-1], candidates[-1]
    names = ["".join(rest[i : i + 8000]) for i in range(0, len(rest), 8000)]
    changes = [EnvChange(Action.SET_SECRET, n, None, ref=SecretRef("s")) for n in names]
    victim = "DB" + last
    changes.append(
        EnvChange(Action.SET_SECRET, victim, EnvVar(victim, value="plain"), ref=SecretRef("s2"))
    )
    script = service_script(service_plan(env=tuple(changes)))
    assert [c.name for c in script.left] == [victim]  # type: ignore[attr-defined]
    assert victim not in "\n".join(script.lines)


def test_a_list_looks_again_at_no_candidate_its_items_hold_and_skips_no_other() -> None:
    """`GcloudItems.held`: the candidates its items hold, one after the other from the first,
    are not looked at again; every other still is. Items of the ASCII candidates (most of
    them) and the first few past them, in any order, fill the first ones up in turn."""
    rng = random.Random(850)
    pool = list(itertools.islice(delimiter_candidates(), 58))  # 54 ASCII, 4 past them
    for _ in range(200):
        items, used = GcloudItems(), set[str]()
        for _ in range(rng.randint(1, 40)):
            item = "".join(rng.choices(pool, k=rng.randint(0, 12)))
            its = set(item)
            assert first_free(items.used, its, skip=items.held) == first_free(used | its)
            assert items.add(item)
            used |= its
            leading = itertools.takewhile(used.__contains__, delimiter_candidates())
            assert items.held == len(list(leading)), item
    assert items.held > 0
