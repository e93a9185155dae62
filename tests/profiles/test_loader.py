"""Profiles: inheritance, defaults, every rule form, and file:line errors for bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from drift import yamlfast
from drift.diff import diff
from drift.errors import ProfileError, UsageError
from drift.findings import Location, Severity
from drift.profiles.loader import load_profile, validate_directory
from drift.yamldoc import MAX_BYTES
from tests.cliutil import drift
from tests.livestate import plain, state, with_env
from tests.profiles.conftest import WriteProfile, assert_refused

REPO = Path(__file__).resolve().parents[2]

BASE = """
region: us-central1
defaults:
  env:
    LOG_FORMAT: json
    TESTING: {forbidden: true}
  unexpected_env: warn
services:
  api:
    settings:
      timeout: 10m
      cpu: 1000m
      memory: 1Gi
    env:
      REDIS_HOST: {required: true, not: [localhost]}
      LEVEL: {one_of: [INFO, WARNING], severity: warning}
    probe:
      websocket: /ws
      hold: 3s
  auth:
    env:
      JWT: {secret: jwt-secret}
"""

STAGING = """
extends: base
project: acme-staging
services:
  api:
    settings:
      min_instances: 1
    env:
      JWT: {secret: jwt-secret, version: 3, same_as: auth.JWT}
      DEBUG: false
      PORT_HINT: 8080
      FLAGS: {optional: true, pattern: "^[a-z,]*$"}
ignore:
  - {service: api, env: DEBUG_TOOLBAR, reason: "tracked in OPS-42", until: 2026-12-31}
"""

E2E = """
extends: staging
services:
  api:
    env:
      E2E_KEY: {secret: e2e-key}
      TESTING: null
      LEVEL: DEBUG
    probe:
      headers: {X-Test-Type: e2e}
"""


@pytest.fixture
def three(write: WriteProfile) -> None:
    write("base", BASE)
    write("staging", STAGING)
    write("e2e", E2E)


def test_extends_merges_maps_and_keeps_lines(three: None, profiles_dir: Path) -> None:
    profile = load_profile(profiles_dir, "e2e")
    assert (profile.project, profile.region) == ("acme-staging", "us-central1")
    api = profile.services["api"]
    # defaults merged into every service, with the line of the defaults block
    assert api.env["LOG_FORMAT"].value == "json"
    assert api.env["LOG_FORMAT"].location == Location("profiles/base.yaml", 4)
    assert profile.services["auth"].env["LOG_FORMAT"].value == "json"
    # null removes an inherited rule (here: one that came from defaults)
    assert "TESTING" not in api.env
    assert profile.services["auth"].env["TESTING"].forbidden
    # a variable's rule is replaced as a whole: no one_of/severity left from base
    level = api.env["LEVEL"]
    assert (level.value, level.one_of, level.severity) == ("DEBUG", (), Severity.ERROR)
    assert level.location == Location("profiles/e2e.yaml", 7)
    # maps merge recursively: settings from base and staging, probe from base and e2e
    assert {k: s.value for k, s in api.settings.items()} == {
        "timeout": "600s",
        "cpu": "1000m",
        "memory": str(2**30),
        "min_instances": 1,
    }
    assert api.settings["min_instances"].location == Location("profiles/staging.yaml", 6)
    assert api.probe is not None
    assert (api.probe.path, api.probe.hold, api.probe.headers) == (
        "/ws",
        3.0,
        (("X-Test-Type", "e2e"),),
    )
    assert api.unexpected_env == "warn"


def test_every_rule_form(three: None, profiles_dir: Path) -> None:
    api = load_profile(profiles_dir, "staging").services["api"]
    jwt = api.env["JWT"]
    assert (jwt.secret, jwt.version, jwt.same_as) == ("jwt-secret", "3", ("auth", "JWT"))
    assert jwt.must_exist and jwt.needs_value
    assert api.env["DEBUG"].value == "false"  # unquoted YAML scalars are env text
    assert api.env["PORT_HINT"].value == "8080"
    flags = api.env["FLAGS"]
    assert flags.optional and not flags.must_exist and flags.pattern == "^[a-z,]*$"
    redis = api.env["REDIS_HOST"]
    assert redis.must_exist and redis.not_values == ("localhost",)
    assert api.env["LEVEL"].one_of == ("INFO", "WARNING")
    assert api.env["LEVEL"].severity is Severity.WARNING
    assert api.env["TESTING"].forbidden and not api.env["TESTING"].must_exist


def test_ignore_entries(three: None, profiles_dir: Path) -> None:
    (ignore,) = load_profile(profiles_dir, "staging").ignores
    assert ignore.service == "api" and ignore.target == "env.DEBUG_TOOLBAR"
    assert ignore.until == dt.date(2026, 12, 31) and ignore.reason == "tracked in OPS-42"
    assert ignore.location == Location("profiles/staging.yaml", 13)
    assert ignore.expired(dt.date(2027, 1, 1)) and not ignore.expired(dt.date(2026, 12, 31))


def test_shipped_profiles_are_valid() -> None:
    names, problems = validate_directory(REPO / "profiles")
    assert problems == []
    assert names == ["base", "e2e", "staging"]
    e2e = load_profile(REPO / "profiles", "e2e")
    assert set(e2e.services) == {"api", "auth", "web"}
    assert e2e.services["api"].env["E2E_OAUTH_SIMULATION_KEY"].secret == (
        "e2e-oauth-simulation-key-staging"
    )
    assert (
        "E2E_OAUTH_SIMULATION_KEY"
        not in load_profile(REPO / "profiles", "staging").services["api"].env
    )


def test_variable_names_cloud_run_takes(tmp_path: Path) -> None:
    """Cloud Run runs with `my-var`, `a.b`, `lower` (not POSIX shell names): a profile names
    them, and `same_as` refers to them."""
    (tmp_path / "staging.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      my-var: x\n"
        "      a.b: {same_as: web.my.var}\n  web:\n    env:\n      my.var: y\n"
    )
    api = load_profile(tmp_path, "staging").services["api"]
    assert api.env["my-var"].value == "x" and api.env["a.b"].same_as == ("web", "my.var")


def _problems(profiles_dir: Path, env: str = "staging") -> list[str]:
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, env)
    return [str(p) for p in caught.value.problems]


BAD_INPUT = [
    pytest.param(
        "project: p\nregion: us-central1\n"
        "services:\n  api: {}\nignore:\n  - {reason: OPS-1 temporary}\n",
        "profiles/staging.yaml:6: ignore.0: an ignore names one service, job or worker_pool",
        id="ignore-naming-nothing",  # it silenced every finding of the environment
    ),
    pytest.param(
        "project: p\nregion: us-central1\n"
        "services:\n  api: {}\nignore:\n  - {service: api, reason: x}\n",
        "profiles/staging.yaml:6: ignore.0: an ignore names what it silences",
        id="ignore-naming-only-a-service",
    ),
    pytest.param(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env: {A: [unclosed\n",
        "profiles/staging.yaml:5: invalid YAML",
        id="malformed-yaml",
    ),
    pytest.param(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      A: {secert: x}\n",
        "profiles/staging.yaml:6: unknown key 'secert' (did you mean 'secret'?)",
        id="unknown-key-did-you-mean",
    ),
    pytest.param(  # helper-602 F10: an enum's own wording, as a literal's ("Input should be …")
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
        "      A: {required: true, severity: fatal}\n",
        "profiles/staging.yaml:6: services.api.env.A.severity: expected 'error', 'warning' or "
        "'info', not 'fatal'",
        id="enum-value",
    ),
    pytest.param(  # helper-606 F5: a value that looks like an allowed one, escaped
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
        "      A: {required: true, severity: \u0435rror}\n",
        "profiles/staging.yaml:6: services.api.env.A.severity: expected 'error', 'warning' or "
        "'info', not '\\u0435rror'",
        id="enum-value-look-alike",
    ),
    # helper-602 F3: a key a screen shows like another is shown escaped, and said so
    pytest.param(
        "project: p\nregion: us-central1\nservices:\n  api:\n    settings: {timeout\u00a0: 5s}\n",
        "profiles/staging.yaml:5: unknown key 'timeout\\xa0' (did you mean 'timeout'? the "
        "names differ only in characters that look alike, shown escaped)",
        id="unknown-key-no-break-space",
    ),
    pytest.param(
        "proj\u0435ct: p\nregion: us-central1\nservices:\n  api: {}\n",
        "profiles/staging.yaml:1: unknown key 'proj\\u0435ct' (did you mean 'project'? the "
        "names differ only in characters that look alike, shown escaped)",
        id="unknown-key-cyrillic-letter",
    ),
    pytest.param(  # indentation pasted from a web page: no-break spaces, not spaces
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n" + "\u00a0" * 6 + "A: b\n",
        "profiles/staging.yaml:6: unknown key '\\xa0\\xa0\\xa0\\xa0\\xa0\\xa0A' "
        "(it begins with white space that is not a space: YAML indents with spaces)",
        id="unknown-key-indented-with-no-break-spaces",
    ),
    pytest.param(
        "project: p\nregion: us-central1\nservices:\n  api:\n    setings: {timeout: 5s}\n",
        "profiles/staging.yaml:5: unknown key 'setings' (did you mean 'settings'?)",
        id="unknown-service-key",
    ),
    pytest.param(
        "project: p\nregion: us-central1\n"
        "services:\n  api:\n    settings:\n      min_instances: lots\n",
        "profiles/staging.yaml:6: services.api.settings.min_instances: expected an integer, "
        "not the string 'lots'",
        id="wrong-type",
    ),
    pytest.param(
        "project: p\nregion: us-central1\n"
        "services:\n  api:\n    env:\n      A: {pattern: '(unclosed'}\n",
        "profiles/staging.yaml:6: services.api.env.A.pattern: invalid regular expression",
        id="invalid-regex",
    ),
    pytest.param(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      B: x\n"
        "      A: {same_as: api.C}\n",
        "profiles/staging.yaml:7: api.A: same_as names api.C, which the profile does not define",
        id="same-as-unknown-variable",
    ),
    pytest.param(
        "extends: bsae\nproject: p\nregion: us-central1\n",
        "profiles/staging.yaml:1: extends 'bsae': no bsae.yaml in profiles",
        id="extends-missing",
    ),
    pytest.param(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      A: x\n      A: y\n",
        "profiles/staging.yaml:7: invalid YAML: duplicate key",
        id="duplicate-key",
    ),
    pytest.param(  # helper-517: no value is one of none, and it read as no rule (clean)
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
        "      REDIS_HOST: {one_of: []}\n",
        "profiles/staging.yaml:6: services.api.env.REDIS_HOST.one_of: [] allows no value: list "
        "the values it may hold",
        id="one-of-empty",
    ),
    pytest.param(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
        "      A: {forbidden: true, required: true}\n",
        "profiles/staging.yaml:6: services.api.env.A: a forbidden variable cannot also have "
        "required",
        id="forbidden-and-required",
    ),
    pytest.param(
        "project: p\nregion: us-central1\nservices: {api: {}}\nignore:\n"
        "  - {service: api, env: A, reason: r, until: 'next week'}\n",
        "profiles/staging.yaml:5: ignore.0.until: until must be a date (YYYY-MM-DD), got "
        "'next week'",
        id="until-not-a-date",
    ),
    pytest.param(
        "project: p\nregion: us-central1\nservices: {api: {}}\nignore:\n"
        "  - {service: api, env: A, reason: r, until: 2026-02-30}\n",
        "profiles/staging.yaml:5: ignore.0.until: until must be a date (YYYY-MM-DD), got "
        "'2026-02-30': not a day that exists (February 2026 has 28 days)",
        id="until-impossible-date",
    ),
    pytest.param(
        "region: us-central1\nservices: {api: {}}\n",
        "profiles/staging.yaml:1: project is not set",
        id="project-missing",
    ),
    pytest.param(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      A: 1.10\n",
        'profiles/staging.yaml:6: services.api.env.A: write "1.10" in quotes, or "1.1" '
        "(the number it reads): a variable's value is text",
        id="float-value",
    ),
    pytest.param(
        "project: p\nregion: us-central1\n"
        "services:\n  api:\n    env:\n      A: 8080\n      B: 01234\n",
        "profiles/staging.yaml:7: write 01234 in quotes: as a YAML number it reads 1234",
        id="leading-zero-value",
    ),
    pytest.param(
        "project: p\nregion: us-central1\n"
        "services:\n  api:\n    env:\n      A: {value: x, secret: s}\n",
        "profiles/staging.yaml:6: services.api.env.A: a variable is either a plain value or a "
        "secret, not both",
        id="value-and-secret",
    ),
    pytest.param(
        "project: p\nregion: us-central1\nservices:\n  Api_Bad: {}\n",
        "profiles/staging.yaml:3: services: not a Cloud Run service name: 'Api_Bad'",
        id="bad-service-name",
    ),
    pytest.param(
        "project: p\nregion: us-central1\ndefaults:\n  env:\n    X_GOOGLE_MODE: x\n",
        "profiles/staging.yaml:5: defaults.env.X_GOOGLE_MODE: not an environment variable name: "
        "'X_GOOGLE_MODE' (Cloud Run takes any name that is not empty, holds no '=' nor NUL, "
        "does not start with X_GOOGLE_",
        id="bad-variable-name-in-defaults",
    ),
    pytest.param(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      ok: x\n      A=B: x\n",
        "profiles/staging.yaml:7: services.api.env.A=B: not an environment variable name",
        id="variable-name-with-equals",
    ),
    pytest.param(
        "project: p\nregion: us-central1\n"
        "services:\n  api:\n    env:\n      A: {same_as: web.X_GOOGLE_A}\n",
        "profiles/staging.yaml:6: services.api.env.A.same_as: not an environment variable name",
        id="same-as-bad-variable-name",
    ),
    *(
        pytest.param(
            f"project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      A: {{secret: s, "
            f"version: {version}}}\n",
            f"profiles/staging.yaml:6: services.api.env.A.version: not a secret version: {shown}",
            id=f"version-{version}",
        )
        for version, shown in (
            ('"latest "', "'latest '"),
            ('"-1"', "'-1'"),
            ("0", "'0'"),
            ("Latest", "'Latest'"),
            ("NEW", "'NEW'"),
            ('"1e3"', "'1e3'"),
            ("3-alias", "'3-alias'"),
        )
    ),
    pytest.param(
        "project: p\nregion: us-central1\nservices:\n  api:\n    mounts:\n      /etc/c: "
        "{secret: s, version: ' 2'}\n",
        "profiles/staging.yaml:6: services.api.mounts./etc/c.version: not a secret version: ' 2'",
        id="mount-version",
    ),
    pytest.param(
        "- just\n- a list\n",
        "profiles/staging.yaml:1: a profile must be a mapping of keys",
        id="not-a-mapping",
    ),
    pytest.param(  # a key the profile quotes: its line break shown, never a line of its own
        "project: p\nregion: us-central1\nservices:\n  api:\n    settings:\n"
        '      "x\\n::error::F": 1\n',
        "profiles/staging.yaml:6: unknown key 'x\\n::error::F'; expected one of:",
        id="unknown-key-with-a-line-break",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_INPUT)
def test_bad_input_names_file_and_line(
    write: WriteProfile, profiles_dir: Path, text: str, expected: str
) -> None:
    write("staging", text)
    problems = _problems(profiles_dir)
    assert any(p.startswith(expected) for p in problems), problems


def test_extends_cycle(write: WriteProfile, profiles_dir: Path) -> None:
    write("a", "extends: b\nproject: p\nregion: us-central1\n")
    write("b", "extends: a\n")
    problems = _problems(profiles_dir, "a")
    assert problems == ["profiles/b.yaml:1: extends cycle: a -> b -> a"]


def test_error_in_extended_file_points_at_that_file(
    write: WriteProfile, profiles_dir: Path
) -> None:
    write("base", "services:\n  api:\n    env:\n      A: {one_of: x}\n")
    write("staging", "extends: base\nproject: p\nregion: us-central1\n")
    problems = _problems(profiles_dir)
    assert problems[0].startswith("profiles/base.yaml:4: services.api.env.A.one_of:")


def test_all_problems_reported_at_once(write: WriteProfile, profiles_dir: Path) -> None:
    write(
        "staging",
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      A: {secert: x}\n"
        "      B: {one_of: 3}\n",
    )
    problems = _problems(profiles_dir)
    assert [p.split(":")[1] for p in problems] == ["6", "7"]


def test_missing_environment_is_usage_error(write: WriteProfile, profiles_dir: Path) -> None:
    write("staging", "project: p\nregion: us-central1\n")
    with pytest.raises(UsageError, match=r"no profile for environment 'prod'.*available: staging"):
        load_profile(profiles_dir, "prod")
    with pytest.raises(UsageError, match="not an environment name"):
        load_profile(profiles_dir, "../etc/passwd")


def test_a_path_or_an_empty_directory_gets_the_next_step(
    write: WriteProfile, profiles_dir: Path
) -> None:
    """revdocs60 F6: a profile's path given as the environment is answered with the name to
    give; an empty profiles directory, as a missing one, with `drift init`."""
    with pytest.raises(UsageError) as empty:
        load_profile(profiles_dir, "staging")
    assert "available: none" in empty.value.message and "drift init staging --from-live" in str(
        empty.value.hint
    )
    write("staging", "project: p\nregion: us-central1\n")
    for given, named in (
        ("profiles/staging.yaml", "without .yaml: staging"),
        ("staging.yaml", "without .yaml: staging"),
        ("ops/staging.yaml", "staging (with --profiles ops, the directory it is in)"),
    ):
        with pytest.raises(UsageError, match="not an environment name") as err:
            load_profile(Path("profiles"), given)
        assert str(err.value.hint).endswith(named), err.value.hint


def test_probe_without_path_after_merge(write: WriteProfile, profiles_dir: Path) -> None:
    write("staging", "project: p\nregion: us-central1\nservices:\n  api:\n    probe: {hold: 1s}\n")
    assert _problems(profiles_dir) == [
        "profiles/staging.yaml:5: api: probe.websocket (the path to probe) is not set"
    ]


def test_validate_directory_treats_extended_files_as_bases(three: None, profiles_dir: Path) -> None:
    names, problems = validate_directory(profiles_dir)
    assert names == ["base", "e2e", "staging"] and problems == []


def test_enormous_and_deep_documents_are_refused(write: WriteProfile, profiles_dir: Path) -> None:
    write("staging", "a: " + "[" * 100 + "]" * 100 + "\n")
    assert "nested deeper than" in _problems(profiles_dir)[0]
    (profiles_dir / "staging.yaml").write_text("# " + "x" * (MAX_BYTES + 1))
    assert "the limit is" in _problems(profiles_dir)[0]


def test_duplicate_key_message_never_echoes_values(write: WriteProfile, profiles_dir: Path) -> None:
    write(
        "staging",
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
        "      A: first-value\n      A: second-value\n",
    )
    (problem,) = _problems(profiles_dir)
    # helper-602 F10: with the line of the first, which is kept
    assert problem == 'profiles/staging.yaml:7: invalid YAML: duplicate key "A" (first at line 6)'


@pytest.mark.parametrize("reference", [False, True], ids=["libyaml", "reference"])
def test_a_duplicate_key_written_as_an_alias_is_said_at_the_alias(
    write: WriteProfile, profiles_dir: Path, monkeypatch: pytest.MonkeyPatch, reference: bool
) -> None:
    # An alias is its anchor's node: the duplicate is line 8 (`*k : y`), not the anchor's 7.
    if reference:
        monkeypatch.setattr(yamlfast, "available", lambda: False)
    write(
        "staging",
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
        "      A: x\n      &k B: x\n      *k : y\n",
    )
    assert _problems(profiles_dir) == [
        'profiles/staging.yaml:8: invalid YAML: duplicate key "B" (first at line 7)'
    ]


def test_secret_versions_a_profile_may_name(write: WriteProfile, profiles_dir: Path) -> None:
    """`latest`, a number (quoted or not) or an alias Secret Manager would accept."""
    versions = {"A": "latest", "B": "3", "C": 12, "D": "prod_2026-q1", "E": "x" * 63}
    env = "".join(f"      {k}: {{secret: s, version: {v!r}}}\n" for k, v in versions.items())
    write("staging", f"project: p\nregion: us-central1\nservices:\n  api:\n    env:\n{env}")
    api = load_profile(profiles_dir, "staging").services["api"]
    assert {k: str(r.ref.version) for k, r in api.env.items() if r.ref} == {
        k: str(v) for k, v in versions.items()
    }


def test_validate_says_which_profile_a_base_problem_comes_from(tmp_path: Path) -> None:
    """A problem of a base that only shows merged into the profiles extending it names them
    and the line there that made it (revmulti 4: a `same_as` to a variable a child removes);
    a base named with its suffix is still a base (no `project is not set`)."""
    (tmp_path / "base.yaml").write_text(
        "services:\n  api:\n    env:\n      X: '1'\n  auth:\n    env:\n      Y: {same_as: api.X}\n"
    )
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(
            "extends: base\nproject: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
            "      X: null\n"
        )
    (tmp_path / "c.yaml").write_text("extends: base.yaml\nproject: p\nregion: us-central1\n")
    _, problems = validate_directory(tmp_path)
    shown = [str(p).replace(str(tmp_path), "D") for p in problems]
    assert [s.split(": ", 1)[1] for s in shown] == [
        f"auth.Y: same_as names api.X, which the `null` at D/{name}.yaml:7 removes (as merged "
        f"into {name})"
        for name in ("a", "b")
    ] + [
        "extends 'base.yaml': no base.yaml.yaml in D (available: a, b, base, c; write extends: "
        "base, without the suffix)",
    ]


def test_same_as_may_name_a_service_the_profile_does_not_describe(
    write: WriteProfile, profiles_dir: Path
) -> None:
    """SPEC §Profiles' own example: `same_as: auth.JWT_SECRET_STAGING` in a profile that
    describes only api. auth is read to compare with (drift.diff.same_as.to_read)."""
    write(
        "staging",
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
        "      JWT_SECRET_STAGING:\n"
        "        {secret: jwt-secret-staging, same_as: auth.JWT_SECRET_STAGING}\n",
    )
    profile = load_profile(profiles_dir, "staging")
    assert list(profile.services) == ["api"]
    rule = profile.services["api"].env["JWT_SECRET_STAGING"]
    assert rule.same_as == ("auth", "JWT_SECRET_STAGING")
    assert profile.notes == ()  # nothing like auth is described: nothing to say


def test_a_same_as_outside_the_profile_is_a_service_name_and_a_typo_is_said(
    write: WriteProfile, profiles_dir: Path
) -> None:
    """revown16 5: `same_as: auht.JWT_SECRET` beside an `auth` the profile describes passed
    `profiles validate` without a word (read at check time as a service outside the profile,
    exit 3). One letter from a described workload, it is said with "did you mean auth?", a
    note (`api2` beside `api` is a real pair); a name Cloud Run never gives a service is an
    error at its line."""
    write(
        "prod",
        "project: acme\nregion: us-central1\nservices:\n  auth:\n    env:\n"
        "      JWT_SECRET: {required: true}\n  api:\n    env:\n"
        "      JWT_SECRET: {same_as: auht.JWT_SECRET}\n",
    )
    note = (
        "profiles/prod.yaml:9: api.JWT_SECRET: same_as names auht, a service the profile does "
        "not describe (read from the project to compare with); did you mean auth?"
    )
    assert load_profile(profiles_dir, "prod").notes == (note,)
    done = drift("profiles", "validate", cwd=profiles_dir.parent)
    assert done.returncode == 0 and note.replace(": api", ": note: api", 1) in done.stderr

    write(
        "prod",
        "project: acme\nregion: us-central1\nservices:\n  api:\n    env:\n"
        "      X: {same_as: a-.X}\n",
    )
    problem = (
        "profiles/prod.yaml:6: api.X: same_as names 'a-': not a workload the profile "
        "describes, nor a Cloud Run service name (lowercase letters, digits and hyphens, "
        "starting with a letter, not ending with a hyphen, at most 63 characters)"
    )
    assert_refused(profiles_dir, "prod", problem)


BATCH = "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      BATCH_SIZE: {}\n"
"""A profile whose one variable's value is written `{}`."""


def _float_problem(profiles_dir: Path, written: str) -> str:
    """The one problem of a profile giving BATCH_SIZE the YAML value `written`."""
    (profiles_dir / "staging.yaml").write_text(BATCH.format(written))
    with pytest.raises(ProfileError) as caught:
        load_profile(profiles_dir, "staging")
    (problem,) = [str(p) for p in caught.value.problems]
    return problem


@pytest.mark.parametrize(
    ("written", "quoted"),
    [  # the number it reads is not the one written, or hundreds of digits (revleak63 F5)
        ("12345678901234567.0", '"12345678901234567.0"'),  # read as ...568
        ("12345678901234567890123.5", '"12345678901234567890123.5"'),
        ("5e-324", '"5e-324"'),
        ("1e-320", '"1e-320"'),
        ("0.1e-5000000", '"0.1e-5000000"'),  # read as 0
        ("1." + "0" * 100_000 + "1", f"{'1.' + '0' * 28!r}… (100003 characters)"),
    ],
)
def test_a_float_value_is_offered_as_a_number_only_when_it_is_the_one_written(
    profiles_dir: Path, written: str, quoted: str
) -> None:
    problem = _float_problem(profiles_dir, written)
    assert problem.endswith(f"write {quoted} in quotes: a variable's value is text"), problem


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("1e2", "100"),
        ("100.0", "100"),
        ("1_00.0", "100"),
        # at any size, in decimal digits, never repr's `1e-07` or `.0` (revown62b F6)
        ("1e15", "1000000000000000"),
        ("1e20", "100000000000000000000"),
        ("1e-7", "0.0000001"),
        ("-2.50e-3", "-0.0025"),
    ],
)
def test_a_float_value_is_refused_with_advice_that_followed_gives_no_drift(
    profiles_dir: Path, written: str, number: str
) -> None:
    """`BATCH_SIZE: 1e2` was "write the number 100.0 in quotes": not what the user wrote, and
    "100.0" then drifts from a live "100" (revfirst62 F5). The advice quotes the text written
    and the number it reads; the number, followed, checks clean against a live 100."""
    problem = _float_problem(profiles_dir, written)
    assert f'write "{written}" in quotes, or "{number}" (the number it reads)' in problem, problem
    advised = problem.split(', or "')[1].split('"')[0]
    (profiles_dir / "staging.yaml").write_text(BATCH.format(f'"{advised}"'))  # followed
    live = state(with_env(BATCH_SIZE=plain("BATCH_SIZE", number)))
    found = diff(load_profile(profiles_dir, "staging"), ["api"], live, dt.date(2026, 12, 1))
    assert not [f for f in found if f.target == "env.BATCH_SIZE"], found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # one tag written without a list: pydantic said it twice, naming its union's members
            "check_tags: e2e\nservices:\n  api: {}\n",
            "3: check_tags: expected 'all' or 'none' or a list, not the string 'e2e'",
        ),
        (
            "check_tags: '[e2e]'\nservices:\n  api: {}\n",
            "3: check_tags: expected 'all' or 'none' or a list, not the string '[e2e]': write it "
            "without quotes",
        ),
        (  # a list: what is wrong inside it, at the profile's own path
            "check_tags: [E2E]\nservices:\n  api: {}\n",
            "3: check_tags.0: 'E2E' is no traffic tag Cloud Run has (a tag is part of its URL's "
            "DNS label: lowercase letters, digits and '-', starting with a letter); did you mean "
            "'e2e'?",
        ),
        (
            "services:\n  api:\n    probe:\n      websocket: /ws\n      subprotocols: jwt.x\n",
            "7: services.api.probe.subprotocols: expected a list, not the string 'jwt.x'",
        ),
        (
            "services:\n  api:\n    probe:\n      websocket: /ws\n      send: 1\n",
            "7: services.api.probe.send: expected a string, not 1",
        ),
        (
            "services:\n  api:\n    container: 3\n",
            "5: services.api.container: expected a string, not 3",
        ),
        ("extends: 3\nservices:\n  api: {}\n", "3: extends: expected a string, not 3"),
        (
            "services:\n  api: {}\nignore:\n  - {service: api, env: A, reason: 5}\n",
            "6: ignore.0.reason: expected a string, not 5",
        ),
        (
            "services:\n  api:\n    env: [1]\n",
            "5: services.api.env: expected a mapping, not a list",
        ),
        (  # helper-517: "Input should be a valid dictionary or instance of VarRuleSpec"
            "services:\n  api:\n    env:\n      REDIS_HOST: [1, 2]\n",
            "6: services.api.env.REDIS_HOST: expected a value (text, an integer or a boolean) or "
            "rules, not a list",
        ),
        (  # said once, in a profile's words: not once per member of `str | PatternSpec`
            "services:\n  api:\n    settings:\n      image: [a]\n",
            "6: services.api.settings.image: expected a string or a mapping, not a list",
        ),
        (  # helper-517: the pattern's own error, and "image.str: expected a string" beside it
            'services:\n  api:\n    settings:\n      image: {pattern: "("}\n',
            "6: services.api.settings.image.pattern: invalid regular expression '(': missing ): "
            "( (RE2 syntax: no look-around or back-references)",
        ),
        (  # revown71 F3: the value quoted back held the password within its first 40 characters
            "services:\n  api:\n    env: 'DATABASE_URL=postgres://app:Pw9Kx7RtQ2@db.internal/a'\n",
            "5: services.api.env: expected a mapping, not the string '***'",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_one_line_in_the_profiles_words(
    write: WriteProfile, profiles_dir: Path, text: str, expected: str
) -> None:
    """revown70 F3: lists, strings and mappings as booleans and integers are (`wrong_type`), at
    the path the profile writes (never `check_tags.list[function-after[check_tag(), str]]`)."""
    write("staging", "project: p\nregion: us-central1\n" + text)
    assert_refused(profiles_dir, "staging", f"profiles/staging.yaml:{expected}")


def test_a_secret_file_may_hold_a_colon_its_mount_path_may_not(tmp_path: Path) -> None:
    """VolumeMount.mount_path "Must not contain ':'"; an item's path may (`tls:cert.pem`): a
    profile refusing it stopped `init --from-live` for the whole project (helper-586 F1)."""
    (tmp_path / "staging.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    mounts:\n"
        "      /etc/certs/tls:cert.pem: {secret: s}\n"
    )
    profile = load_profile(tmp_path, "staging")
    assert "/etc/certs/tls:cert.pem" in profile.services["api"].main.mounts
    (tmp_path / "staging.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    mounts:\n"
        "      /etc:certs/tls.pem: {secret: s}\n"
    )
    with pytest.raises(ProfileError, match="not an absolute mount path: '/etc:certs/tls.pem'"):
        load_profile(tmp_path, "staging")
