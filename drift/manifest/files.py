"""Read the files `--manifest` names (`-`: standard input) and tell what each is: a Terraform
plan (`terraform show -json`: JSON with `resource_changes`), or a Knative Service or Job in
YAML or JSON. Every problem in every file is reported at once: `file:line` for documents,
`file: JSON path` for plans, exit 2; nothing is checked."""

from __future__ import annotations

import errno
import json
import os
import re
import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from drift import jsontext
from drift.errors import InputError, Problem, UsageError
from drift.files import not_a_file, read_bounded
from drift.manifest.knative import is_knative, read_knative
from drift.manifest.mistaken import (
    NOTHING_SHOWN,
    SAVED_PLAN,
    SECOND,
    mistaken,
    nothing_shown,
    second_document,
)
from drift.manifest.model import STDIN, STDIN_NAME, Manifest
from drift.manifest.refused import fixed_name_note
from drift.manifest.rounds import ERRORED
from drift.manifest.terraform import READ, is_plan, read_plan
from drift.textsafe import undecodable_line, visible
from drift.yamldoc import MAX_BYTES, Located, YamlProblems
from drift.yamlfile import display_path, parse_located

MAX_PLAN_BYTES = 256 * 1024 * 1024
"""A plan of a large configuration runs to tens of megabytes; beyond this, refuse."""
MAX_NESTING = 100
"""How deep a Knative JSON manifest's lists and objects may nest, and a plan's Cloud Run
resources' (counted from the plan's top: a plan of modules five deep nests about 35 levels; a
YAML manifest, MAX_DEPTH): a plan's `after` of 700 was read until a copy of it ran out of
stack, an internal error (helper-766)."""
MAX_PLAN_NESTING = 500
"""How deep the rest of a plan may nest, which drift reads little of (the marks and values it
masks, IAM bindings): a `kubernetes_manifest` of a CRD's schema nests 190 levels, and was
refused with the whole plan by MAX_NESTING (helper-778 F3); every walker of it reads 970
levels, about what Python's JSON reader takes."""
UTF8_BOM = b"\xef\xbb\xbf"
STREAMED = (
    "this is the log `terraform plan -json` streams (one JSON message a line), not a plan: "
    f"give the JSON of a saved plan ({SAVED_PLAN})"
)
ZIP = b"PK\x03\x04"
"""How a zip archive begins (its local file header's signature): a saved plan is one.
Terraform docs, "JSON Output Format": Terraform "can also, when run with -out=<PATH>, write a
much more detailed binary plan file [..] Since the format of plan files isn't suited for use
with external tools (and likely never will be), Terraform can output a machine-readable JSON
representation of a plan file's changes [..] Use terraform show -json <FILE>"."""
SAVED_BINARY = (
    "this is a saved Terraform plan (the binary file terraform plan -out writes), which only "
    "Terraform reads: give its JSON (terraform show -json PLANFILE > plan.json, then "
    "--manifest plan.json)"
)
ONE_DOCUMENT = (
    "a manifest is one YAML document, as gcloud run services|jobs|worker-pools replace reads "
    "one: give each document its own file and its own --manifest"
)
WHAT = (
    "a Knative Service or Job (gcloud run services|jobs describe --format export), or a "
    "Terraform plan (terraform show -json PLAN)"
)


def load_manifests(
    given: Sequence[str],
    read_stdin: Callable[[], bytes] | None = None,
    public: Collection[str] = (),
    profiled: Collection[str] = (),
) -> list[Manifest]:
    """Every manifest named, in order; `InputError` with every problem found. `public`: the
    names drift prints anyway (the profile's project, region and workloads'), which a plan's
    mark never hides, nor those of a plan's workload that the profile names (`profiled`: its
    workloads as `PROJECT/REGION/NAME`; `plansecrets.register_sensitive`)."""
    if list(given).count(STDIN) > 1:
        raise UsageError("--manifest -: standard input can be read once")
    problems: list[Problem] = []
    manifests = []
    seen: dict[tuple[int, int], str] = {}
    named: dict[str, str] = {}  # each name as shown (`visible`): as given
    for name in given:
        twice = _stdin_twice(seen) if name == STDIN else _given_twice(name, seen)
        if twice is not None:
            problems.append(twice)
            continue
        if name == STDIN:
            shown = STDIN_NAME
            raw = (read_stdin or _stdin)()
        else:
            # the name every message, note and `manifest:FILE` shows (a name a pull request
            # chose: a glob may match one with a line break in it)
            shown = visible(display_path(Path(name)))
            named[shown] = display_path(Path(name))
            try:
                raw = _read(Path(name))
            except OSError as exc:
                # a broken link or a link loop: named as given, with its target; any other
                # failure (a named pipe refused, a directory) already says what it met
                lost = exc.errno in (errno.ENOENT, errno.ELOOP)
                what = not_a_file(Path(name)) if lost else None
                why = f"is {what}, not a manifest" if what else exc.strerror or str(exc)
                problems.append(Problem(shown, 1, f"cannot read: {why}"))
                continue
        manifests.append(parse(shown, raw, problems, public, profiled))
    if problems:
        # each problem at its file as named, where its message shows it visibly: an
        # annotation's `file=` is the real name, escaped (`drift.format.github.command`)
        raise InputError(
            [replace(p, file=named.get(p.file, p.file)) for p in problems], kind="manifest"
        )
    return manifests


def _given_twice(name: str, seen: dict[tuple[int, int], str]) -> Problem | None:
    """A file named again (`-m a.yaml -m ./a.yaml`, a link to it, two globs that match it),
    said so: read twice, each workload of it was "in a.yaml:22 and in a.yaml:22" (helper-834
    F7). `seen`: the files named so far, by device and inode (one that cannot be looked at is
    left to its read, which says why)."""
    try:
        found = Path(name).stat()
    except OSError:
        return None
    shown, file = visible(display_path(Path(name))), (found.st_dev, found.st_ino)
    if file not in seen:
        seen[file] = shown
        return None
    said = "given twice" if seen[file] == shown else f"also given as {seen[file]}"
    return Problem(shown, 1, f"this file is {said}: give each file once")


def _stdin_twice(seen: dict[tuple[int, int], str]) -> Problem | None:
    """`-m - -m /dev/stdin` (or /dev/fd/0, in either order): standard input named twice, said
    so as a file named twice is. Read twice, the second read found it empty ("/dev/stdin:1:
    empty") or, from a file, read it again as another manifest."""
    try:
        found = os.fstat(0)
    except OSError:  # closed: `--manifest -` says so when it reads
        return None
    if (file := (found.st_dev, found.st_ino)) not in seen:
        seen[file] = f"{STDIN} (standard input)"
        return None
    return Problem(STDIN_NAME, 1, f"standard input is also given as {seen[file]}: give it once")


def _stdin() -> bytes:
    return sys.stdin.buffer.read(MAX_PLAN_BYTES + 1)


def _read(path: Path) -> bytes:
    if path.is_dir():
        raise IsADirectoryError(21, "is a directory")
    # a named pipe: refused, never waited on; a device (`/dev/zero`): refused, never read
    return read_bounded(path, MAX_PLAN_BYTES + 1, devices=False)


def parse(
    name: str,
    raw: bytes,
    problems: list[Problem],
    public: Collection[str] = (),
    profiled: Collection[str] = (),
) -> Manifest:
    """What one file describes; its problems go to `problems` (`public`, `profiled`: as
    `load_manifests` takes them)."""
    if len(raw) > MAX_PLAN_BYTES:
        problems.append(Problem(name, 1, f"larger than {MAX_PLAN_BYTES} bytes"))
        return Manifest(name)
    raw = raw.removeprefix(UTF8_BOM)  # as editors on Windows save (JSON allows one be ignored)
    if not raw.strip():
        problems.append(Problem(name, 1, f"empty: expected {WHAT}"))
        return Manifest(name)
    if raw.startswith(ZIP):  # helper-600 F4: it read as "not UTF-8 text", or invalid YAML
        problems.append(Problem(name, 1, SAVED_BINARY))
        return Manifest(name)
    if (why := mistaken(raw)) is not None:
        problems.append(Problem(name, 1, why))
        return Manifest(name)
    if raw.lstrip()[:1] in (b"{", b"["):
        data = _json(name, raw, problems)
        if data is None:
            return Manifest(name)
        if deep := _nested(name, data):
            problems += deep
            return Manifest(name)
        if isinstance(data, dict) and data.get("errored") is True:
            # the plan representation's `errored`: planning failed, so the plan is incomplete
            problems.append(Problem(name, 1, ERRORED))
            return Manifest(name)
        if is_plan(data):
            return read_plan(name, data, problems, public, profiled)
        if nothing_shown(data):
            problems.append(Problem(name, 1, NOTHING_SHOWN))
            return Manifest(name)
        doc = _located(name, raw, problems, data)
    else:
        doc = _located(name, raw, problems)
    if doc is None:
        return Manifest(name)
    if is_plan(doc.data):
        return read_plan(name, doc.data, problems, public, profiled)
    if not is_knative(doc.data):
        problems.append(Problem(name, 1, f"expected {WHAT}"))
        return Manifest(name)
    workload = read_knative(doc, problems)
    if workload is None:
        return Manifest(name)
    notes = fixed_name_note(doc, workload.kind, doc.data["spec"]["template"])
    return Manifest(name, (workload,), notes=notes)


def _json(name: str, raw: bytes, problems: list[Problem]) -> Any:
    try:
        return jsontext.loads(raw, strict=True, unique=True)  # helper-766
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, undecodable_line(exc), "not UTF-8 text"))
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and _streamed(raw):
            problems.append(Problem(name, 1, STREAMED))
        elif second_document(exc):
            problems.append(Problem(name, exc.lineno, SECOND))
        else:
            problems.append(
                Problem(name, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")
            )
    except RecursionError:
        problems.append(Problem(name, 1, "invalid JSON: nested too deeply"))
    return None


def _nested(name: str, data: Any) -> list[Problem]:
    """Where a JSON manifest nests deeper than drift reads, at its JSON path: a Knative
    manifest, a plan's Cloud Run resource (what drift copies and walks), MAX_NESTING levels
    from the top; the rest of a plan, MAX_PLAN_NESTING."""
    if not is_plan(data):
        found = jsontext.too_deep(data, MAX_NESTING)
        return [] if found is None else [_too_deep(name, _shown(found), MAX_NESTING)]
    changes = data.get("resource_changes")
    out = []
    for i, rc in enumerate(changes if isinstance(changes, list) else ()):
        kind = rc.get("type") if isinstance(rc, dict) else None
        if isinstance(kind, str) and kind in READ:
            if (found := jsontext.too_deep(rc, MAX_NESTING, level=3)) is not None:
                where = jsontext.shown_path(found, f"resource_changes[{i}]", parts=3)
                out.append(_too_deep(name, where, MAX_NESTING))
    if not out and (found := jsontext.too_deep(data, MAX_PLAN_NESTING)) is not None:
        out.append(_too_deep(name, _shown(found), MAX_PLAN_NESTING))
    return out


def _shown(path: tuple[str | int, ...]) -> str:
    """Down to the attribute of a resource (`resource_changes[6].change.after.manifest`)."""
    return jsontext.shown_path(path, parts=5)


def _too_deep(name: str, path: str, limit: int) -> Problem:
    return Problem(name, 1, f"nested deeper than {limit} levels", path=path)


def _streamed(raw: bytes) -> bool:
    """Whether the file is the machine-readable log `terraform plan -json` streams: one JSON
    message a line, each with `@message` and `type`."""
    first = raw.lstrip().split(b"\n", 1)[0]
    try:
        message = json.loads(first)
    except ValueError:
        return False
    return isinstance(message, dict) and "@message" in message and "type" in message


def _located(name: str, raw: bytes, problems: list[Problem], data: Any = None) -> Located | None:
    """The document with the line of every key (a JSON document too large for that: without
    lines)."""
    if data is not None and len(raw) > MAX_BYTES:
        return Located(name, data, {})
    try:
        return parse_located(raw, name, integers="gcloud")  # gcloud reads what it deploys
    except YamlProblems as exc:
        if any(p.message.endswith("found another document") for p in exc.problems):
            return _one_document(name, raw, problems, exc)
        problems += exc.problems
        return None


_LINE_BREAK = re.compile("(\r\n|[\r\n\x85\u2028\u2029])")
"""What the YAML reader counts as the end of a line (the marks' lines count these)."""


def _one_document(
    name: str, raw: bytes, problems: list[Problem], exc: YamlProblems
) -> Located | None:
    """A stream of several YAML documents. Empty ones (a `---` with nothing after it, as
    rendering tools end a file) are dropped, as gcloud's replace reads its FILE
    (googlecloudsdk/calliope/arg_parsers.py YAMLFileContents._LoadSingleYamlDocument:
    "supports the case of a single document in a file that contains superfluous document
    separators, but still throws if multiple documents are actually found"): the one left is
    read with its lines where they are in the file; two or more are refused."""
    from drift import yamlruamel

    text = raw.decode("utf-8")  # parse_located decoded it already
    spans = yamlruamel.documents(text)
    if spans is None:
        problems += exc.problems
        return None
    if not spans:
        problems.append(Problem(name, 1, f"empty (only document separators): expected {WHAT}"))
        return None
    if len(spans) > 1:
        second = f"a second YAML document ({len(spans)} in all)"
        problems.append(Problem(name, spans[1][0] + 1, f"{second}: {ONE_DOCUMENT}"))
        return None
    first, last = spans[0]
    parts = _LINE_BREAK.split(text)  # line, break, line, break, …, line
    for i in range(0, len(parts), 2):
        if not first <= i // 2 < last:
            parts[i] = ""  # markers, comments and empty documents: lines kept, nothing on them
    try:
        return parse_located("".join(parts).encode(), name, integers="gcloud")
    except YamlProblems as again:
        problems += again.problems
        return None
