"""The JSON Schema editors read (`drift profiles schema`) says what the loader says, for the
forms the docs give and the refusals a schema can state (revcomp67 F1). What a schema cannot
state simply (an RE2 pattern that does not compile, rules that contradict each other) is the
loader's alone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from drift.errors import ProfileError
from drift.fields import FIELDS
from drift.kinds import Kind
from drift.profiles.loader import load_profile
from drift.profiles.spec import ProfileSpec, json_schema
from tests.cliutil import drift

VALIDATOR = jsonschema.Draft202012Validator(json_schema())
API = "services:\n  api:\n    "

CASES = [
    # accepted by both
    (API + "env: {A: {secret: s, version: 3}}", True),
    (API + "mounts: {/etc/creds: {secret: s, version: 3}}", True),
    ("expiry_warning: 30d\n" + API + "env: {}", True),
    ("expiry_warning: 4w\n" + API + "env: {}", True),
    (API + "expiry_warning: 10", True),
    (API + "env: {A: {value: 5}}", True),
    (API + "env: {A: {one_of: [1, 2]}}", True),
    (API + "env: {A: {not: [localhost, 8080]}}", True),
    (API + "probe: {websocket: /ws, headers: {X-A: 1}}", True),
    (API + "probe: {websocket: /ws, hold: 2s, timeout: 1m30s}", True),
    (API + "probe: {websocket: /ws, hold: 1.5, timeout: '10'}", True),
    ("ignore:\n  - {service: api, rule: probe.close_1011, reason: r}\n" + API + "env: {}", True),
    # refused by both
    ("expiry_warning: -5\n" + API + "env: {}", False),
    ("expiry_warning: 4000\n" + API + "env: {}", False),
    (API + "mounts: {etc/creds: {secret: s}}", False),
    (API + "mounts: {/etc/creds/../tls: {secret: s}}", False),
    (API + "mounts: {/etc/./creds: {secret: s}}", False),
    (API + "mounts: {/etc/..creds/key..json: {secret: s}}", True),
    (API + "probe: {websocket: ws}", False),
    (API + "probe: {websocket: //evil.example/ws}", False),
    (API + "probe: {websocket: /ws, hold: 2x}", False),
    (API + "probe: {websocket: /ws, timeout: '-1s'}", False),
    ("services:\n  API_Bad: {}", False),
    ("services:\n  -api: {}", False),
    ("ignore:\n  - {env: X, reason: r}\n" + API + "env: {}", False),
    ("ignore:\n  - {service: api, reason: r}\n" + API + "env: {}", False),
    ("ignore:\n  - {service: api, rule: env.nonsense, reason: r}\n" + API + "env: {}", False),
    (API + "env: {A: {secret: s, version: '0'}}", False),
    (API + "env: {A: {secret: s, version: '-1'}}", False),
    (API + "env: {A: {secret: 'bad name!'}}", False),
    (API + "env: {A: {secret: s, project: Bad_Project}}", False),
    # a null inside what extends replaces whole deletes nothing (helper-527 F1)
    (API + "env: {A: {forbidden: null}}", False),
    (API + "env: {A: {secret: s, version: null}}", False),
    (API + "mounts: {/etc/creds: {secret: s, optional: null}}", False),
    ("ignore:\n  - {service: api, env: A, reason: r, until: null}\n" + API + "env: {A: x}", False),
    # ... and deletes in what it merges
    (API + "env: {A: null}", True),
]


@pytest.mark.parametrize(("body", "valid"), CASES)
def test_the_schema_and_the_loader_agree(profiles_dir: Path, body: str, valid: bool) -> None:
    text = f"project: acme-prod\nregion: us-central1\n{body}\n"
    (profiles_dir / "prod.yaml").write_text(text)
    try:
        load_profile(profiles_dir, "prod")
        loaded = True
    except ProfileError:
        loaded = False
    errors = list(VALIDATOR.iter_errors(yaml.safe_load(text)))
    assert (loaded, not errors) == (valid, valid), [e.message for e in errors]


@pytest.mark.parametrize("shipped", ["profiles", "drift/examples/profiles"])
def test_the_shipped_schema_is_the_one_drift_writes(shipped: str) -> None:
    """The schema beside the shipped profiles (and the one `init` copies) is the one
    `drift profiles schema` prints: editors validate against that file, not the loader."""
    written = json.loads((REPO / shipped / "profile.schema.json").read_text())
    assert written == json.loads(json.dumps(json_schema()))


def test_the_schema_bounds_are_json_schema_keywords() -> None:
    """pydantic's own names (`ge`, `le`) are no JSON Schema keyword: editors ignore them."""
    text = str(json_schema())
    assert "'ge'" not in text and "'le'" not in text


REPO = Path(__file__).resolve().parents[2]
PROFILE_FILES = (
    "profiles",
    "drift/examples/profiles",
    "tests/data/*/profiles",
    "tests/reliability/data/profiles",
)


class _AsAnEditorReads(yaml.SafeLoader):
    """YAML as an editor's schema check reads it: `until: 2027-12-31` is text (PyYAML alone
    makes it a date, which no JSON Schema type is)."""


_AsAnEditorReads.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def test_every_profile_in_the_repository_is_valid_by_the_schema() -> None:
    """revown68 F4: the shipped profiles, the examples `init` copies, the test data's
    profiles and README's own example (`probe.hold: 2s`, a duration as text) were refused
    by the schema editors read, the loader taking them."""
    texts = {
        str(path.relative_to(REPO)): path.read_text()
        for folder in PROFILE_FILES
        for path in REPO.glob(f"{folder}/*.yaml")
    }
    section = (REPO / "README.md").read_text().split("\n## Profiles", 1)[1]
    texts["README.md ## Profiles"] = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)[0]
    assert "profiles/base.yaml" in texts and "hold: 1s" in texts["profiles/base.yaml"]
    refused = {
        name: [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]
        for name, text in texts.items()
        for document in [yaml.load(text, Loader=_AsAnEditorReads)]  # a SafeLoader
    }
    assert not any(refused.values()), {name: errors for name, errors in refused.items() if errors}


@pytest.mark.parametrize(
    ("setting", "quoted", "expected", "line"),
    [
        ("cpu_throttling", "'false'", "a boolean (true or false)", 6),
        ("min_instances", '"3"', "an integer", 6),
        ("manual_instances", "'2'", "a number of instances (0 or more) or auto", 6),
    ],
)
def test_a_quoted_boolean_or_number_is_a_profile_error_at_its_line(
    profiles_dir: Path, setting: str, quoted: str, expected: str, line: int
) -> None:
    """A quoted `'false'` is a string, which the schema refuses where a boolean is taken: the
    loader coerced it and said "1 profile valid" (fixleft70a). Refused as the SPEC's profile
    errors are, `file:line: message`, exit 2, saying how to write it."""
    text = f"project: acme\nregion: us-central1\n{API}settings:\n      {setting}: {quoted}\n"
    (profiles_dir / "staging.yaml").write_text(text)
    done = drift("profiles", "validate", cwd=profiles_dir.parent)
    said = f"profiles/staging.yaml:{line}: services.api.settings.{setting}: expected {expected}, "
    unquoted = quoted.strip("'\"")
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{said}not the string '{unquoted}': write it without quotes" in done.stderr


def test_a_quoted_variable_rule_flag_or_length_is_refused(profiles_dir: Path) -> None:
    text = f"project: acme\nregion: us-central1\n{API}env:\n      A: {{required: 'true'}}\n"
    text += "      B: {min_length: '3'}\n      C: 3\n      D: {value: 'x', severity: warning}\n"
    (profiles_dir / "staging.yaml").write_text(text)
    done = drift("profiles", "validate", cwd=profiles_dir.parent)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "profiles/staging.yaml:6: services.api.env.A.required: expected a boolean (true or "
        "false), not the string 'true': write it without quotes",
        "profiles/staging.yaml:7: services.api.env.B.min_length: expected an integer, not the "
        "string '3': write it without quotes",
    ]  # an env value is text: an unquoted 3 is its text; a severity is its name


def test_a_bare_number_or_boolean_for_a_text_setting_is_a_profile_error_at_its_line(
    profiles_dir: Path,
) -> None:
    """`gpu_type: 3` is a number, which the schema refuses where text is taken: the row's
    parser took its text and said "1 profile valid" (fixleft70a, left undone)."""
    text = f"project: acme\nregion: us-central1\n{API}settings:\n      gpu_type: 3\n"
    text += "      vpc_network: true\n      vpc_network_tags: [web, 3]\n"
    text += "      custom_audiences: 1.5\n      vpc_subnet: '3'\n"
    (profiles_dir / "staging.yaml").write_text(text)
    done = drift("profiles", "validate", cwd=profiles_dir.parent)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "profiles/staging.yaml:6: services.api.settings.gpu_type: expected text, not 3",
        "profiles/staging.yaml:7: services.api.settings.vpc_network: expected text, not true",
        "profiles/staging.yaml:8: services.api.settings.vpc_network_tags: expected text, not 3",
        "profiles/staging.yaml:9: services.api.settings.custom_audiences: expected text or a "
        "list of text, not 1.5",
    ]  # a quoted '3' is text


QUOTED = [True, False, "true", "false", "yes", 0, 1, 3, "0", "3", 1.5, "1.5", "auto", "2s", "1"]
LISTED = [["web", 3], ["web", True], ["web", 1.5], ["web", "egress"]]


_WORKLOADS = {Kind.SERVICE: "services", Kind.JOB: "jobs", Kind.WORKER_POOL: "worker_pools"}


def _a_setting_of(key: str, value: object) -> dict[str, object]:
    """A profile giving a workload of a kind that has the setting `key` the value `value`."""
    workloads = next(w for k, w in _WORKLOADS.items() if k in FIELDS[key].kinds)
    settings = {"api": {"settings": {key: value}}}
    return {"project": "acme", "region": "us-central1", workloads: settings}


@pytest.mark.parametrize("key", list(FIELDS))
def test_the_loader_takes_no_setting_the_schema_refuses(key: str) -> None:
    """Every setting, given its documented examples and a table of values quoted and bare:
    what the schema refuses the loader refuses (the loader may refuse more: ranges). A
    quantity or a duration takes its text, as the schema says; a setting that takes text
    alone (`gpu_type: 3`, a list item `vpc_network_tags: [web, 3]`) takes no bare number or
    boolean, though its parser would take its text (fixleft70c)."""
    spec = FIELDS[key]
    for value in [*spec.examples, *QUOTED, *LISTED]:
        document = _a_setting_of(key, value)
        try:
            ProfileSpec.model_validate(document)
            loaded = True
        except ValidationError:
            loaded = False
        assert loaded <= VALIDATOR.is_valid(document), (key, value)


def test_a_settings_documented_examples_are_valid_to_both() -> None:
    for key, spec in FIELDS.items():
        for value in spec.examples:
            document = _a_setting_of(key, value)
            ProfileSpec.model_validate(document)
            assert VALIDATOR.is_valid(document), (key, value)
