"""What a YAML document is to drift whichever parser read it: plain data with the line of every
path (`Located`), the problems found reading it, and the limits and checks both parsers apply
(`Rules`)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from drift.errors import Problem

MAX_BYTES = 8 * 1024 * 1024
"""A profile of 1,000 services (Cloud Run's limit per project and region) × 30 variables is
about 1.8 MB."""
MAX_DEPTH = 32
MAX_NODES = 500_000
# scalar text once aliases are expanded: far above any real profile (whose text is at most
# MAX_BYTES), far below a "billion laughs" (140 000 aliases of a 400 KB string: 56 GB)
MAX_EXPANDED = 8 * MAX_BYTES
UNSUPPORTED_KEY = "unsupported key (a plain name is expected)"
MERGE_KEY = (
    "unsupported key << (YAML 1.1's merge key: write the keys out, or alias the whole value: "
    "`name: *anchor`)"
)
"""What either YAML reader says of a key that is no plain name, and of YAML 1.1's merge key."""

Path_ = tuple[str | int, ...]
T = TypeVar("T")


class WrittenFloat(float):
    """A YAML float with the text it was written as (`1e2`): what a message quotes back."""

    text: str

    def __new__(cls, value: float, text: str) -> WrittenFloat:
        made = super().__new__(cls, value)
        made.text = text
        return made

    def __getnewargs__(self) -> tuple[float, str]:  # type: ignore[override]
        return (float(self), self.text)


def quote_float(value: float) -> str:
    """What to write instead of a float where text is meant (a variable's value): in quotes as
    written (`1e2`) or as the number it reads (`100`), whichever is meant — `"100.0"` would be
    neither, and drift from a live `100` (revfirst62 F5). The number as decimal digits (`1e15`,
    `1e-7`), never in `repr`'s exponent form or with its `.0` (revown62b F6); offered only when
    it is the number written, exactly, in at most 30 characters: not `12345678901234567890123.5`
    read as `12345678901234568000000`, nor `5e-324` in 324 digits (revleak63 F5). A long text
    is quoted as every message quotes one (`drift.units.shown`)."""
    from decimal import Decimal, InvalidOperation

    from drift.units import shown

    written = getattr(value, "text", repr(value))
    number = format(Decimal(repr(value)).normalize(), "f") if value else "0"
    try:
        exact = math.isfinite(value) and Decimal(written.replace("_", "")) == Decimal(number)
    except InvalidOperation:  # YAML 1.1's 1:30.5, say
        exact = False
    also = exact and number != written and len(number) <= 30
    quoted = f'"{written}"' if shown(written) == repr(written) else shown(written)
    return (
        f"write {quoted} in quotes"
        + (f', or "{number}" (the number it reads)' if also else "")
        + ": a variable's value is text"
    )


@dataclass(frozen=True)
class Located:
    """A YAML document as plain Python data, with the 1-based line of every path in it."""

    file: str
    data: Any
    lines: dict[Path_, int]
    spelled: dict[Path_, str] = field(default_factory=dict)
    """The booleans written other than `true`/`false` (`True`, `FALSE`; `yes` under `%YAML
    1.1`), by path: their text, which is what a value that is text means (`Rules.boolean`)."""

    def line(self, path: Iterable[str | int]) -> int:
        """Line of the longest prefix of `path` that the document has (1 when none)."""
        parts = tuple(path)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return 1

    def problem(self, path: Iterable[str | int], message: str) -> Problem:
        return Problem(self.file, self.line(path), message)


class YamlProblems(Exception):
    """Raised with the problems found while reading one file; `partial`: the document as
    read when the reading went to its end (each value it could not take left as written,
    the first of duplicate keys kept), for what a caller may still learn from it (which
    profile it extends), never to be used as the document."""

    def __init__(self, problems: list[Problem], partial: Located | None = None) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems
        self.partial = partial


# -- what drift accepts in a document, whichever parser read it ------------------------------


Integers = Literal["canonical", "gcloud"]
"""How an integer not written canonically is read: refused (a profile), or as gcloud reads it."""
_OCTAL_11 = re.compile(r"[-+]?0[0-7]+")
"""YAML 1.1's octal integer (PyYAML's resolver, which gcloud's `core/yaml` uses), underscores
aside."""


class Rules:
    """The limits and checks both parsers apply while turning nodes into data, in the same
    order, so that they accept, refuse and locate the same documents. Lines are 0-based here
    (as YAML marks count them) and 1-based in problems."""

    def __init__(self, file: str, integers: Integers = "canonical") -> None:
        self.file = file
        self.integers = integers
        self.nodes = 0
        self.text = 0
        self.problems: list[Problem] = []
        """Problems the reading went on after (`note`)."""
        self.spelled: dict[Path_, str] = {}

    def fail(self, line: int, message: str) -> YamlProblems:
        """A problem that ends the reading, after those noted before it."""
        return YamlProblems([*self.problems, Problem(self.file, line + 1, message)])

    def key_refused(self, line: int, *, merge: bool = False) -> YamlProblems:
        """A key that is no plain name (`merge`: YAML 1.1's merge key `<<`), as either reader
        says it."""
        return self.fail(line, MERGE_KEY if merge else UNSUPPORTED_KEY)

    def note(self, line: int, message: str) -> None:
        """A problem of one value that the reading goes on after (a number to quote, a
        duplicate key, a scalar its type cannot read), so that every one in the file is
        said at once (`finish`); what ends the reading (its syntax, a limit) is `fail`."""
        self.problems.append(Problem(self.file, line + 1, message))

    def finish(self, doc: Located) -> Located:
        """The document read to its end, or YamlProblems with every problem noted."""
        doc = Located(doc.file, doc.data, doc.lines, self.spelled)
        if self.problems:
            raise YamlProblems(list(self.problems), partial=doc)
        return doc

    def enter(self, line: int, depth: int) -> None:
        """A node about to become data (aliases count each time they are used)."""
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise self.too_big(line, depth)

    def too_big(self, line: int, depth: int) -> YamlProblems:
        if depth > MAX_DEPTH:
            return self.fail(line, f"nested deeper than {MAX_DEPTH} levels")
        return self.fail(line, f"more than {MAX_NODES} YAML nodes")

    def scalar_text(self, line: int, value: str) -> None:
        """A scalar (key or value) about to become data: aliases must not multiply the text
        beyond what a file of MAX_BYTES could hold several times over."""
        self.text += len(value)
        if self.text > MAX_EXPANDED:
            raise self.expanded(line)

    def expanded(self, line: int) -> YamlProblems:
        return self.fail(
            line, f"aliases expand the document to more than {MAX_EXPANDED} characters of text"
        )

    def key(self, key: Any, raw: str, line: int) -> str:
        """The text of a mapping key (names, numbers and booleans; nothing else)."""
        if not isinstance(key, str | int | bool) or isinstance(key, float):
            raise self.fail(line, f"unsupported key {raw!r}")
        if isinstance(key, bool) or type(key).__name__ == "ScalarBoolean":
            return "true" if key else "false"
        return str(key)

    def boolean(self, path: Path_ | None, value: Any, raw: str) -> Any:
        """A scalar read as a boolean (at `path`; None: a key's), its spelling kept where it
        is not `true` or `false` (`Located.spelled`): a variable's value written `True` is the
        text `True` (Django's `DEBUG=True`), which `true` would be drift from."""
        if path is not None and raw not in ("true", "false"):
            self.spelled[path] = raw
        return value

    def duplicate(self, key: str, line: int, first: int | None = None) -> None:
        """A key said twice in one mapping: noted (the first is kept, to read on), with the
        line of the first (`first`, 1-based) where it is known (helper-602 F10)."""
        where = f" (first at line {first})" if first and first != line + 1 else ""
        self.note(line, f'invalid YAML: duplicate key "{key}"{where}')

    def unreadable(self, line: int, tag: str, raw: str) -> str:
        """A scalar its type cannot read (`+_`, `0x_`, `!!int x`): said so, never a traceback;
        read on with its text."""
        shown = raw if len(raw) <= 40 else raw[:40] + "..."
        self.note(line, f"invalid YAML: {shown!r} is not a valid {tag.rsplit(':', 1)[-1]}")
        return raw

    def number(self, line: int, value: Any, raw: str, path: Path_ | None = None) -> Any:
        """A scalar read as a number (at `path`; None: a key's): a float keeps its text
        (`WrittenFloat`), an integer is `integer`'s."""
        if type(value) is float:
            return WrittenFloat(value, raw)
        return self.integer(line, value, raw, path)

    def integer(self, line: int, value: Any, raw: str, path: Path_ | None = None) -> Any:
        """An integer written other than as drift reads it back (`01234`, `007`, `0o17`,
        `0x1F`, `1_000`, `+5`): a number would change the text (`01234` becomes `1234`, which a
        plan would then set), and the text is what a profile means far more often (a branch
        or ZIP code): refused, with its line. `8080`, `-1` and `0` are read as they are.
        In a document gcloud reads (`integers="gcloud"`: a Knative manifest), an integer is
        what gcloud makes of it: its YAML 1.1 reads a leading zero as octal (`defaultMode:
        0440` is 0o440, as SecretVolumeSource.default_mode's field doc writes modes)."""
        if type(value) is not int or raw == str(value):
            return value
        if self.integers == "gcloud":
            return int(raw, 8) if _OCTAL_11.fullmatch(raw) else value
        if _secret_named(variable_name(path), raw):  # `ADMIN_PIN: 0o1234`: not shown
            self.note(line, "write this variable's value in quotes: as a YAML number it reads "
                      "otherwise than written")  # fmt: skip
        else:
            self.note(line, f"write {raw} in quotes: as a YAML number it reads {value}")
        return raw

    def checked_str(self, line: int, value: str) -> str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # "\ud800" escapes: no API, file or terminal takes it
            self.note(line, "invalid YAML: text with an unpaired surrogate")
            return value.encode("utf-8", "replace").decode("utf-8")
        return value


def _secret_named(name: str | None, raw: str) -> bool:
    """Whether a variable's value as written is never shown: its name says it is a password
    or a secret (`drift.credentials.credential_named`), as a finding hides it."""
    if name is None:
        return False
    from drift.credentials import credential_named

    return credential_named(name, raw)


def variable_name(path: Path_ | None) -> str | None:
    """The variable's name where `path` is where a document holds a variable's value (a
    profile's `env.NAME` or its rule's `value`; a manifest's `env[N].value`, whose name is
    elsewhere: ""), else None. What is there may be a credential whatever its type."""
    if not path:
        return None
    if len(path) >= 2 and path[-2] == "env" and isinstance(path[-1], str):
        return path[-1]
    if len(path) >= 3 and path[-1] == "value" and path[-3] == "env":
        return path[-2] if isinstance(path[-2], str) else ""
    return None


class Memo:
    """What an anchored collection read without a problem noted comes to wherever an alias
    puts it: its nodes, its scalars' text, the levels it nests below itself (`Aliases`)."""

    __slots__ = ("nodes", "text", "height")

    def __init__(self, nodes: int, text: int, height: int) -> None:
        self.nodes, self.text, self.height = nodes, text, height

    def fits(self, rules: Rules, depth: int) -> bool:
        """Whether it can be read at `depth` with no limit crossed inside it (so neither
        a problem nor a line of it can be said)."""
        return (
            rules.nodes + self.nodes <= MAX_NODES
            and rules.text + self.text <= MAX_EXPANDED
            and depth + self.height <= MAX_DEPTH
        )


class ReadAgain(Exception):
    """Read the document again with every alias built in place (`Aliases.at_once` false)."""


class Aliases:
    """Aliases to anchored collections, as both parsers count and build them. An anchored
    collection read without a problem noted leaves its `Memo` (`remember`); an alias to it
    that `fits` is counted at once (`counted`) and built once the document is read
    (`build_later`); any other is built in place, so the limits count every use. A document
    that aliases multiply past a limit is thus refused at the node that crosses it, at that
    node's line, without building all that comes before. Each parser gives what is its own:
    what a key and a target are, how to build a target at a path, how high a collection is."""

    def __init__(self, rules: Rules, *, at_once: bool) -> None:
        self.rules = rules
        self.at_once = at_once
        """Whether an alias that fits is counted at once, built last; not when the reading
        noted a problem and so hands back a partial document: a duplicate key's value, read
        after an alias, may then give a path a line that the alias built last would take."""
        self.memos: dict[Hashable, Memo] = {}  # what an anchored collection came to, once read
        self.later: list[tuple[Any, Path_, int, Any]] = []  # (holder, path, depth, target)

    @staticmethod
    def reading(read: Callable[[bool], T]) -> T:
        """`read(at_once)`; once more with `at_once` false if it must (`ReadAgain`)."""
        try:
            return read(True)
        except ReadAgain:
            return read(False)

    def counted(self, key: Hashable, holder: Any, path: Path_, depth: int, target: Any) -> bool:
        """Whether the alias to `key` at `path` is counted at once, to be built last (into
        `holder`, the mapping or list it goes into at `path[-1]`): when its Memo fits."""
        memo = self.memos.get(key)
        if holder is None or memo is None or not memo.fits(self.rules, depth):
            return False
        self.rules.nodes += memo.nodes
        self.rules.text += memo.text
        self.later.append((holder, path, depth, target))
        return True

    def mark(self) -> tuple[int, int, int]:
        """The totals before an anchored collection is read (`remember`)."""
        rules = self.rules
        return rules.nodes, rules.text, len(rules.problems)

    def remember(
        self, key: Hashable, mark: tuple[int, int, int], height: Callable[[], int]
    ) -> None:
        """After reading the anchored collection `key` from `mark`: its Memo, if no problem
        was noted in it."""
        nodes, text, noted = mark
        rules = self.rules
        if self.at_once and len(rules.problems) == noted:
            self.memos[key] = Memo(rules.nodes - nodes, rules.text - text, height())

    def build_later(self, build: Callable[[Any, Path_, int], Any]) -> None:
        """Build what the aliases counted at once stand for, each as `build(target, path,
        depth)` (each fits the limits: counted afresh here, then the document's totals put
        back); `ReadAgain` instead if a problem was noted."""
        rules = self.rules
        if self.later and rules.problems:
            raise ReadAgain
        nodes, text = rules.nodes, rules.text
        for holder, path, depth, target in self.later:  # grows while it runs: nested aliases
            rules.nodes = rules.text = 0
            holder[path[-1]] = build(target, path, depth)
        rules.nodes, rules.text = nodes, text


def oneline(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__
