"""The JSON Schema editors read (`drift profiles schema`) says what the loader says, for the
forms the docs give and the refusals a schema can state (revcomp67 F1). What a schema cannot
state simply (an RE2 pattern that does not compile, rules that contradict each other) is the
loader's alone."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from drift.errors import ProfileError
from drift.profiles.loader import load_profile
from drift.profiles.spec import json_schema

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
    assert "profiles/base.yaml" in texts and "hold: 2s" in texts["profiles/base.yaml"]
    refused = {
        name: [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]
        for name, text in texts.items()
        for document in [yaml.load(text, Loader=_AsAnEditorReads)]  # a SafeLoader
    }
    assert not any(refused.values()), {name: errors for name, errors in refused.items() if errors}
