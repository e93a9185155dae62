"""The lower bounds pyproject.toml declares are a promise to every resolver that picks them
(another tool in the same venv, `uv --resolution lowest-direct`, a distro): each is a version
drift runs on. `make floors` runs the suite at them; this keeps the floors it found from
sliding back, each with the call that broke below it (pyproject.toml says the same)."""

from __future__ import annotations

import ast
import re
import tomllib
import unicodedata
from types import SimpleNamespace

from packaging.version import Version

from drift.protofield import is_repeated
from tests.cliutil import REPO

FLOORS = {
    # BeforeValidator(json_schema_input_type=) (drift/profiles/rules_spec.py): a TypeError at
    # import on 2.7/2.8, so every command that loads a profile was an "internal error"
    "pydantic": Version("2.9"),
    # 0.15.0-0.15.3 + click 8.2: `--help` is "TypeError: TyperArgument.make_metavar()";
    # up to 0.26 --help shows no `--format` choices (tests/test_readme.py)
    "typer": Version("0.27"),
    # Container.readiness_probe (0.15), Service.iap_enabled (0.13), run_v2.WorkerPool (0.11)
    "google-cloud-run": Version("0.15"),
    # websockets.proxy (16.0, drift/probe/targets.py; 15.0.x: `drift probe` an ImportError)
    "websockets": Version("16"),
}
TEST_FLOORS = {
    "uvicorn": Version("0.53"),  # ws="websockets-sansio", a refused handshake's own status
    "fastapi": Version("0.115"),  # no 500 for a refused handshake, no multipart warning
}


def declared_floor(name: str, extra: str | None = None) -> Version:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = project["optional-dependencies"][extra] if extra else project["dependencies"]
    for requirement in requirements:
        match = re.match(r"([A-Za-z0-9_.\-]+)(\[[^]]*\])?\s*(.*)", requirement)
        assert match
        if match.group(1).lower() == name:
            floor = re.search(r">=\s*([0-9][^,\s]*)", match.group(3))
            assert floor, requirement
            return Version(floor.group(1))
    raise AssertionError(f"{name} is not a dependency")


def test_each_declared_floor_is_a_version_drift_runs_on() -> None:
    low = {name: str(declared_floor(name)) for name, need in FLOORS.items()
           if declared_floor(name) < need}  # fmt: skip
    low |= {name: str(declared_floor(name, "test")) for name, need in TEST_FLOORS.items()
            if declared_floor(name, "test") < need}  # fmt: skip
    assert low == {}, f"declared lower bounds drift does not run on: {low}"


def test_protobuf_5_descriptors_are_read_through_their_label() -> None:
    """protobuf >=5 is declared, and 5.x-6.30 have no FieldDescriptor.is_repeated (7 has no
    `label`): the sandbox, `fix` and the per-field diff called is_repeated on both."""
    old = SimpleNamespace(label=3, LABEL_REPEATED=3)  # what protobuf 5's descriptor has
    assert is_repeated(old) is True
    assert is_repeated(SimpleNamespace(label=1, LABEL_REPEATED=3)) is False
    assert is_repeated(SimpleNamespace(is_repeated=True)) is True  # protobuf 7
    # and no module of drift's asks either attribute itself. Only a file whose text names one
    # can hold such an `x.name` (an identifier is its text, NFKC-normalised: PEP 3131), so
    # only those are parsed: parsing all of drift/ cost about 1.5 s of CPU.
    names = ("is_repeated", "LABEL_REPEATED")
    asked = [
        f"{path.relative_to(REPO)}:{node.lineno}"
        for path in sorted((REPO / "drift").rglob("*.py"))
        if path.name != "protofield.py"
        for text in [path.read_text()]
        if any(name in unicodedata.normalize("NFKC", text) for name in names)
        for node in ast.walk(ast.parse(text, str(path)))
        if isinstance(node, ast.Attribute) and node.attr in names
    ]
    assert asked == []
