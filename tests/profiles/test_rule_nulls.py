"""An empty value (null) inside a variable's rule, a mount's rule or an `ignore` entry is a
profile error at its line, exit 2. `extends` replaces those as a whole, so a null in them
deletes nothing; read as the key left out, it turned a rule into another: `{forbidden: }`
(a value a template rendered empty) made the variable required, `{secret: }` took any plain
value, `{optional: }` made it required, `{until: }` never expired (helper-527 F1). A null
that `extends` merges still deletes."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.profiles.rules_spec import MountRuleSpec, VarRuleSpec
from drift.profiles.spec import IgnoreSpec
from tests.cliutil import drift

HEAD = "project: acme-staging\nregion: us-central1\n"
NULL = "an empty value (null): give {key} a value, or leave the key out"


def _keys(model: type) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]  # type: ignore[attr-defined]


def _validate(directory: Path, text: str) -> tuple[int, list[str]]:
    directory.mkdir(exist_ok=True)
    (directory / "staging.yaml").write_text(HEAD + text)
    done = drift("profiles", "validate", "--profiles", str(directory))
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stderr.splitlines()


@pytest.mark.parametrize("key", _keys(VarRuleSpec))
def test_a_null_in_a_variables_rule_is_refused_at_its_line(tmp_path: Path, key: str) -> None:
    # beside a key that makes the rule whole with it gone (a secret for project/version)
    rest = "secret: s" if key in ("project", "version") else "required: true"
    if key in ("secret", "required"):
        rest = "severity: warning"
    text = f"services:\n  api:\n    env:\n      OTHER: x\n      A: {{{key}: , {rest}}}\n"
    code, lines = _validate(tmp_path / "profiles", text)
    assert code == 2
    assert lines == [
        f"{tmp_path / 'profiles' / 'staging.yaml'}:7: services.api.env.A.{key}: "
        + NULL.format(key=key)
        + " (null deletes only in what extends merges, never in a rule or an ignore entry)"
    ]


@pytest.mark.parametrize("key", [k for k in _keys(MountRuleSpec) if k != "secret"])
def test_a_null_in_a_mounts_rule_is_refused_at_its_line(tmp_path: Path, key: str) -> None:
    text = f"services:\n  api:\n    mounts:\n      /etc/creds:\n        secret: s\n        {key}:\n"
    code, lines = _validate(tmp_path / "profiles", text)
    assert code == 2
    assert len(lines) == 1 and f":8: services.api.mounts./etc/creds.{key}: " in lines[0], lines
    assert NULL.format(key=key) in lines[0]


@pytest.mark.parametrize("key", ["until", "container", "tag", "rule"])
def test_a_null_in_an_ignore_entry_is_refused_at_its_line(tmp_path: Path, key: str) -> None:
    assert key in _keys(IgnoreSpec)
    text = (
        "services:\n  api:\n    env: {X: x}\n"
        f"ignore:\n  - service: api\n    env: X\n    reason: r\n    {key}:\n"
    )
    code, lines = _validate(tmp_path / "profiles", text)
    assert code == 2
    assert len(lines) == 1 and f":10: ignore.0.{key}: " in lines[0], lines
    assert NULL.format(key=key) in lines[0]


def test_forbidden_left_empty_is_no_longer_a_clean_check_of_a_variable_that_is_set(
    tmp_path: Path,
) -> None:
    """The verdict the null flipped: TESTING set on the service, `{forbidden: }` in the
    profile — it was clean (exit 0): `forbidden` dropped, the variable only named."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "staging.yaml").write_text(
        HEAD + "services:\n  api:\n    env:\n      TESTING: {forbidden: }\n"
    )
    manifest = tmp_path / "service.yaml"
    manifest.write_text(
        "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: api\n"
        "spec:\n  template:\n    spec:\n      containers:\n      - image: x\n"
        "        env:\n        - {name: TESTING, value: 'true'}\n"
    )
    done = drift(
        "check", "staging", "--profiles", str(profiles), "-m", str(manifest), "--offline"
    )  # fmt: skip
    assert done.returncode == 2, done.stdout
    assert "TESTING.forbidden: an empty value (null)" in done.stderr


def test_a_null_extends_merges_still_deletes(tmp_path: Path) -> None:
    """What `extends` merges (a workload's variables, its settings) a null deletes, as the
    README says: only nulls inside what it replaces whole are refused."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "base.yaml").write_text(
        HEAD + "services:\n  api:\n    env: {A: x, B: {secret: s}}\n    settings:\n"
        "      min_instances: 1\n"
    )
    (profiles / "staging.yaml").write_text(
        "extends: base\nservices:\n  api:\n    env: {B: null}\n    settings:\n"
        "      min_instances: null\n"
    )
    from drift.profiles.loader import load_profile

    profile = load_profile(profiles, "staging")
    api = profile.services["api"]
    assert set(api.env) == {"A"}
    assert "min_instances" not in api.settings


def test_a_wrong_type_of_null_says_null_not_none(tmp_path: Path) -> None:
    text = "services:\n  api:\n    probe: {websocket: /ws, hold: }\n"
    code, lines = _validate(tmp_path / "profiles", text)
    assert code == 2
    assert any("not null (an empty value)" in line for line in lines), lines
    assert not any("None" in line for line in lines), lines


BASE = HEAD + (
    "defaults:\n  env:\n    LOG_LEVEL: {required: true}\n"
    "services:\n  billing:\n    env:\n      STRIPE_KEY: {secret: billing-stripe-key}\n"
    "      DEBUG: 'false'\n    settings:\n      min_instances: 1\n"
    "    mounts:\n      /etc/tls/: {secret: tls}\n  web:\n    env: {A: x}\n"
)


def _extending(directory: Path, text: str) -> Path:
    """base.yaml (BASE) and prod.yaml (`extends: base`, then `text`) in `directory`."""
    directory.mkdir()
    (directory / "base.yaml").write_text(BASE)
    (directory / "prod.yaml").write_text("extends: base\n" + text)
    return directory


def test_a_null_that_deletes_nothing_inherited_is_refused_at_its_line(tmp_path: Path) -> None:
    """helper-810 F3: `STRIPE_KY: null` (meant: STRIPE_KEY) deleted nothing, `profiles
    validate` said valid, and check went on enforcing STRIPE_KEY: a file:line error saying
    what it meant, as a null inside a rule is (README)."""
    profiles = _extending(
        tmp_path / "profiles",
        "services:\n  billing:\n    env:\n      STRIPE_KY: null\n  biling: null\n",
    )
    done = drift("profiles", "validate", "--profiles", str(profiles))
    assert done.returncode == 2, done.stdout
    said = [line for line in done.stderr.splitlines() if "deletes nothing" in line]
    assert said == [
        f"{profiles}/prod.yaml:5: services.billing.env.STRIPE_KY: null deletes nothing: base "
        "names no STRIPE_KY there; did you mean STRIPE_KEY? (a null deletes what a profile it "
        "extends sets, or a default; leave it out, or name what it deletes)",
        f"{profiles}/prod.yaml:6: services.biling: null deletes nothing: base names no biling "
        "there; did you mean billing? (a null deletes what a profile it extends sets, or a "
        "default; leave it out, or name what it deletes)",
    ], done.stderr


def test_a_null_that_deletes_what_is_inherited_or_a_default_still_deletes(
    tmp_path: Path,
) -> None:
    """A null deletes what the profile it extends sets (a variable, a setting, a mount however
    its path ends, a workload) and a default, the base's or its own: none of those is refused."""
    profiles = _extending(
        tmp_path / "profiles",
        "defaults:\n  env:\n    REGION_NAME: {required: true}\n"
        "services:\n  billing:\n    env:\n      DEBUG: null\n      LOG_LEVEL: null\n"
        "      REGION_NAME: null\n    settings:\n      min_instances: null\n"
        "    mounts:\n      /etc/tls: null\n  web: null\n",
    )
    from drift.profiles.loader import load_profile

    billing = load_profile(profiles, "prod").services["billing"]
    assert set(billing.env) == {"STRIPE_KEY"}
    assert billing.mounts == {} and "min_instances" not in billing.settings
    assert set(load_profile(profiles, "prod").services) == {"billing"}
