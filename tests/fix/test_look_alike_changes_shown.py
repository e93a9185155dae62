"""A change whose two sides differ only in characters that look alike (a trailing space, a
zero-width joiner, a Cyrillic `а`, a no-break space) or sets an empty value is shown so in
every place a person approves or reviews a change — the plan table (also `fix`'s prompt), the
`--format yaml` header, `rollback`'s prompt, `drift history` — as `check` shows it: escaped,
with the look-alike note, `""` for empty; never `x -> x` or `- -> -` (helper-662 F1). The
real CLI on the sandbox."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from drift.textsafe import LOOK_ALIKE_NOTE
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world
from tests.fix.test_cpu_below_one import _run

LIVE = {"KEEP": "1", "LA1": "x ", "LA2": "a\u200dbc", "LA3": "p\u0430ss", "LA4": "a\u00a0b"}
WANTED = {"KEEP": "1", "LA1": "x", "LA2": "abc", "LA3": "pass", "LA4": "a b", "EMPTY": ""}
PAIRS = {  # as shown: before, after
    "LA1": ("x\\x20", "x"),
    "LA2": ("a\\u200dbc", "abc"),
    "LA3": ("p\\u0430ss", "pass"),
    "LA4": ("a\\xa0b", "a b"),
}


def _sandbox(make_sandbox: MakeSandbox, tmp_path: Path):  # type: ignore[no-untyped-def]
    template = {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080, "env": LIVE}
    sandbox = make_sandbox(lab_world(template=template))
    folder = tmp_path / "profiles"
    folder.mkdir()
    profile = {"project": LAB, "region": "us-central1", "services": {"app": {"env": WANTED}}}
    (folder / "lab.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True))
    return sandbox


def _row(text: str, name: str) -> list[str]:
    lines = text.splitlines()
    (at,) = [i for i, line in enumerate(lines) if f" {name} " in line]
    return lines[at : at + 2]


def test_the_plan_table_shows_look_alikes_escaped_and_an_empty_value(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`drift plan`'s, and the one `drift fix` asks its question under."""
    sandbox = _sandbox(make_sandbox, tmp_path)
    table = _run(sandbox, tmp_path, "plan", "lab")
    assert table.returncode == 1, table.stdout + table.stderr
    asked = _run(sandbox, tmp_path, "fix", "lab")  # no terminal: shown, then declined
    assert asked.returncode == 4, asked.stdout + asked.stderr
    for text in (table.stdout, asked.stdout + asked.stderr):
        for name, (before, after) in PAIRS.items():
            row, note = _row(text, name)
            assert re.search(rf" {re.escape(before)} +->  {re.escape(after)}$", row), text
            assert note.strip() == LOOK_ALIKE_NOTE, text
        (empty,) = [line for line in text.splitlines() if " EMPTY " in line]
        assert empty.split()[-3:] == ["-", "->", '""'], text


def test_the_yaml_plan_header_shows_look_alikes_escaped_and_an_empty_value(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = _sandbox(make_sandbox, tmp_path)
    header = _run(sandbox, tmp_path, "plan", "lab", "--format", "yaml").stdout
    assert '#   set_value EMPTY = ""\n' in header, header
    for name, (before, after) in PAIRS.items():
        line = f"#   set_value {name} = {after} (was {before}; {LOOK_ALIKE_NOTE})\n"
        assert line in header, header


def _fixed(make_sandbox: MakeSandbox, tmp_path: Path):  # type: ignore[no-untyped-def]
    sandbox = _sandbox(make_sandbox, tmp_path)
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    return sandbox


def test_history_shows_look_alikes_escaped(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    history = _run(_fixed(make_sandbox, tmp_path), tmp_path, "history", "lab").stdout
    assert 'added env.EMPTY = ""' in history, history
    for name, (before, after) in PAIRS.items():
        assert f"changed env.{name}: {before} -> {after} ({LOOK_ALIKE_NOTE})" in history, history


def test_the_rollback_prompt_shows_look_alikes_escaped(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = _fixed(make_sandbox, tmp_path)
    prompt = _run(sandbox, tmp_path, "rollback")  # no terminal: shown, then declined
    assert prompt.returncode == 4, prompt.stdout + prompt.stderr
    shown = prompt.stdout + prompt.stderr
    assert 'env.EMPTY: removed (was "")' in shown, shown
    for name, (before, after) in PAIRS.items():
        assert f"env.{name}: {after} → {before} ({LOOK_ALIKE_NOTE})" in shown, shown
