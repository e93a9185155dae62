"""Hostile input to the profile and scenario loaders: arbitrary text, arbitrary YAML
documents and arbitrary values in otherwise valid files always end in a result or one clear
located error — never a traceback or a hang. Enormous, deeply nested and alias-bomb documents
are refused with a message; profile regexes run on RE2, so a catastrophic pattern cannot
stall a check."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drift.errors import DriftError, InputError, ProfileError
from drift.profiles.loader import load_profile, validate_directory
from drift.sandbox import Sandbox
from drift.sandbox.scenario import load_scenario
from drift.sandbox.seed import build_world
from drift.yamldoc import MAX_BYTES, MAX_DEPTH, MAX_NODES
from tests.cliutil import drift
from tests.reliability.conftest import SCENARIO

# modest by default; HYPOTHESIS_PROFILE=explore (500 examples) searches further
_CONFIGURED = settings().max_examples
EXAMPLES = settings(
    max_examples=min(60, _CONFIGURED) if _CONFIGURED <= 100 else _CONFIGURED,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
PROFILE_WORDS = [
    "project", "region", "extends", "defaults", "services", "env", "settings", "probe",
    "ignore", "unexpected_env", "container", "value", "secret", "version", "required",
    "optional", "forbidden", "pattern", "not", "one_of", "min_length", "same_as", "severity",
    "timeout", "min_instances", "max_instances", "cpu", "memory", "ingress", "websocket",
    "subprotocols", "headers", "auth", "hold", "send", "expect", "service", "reason", "until",
    "api", "auth", "web", "API_KEY", "base",
]  # fmt: skip
SCENARIO_WORDS = [
    "options", "seed", "latency_ms", "projects", "number", "region", "iam", "secrets",
    "versions", "value", "state", "aliases", "services", "template", "image", "env", "secret",
    "version", "history", "traffic", "revision", "percent", "tag", "backend", "path",
    "require", "faults", "method", "code", "rate", "first_n", "failed", "rel-project", "api",
]  # fmt: skip
VALID_PROFILE = {
    "project": "rel-project",
    "region": "us-central1",
    "defaults": {"env": {"LOG": "info"}, "unexpected_env": "warn"},
    "services": {
        "api": {
            "settings": {"timeout": "60s", "min_instances": 1, "cpu": "1", "memory": "512Mi"},
            "env": {
                "MODE": "live",
                "JWT": {"secret": "jwt", "version": "2"},
                "KEY": {"secret": "key", "min_length": 32, "severity": "warning"},
                "URL": {"pattern": "^https://", "not": ["http://x"], "optional": True},
                "SAME": {"same_as": "auth.JWT"},
            },
            "probe": {"websocket": "/ws", "subprotocols": ["jwt.${T}"], "hold": "1s"},
        },
        "auth": {"env": {"JWT": {"secret": "jwt"}}},
    },
    "ignore": [{"service": "api", "env": "MODE", "reason": "r", "until": "2030-01-01"}],
}


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=30),
        st.sampled_from(["", "null", "~", "yes", "1e3", "0x1f", "2026-13-45", "${X}", "(a+)+$"]),
    )


_BUILT: dict[int, st.SearchStrategy[Any]] = {}


def documents(words: list[str]) -> st.SearchStrategy[Any]:
    """Built once for each list of words: a new recursive strategy at each draw is validated
    whole on its first draw, again and again."""
    if id(words) not in _BUILT:
        _BUILT[id(words)] = _documents(words)
    return _BUILT[id(words)]


def _documents(words: list[str]) -> st.SearchStrategy[Any]:
    keys = st.one_of(st.sampled_from(words), st.text(max_size=12))
    return st.recursive(
        scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)
        ),
        max_leaves=25,
    )


def dumps(data: Any) -> str:
    """JSON, which is YAML (with real characters: JSON's surrogate pair escapes are two
    unpaired surrogates in YAML, tested on their own below)."""
    return json.dumps(data, ensure_ascii=False)


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and item path of a document."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += paths(value, (*prefix, i))
    return found


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(data)
    holder = out
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = value
    return out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def profile_outcome(directory: Path, text: str | bytes) -> None:
    """Load `text` as a profile: a profile, or one clear located error — nothing else."""
    path = directory / "env.yaml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    for stale in directory.glob("*.yaml"):
        if stale != path:
            stale.unlink()
    try:
        load_profile(directory, "env")
    except ProfileError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file.endswith("env.yaml") and problem.line >= 1
            assert problem.message and "Traceback" not in problem.message
            assert "Value error" not in problem.message  # pydantic's prefix, not ours
    except DriftError as exc:  # e.g. the profile extends a file that is not there
        assert exc.message
    names, problems = validate_directory(directory)
    assert names == ["env"]
    assert all(p.line >= 1 for p in problems)


def scenario_outcome(directory: Path, text: str | bytes) -> None:
    """Load `text` as a scenario: a scenario the sandbox can seed, or one clear error."""
    path = directory / "scenario.yaml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    try:
        scenario = load_scenario(path)
    except InputError as exc:
        assert exc.problems and all(p.line >= 1 and p.message for p in exc.problems)
        return
    build_world(scenario)  # what validated can be seeded


@EXAMPLES
@given(st.one_of(st.text(), st.binary()))
def test_arbitrary_text_as_a_profile(workdir: Path, text: str | bytes) -> None:
    profile_outcome(workdir, text)


@EXAMPLES
@given(documents(PROFILE_WORDS))
def test_arbitrary_documents_as_a_profile(workdir: Path, doc: Any) -> None:
    profile_outcome(workdir, dumps(doc))


@EXAMPLES
@given(st.data())
def test_arbitrary_values_in_a_valid_profile(workdir: Path, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(paths(VALID_PROFILE)))
    value = data.draw(documents(PROFILE_WORDS))
    profile_outcome(workdir, dumps(replaced(VALID_PROFILE, path, value)))


def test_the_valid_profile_is_valid(workdir: Path) -> None:
    (workdir / "env.yaml").write_text(dumps(VALID_PROFILE))
    assert load_profile(workdir, "env").services["api"].env["KEY"].min_length == 32


@EXAMPLES
@given(st.one_of(st.text(), st.binary()))
def test_arbitrary_text_as_a_scenario(workdir: Path, text: str | bytes) -> None:
    scenario_outcome(workdir, text)


@EXAMPLES
@given(documents(SCENARIO_WORDS))
def test_arbitrary_documents_as_a_scenario(workdir: Path, doc: Any) -> None:
    scenario_outcome(workdir, dumps(doc))


@EXAMPLES
@given(st.data())
def test_arbitrary_values_in_a_valid_scenario(workdir: Path, data: st.DataObject) -> None:
    from ruamel.yaml import YAML

    valid = YAML(typ="safe", pure=True).load(SCENARIO.read_text())
    path = data.draw(st.sampled_from(paths(valid)))
    value = data.draw(documents(SCENARIO_WORDS))
    scenario_outcome(workdir, dumps(replaced(valid, path, value)))


# Documents that are unsafe to read whole: refused with a message, quickly.
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)
HOSTILE = {
    "enormous": ("project: p\n# " + "x" * MAX_BYTES + "\n", "the limit is"),
    "deep-mapping": ("a:\n" + "".join(" " * i + "a:\n" for i in range(1, 40)) + " " * 40 + "1\n",
                     f"nested deeper than {MAX_DEPTH} levels"),
    "deep-flow": ("[" * 100 + "]" * 100, f"nested deeper than {MAX_DEPTH} levels"),
    "very-deep-flow": ("[" * 10_000 + "]" * 10_000, f"nested deeper than {MAX_DEPTH} levels"),
    # said at the line of the 101st `[` (the scanner stops there, drift.yamlruamel)
    "deep-flow-lines": ("[\n" * 150 + "]" * 150, f":101: nested deeper than {MAX_DEPTH} levels"),
    # indented 1,200 levels deep: the composer's recursion overflowed ("invalid YAML: maximum
    # recursion depth exceeded", at line 1); said at the first node past 32, as 40 levels are
    "deep-block-lines": ("".join(" " * i + "a:\n" for i in range(1200)) + " " * 1200 + "1\n",
                         f":34: nested deeper than {MAX_DEPTH} levels"),
    "deep-block-150": ("".join(" " * i + "a:\n" for i in range(150)) + " " * 150 + "1\n",
                       f":34: nested deeper than {MAX_DEPTH} levels"),
    "deep-block-40": ("".join(" " * i + "a:\n" for i in range(40)) + " " * 40 + "1\n",
                      f":34: nested deeper than {MAX_DEPTH} levels"),
    "alias-bomb": (BOMB, f"more than {MAX_NODES} YAML nodes"),
    "recursive-alias": ("a: &a [*a]\n", f"nested deeper than {MAX_DEPTH} levels"),
    "merge-key": ("base: &b {x: 1}\nproject: {<<: *b}\n", "unsupported key"),
    "python-tag": ("project: !!python/object/apply:os.system [echo hi]\n", "unsupported YAML tag"),
    "binary-tag": ("project: !!binary aGVsbG8=\n", "unsupported YAML tag"),
    "not-utf8": ("project: \udcff\n", "not UTF-8"),
    "unpaired-surrogate": ('project: "\\ud800"\n', "unpaired surrogate"),
}  # fmt: skip


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_unsafe_documents_are_refused(workdir: Path, name: str) -> None:
    text, message = HOSTILE[name]
    raw = text.encode("utf-8", errors="surrogateescape")
    for loader in ("profile", "scenario"):
        path = workdir / ("env.yaml" if loader == "profile" else "scenario.yaml")
        path.write_bytes(raw)
        with pytest.raises(InputError) as caught:
            if loader == "profile":
                load_profile(workdir, "env")
            else:
                load_scenario(path)
        assert message in str(caught.value), (loader, str(caught.value)[:300])
        assert len(str(caught.value)) < 1000  # one message, not the document echoed back


def test_unsafe_profile_through_the_cli_is_one_error(workdir: Path) -> None:
    (workdir / "env.yaml").write_text(BOMB)
    done = drift("check", "env", "--profiles", str(workdir))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("drift: error: ") and "YAML nodes" in line
    done = drift("profiles", "validate", str(workdir))
    assert done.returncode == 2 and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "pattern", [r"(a)\1", r"(?=a)b", r"(?<!a)b", r"a{1001}", "(unclosed", r"\p{Nope}"]
)
def test_patterns_beyond_re2_are_profile_errors(workdir: Path, pattern: str) -> None:
    doc = replaced(VALID_PROFILE, ("services", "api", "env", "URL", "pattern"), pattern)
    (workdir / "env.yaml").write_text(dumps(doc))
    with pytest.raises(ProfileError, match="invalid regular expression"):
        load_profile(workdir, "env")


@pytest.mark.timeout(60)
def test_a_catastrophic_pattern_cannot_hang_the_check(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`^(a+)+$` against 30 000 a's and a `!` takes a backtracking engine longer than the age
    of the universe; RE2 answers at once."""
    import asyncio

    from drift.check import run_check
    from drift.settings import load_settings

    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    sandbox.set_env("acme-chat-staging", "api", "FEATURE_FLAGS", "a" * 30_000 + "!")
    (tmp_path / "cat.yaml").write_text(
        "project: acme-chat-staging\nregion: us-central1\nservices:\n  api:\n    env:\n"
        '      FEATURE_FLAGS: {pattern: "^(a+)+$"}\n'
        '      LOG_LEVEL: {pattern: "^(x+x+)+y$", not: ["(a|a)*b"]}\n'
    )
    report = asyncio.run(run_check(load_profile(tmp_path, "cat"), load_settings())).report
    failed = {f.target for f in report.findings if f.rule == "env.constraint"}
    assert failed == {"env.FEATURE_FLAGS", "env.LOG_LEVEL"}


@pytest.mark.timeout(60)
def test_long_live_values_are_looked_at_in_linear_time() -> None:
    """Cloud Run allows 32 KiB values; every output asks whether each looks like a
    credential (with backtracking, ~0.5 s per value, each time it was shown)."""
    from drift.credentials import looks_like_credential

    for _ in range(200):
        assert not looks_like_credential("NOTES", "a" * 32_768)
    assert looks_like_credential("NOTES", "a" * 32_768 + " postgres://u:p@h/db")


def test_control_characters_in_a_profile_are_shown_escaped(workdir: Path) -> None:
    """A key or a value that holds terminal escapes is quoted in the error line, escaped."""
    (workdir / "env.yaml").write_text(
        'project: p\nregion: us-central1\nservices:\n  api:\n    "x\\e[2J\\e]52;c;ZXZpbA==\\a": 1\n'
    )
    for args in (("check", "env", "--profiles"), ("profiles", "validate")):
        done = drift(*args, str(workdir))
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "\x1b" not in done.stderr and "\x07" not in done.stderr
        assert "\\x1b[2J" in done.stderr


def test_re2_errors_are_not_logged_by_absl(
    workdir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """RE2 logs each bad pattern through absl straight to the process's stderr."""
    doc = replaced(VALID_PROFILE, ("services", "api", "env", "URL", "pattern"), "(unclosed")
    (workdir / "env.yaml").write_text(dumps(doc))
    with pytest.raises(ProfileError, match=r"missing \): \(unclosed"):
        load_profile(workdir, "env")
    assert capfd.readouterr().err == ""
