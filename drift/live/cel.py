"""The CEL that IAM conditions on secrets use in practice, evaluated with three values (True,
False, None: unknown) for one secret version at one time (`evaluate`)."""

from __future__ import annotations

import datetime as dt
import re

SERVICE = "secretmanager.googleapis.com"
"""The `resource.service` of every secret version a condition is asked about."""

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<bad>\"\"\"|'''|//)
      | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>&&|\|\||==|!=|<=|>=|<|>|\(|\)|!|,|\.)
      | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<other>[^\s"'])
    )""",
    re.X,
)
"""`other`: a character of a part drift does not model (a number, `+`, `[`, `?`), read so that
part can be skipped as one unknown operand; `bad`: a triple-quoted string or a comment, whose
text could hide an `&&` — the whole expression is then unknown, as is an unclosed quote."""


class _Unsupported(Exception):
    pass


def evaluate(expression: str, resource_name: str, now: dt.datetime) -> bool | None:
    """The value of a condition for a resource at `now`: True, False or None (unknown).
    drift judges `resource.name` (==, !=, startsWith, endsWith), `resource.service` (==, !=:
    always `secretmanager.googleapis.com`) and `request.time` compared with `timestamp("…")`,
    joined by `&&`, `||`, `!` and parentheses; any other part, or one it cannot judge (a
    timestamp without an offset), is unknown. Each `&&` and `||` is three-valued: CEL's
    "if any of their operands uniquely determines the result (`false` for `&&` and `true` for
    `||`) the other operand may or may not be evaluated, and if that evaluation produces a
    runtime error, it will be ignored. This makes those operators commutative" (google/cel-spec
    doc/langdef.md, Evaluation, Logical Operators). So `false && x` is False and `true || x` True
    whatever x is; otherwise an unknown operand makes the result unknown, and `!unknown` is
    unknown. An expression drift cannot read as a whole is unknown."""
    try:
        tokens = _tokens(expression)
        parser = _Parser(tokens, resource_name, now)
        value = parser.disjunction()
        if parser.pos != len(tokens):
            return None
        return value
    except (_Unsupported, ArithmeticError, LookupError, TypeError, ValueError, RecursionError):
        # anything it cannot judge (a comparison of unlike values, a date out of range, an
        # expression nested too deep) is unknown: unverified, never a crash of the check
        return None


def _tokens(expression: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(expression):
        if expression[pos:].strip() == "":
            break
        match = _TOKEN.match(expression, pos)
        if match is None:
            raise _Unsupported(expression[pos:])
        kind = match.lastgroup or ""
        if kind == "bad":
            raise _Unsupported(match.group(kind))
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], resource: str, now: dt.datetime) -> None:
        self.tokens = tokens
        self.pos = 0
        self.resource = resource
        self.now = now

    def _peek(self) -> str:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else ""

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise _Unsupported("unexpected end")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise _Unsupported(token[1])
        self.pos += 1
        return token

    def disjunction(self) -> bool | None:
        values = [self.conjunction()]
        while self._peek() == "||":
            self._take()
            values.append(self.conjunction())
        return True if True in values else None if None in values else False

    def conjunction(self) -> bool | None:
        values = [self.unary()]
        while self._peek() == "&&":
            self._take()
            values.append(self.unary())
        return False if False in values else None if None in values else True

    def unary(self) -> bool | None:
        if self._peek() == "!":
            self._take()
            # `!` binds tighter than a relation (CEL grammar: Unary = "!" {"!"} Member), so
            # `!resource.name == "x"` negates a string: an error, unknown
            value = self.unary() if self._peek() in ("!", "(") else self.operand(negated=True)
            return None if value is None else not value
        if self._peek() == "(":
            self._take()
            value = self.disjunction()
            self._take(")")
            return value
        return self.operand()

    def operand(self, negated: bool = False) -> bool | None:
        """One comparison, or None for a part drift does not model or cannot judge: that part
        is skipped to the `&&`, `||` or `)` that ends it."""
        start = self.pos
        try:
            value = self.comparison(negated)
            if self._peek() in ("&&", "||", ")", ""):
                return value
        except (_Unsupported, ArithmeticError, LookupError, TypeError, ValueError):
            pass
        self.pos = start
        depth = 0
        while self.pos < len(self.tokens):
            kind, text = self.tokens[self.pos]
            if kind != "str" and depth == 0 and text in ("&&", "||", ")"):
                break
            if kind != "str" and depth == 0 and text in ("?", ":", "]", "}"):
                raise _Unsupported(text)  # `?:` binds looser than `&&` and `||`
            if kind != "str" and text in ("(", "[", "{", ")", "]", "}"):
                depth += 1 if text in ("(", "[", "{") else -1
            self.pos += 1
        if depth or self.pos == start:
            raise _Unsupported("an incomplete expression")
        return None

    def comparison(self, negated: bool = False) -> bool:
        subject = self._path()
        if negated and self._peek() != ".":
            raise _Unsupported("!")
        if subject == "resource.name":
            op = self._take()[1]
            if op == ".":
                method = self._take()[1]
                self._take("(")
                argument = self._string()
                self._take(")")
                if method == "startsWith":
                    return self.resource.startswith(argument)
                if method == "endsWith":
                    return self.resource.endswith(argument)
                raise _Unsupported(method)
            if op in ("==", "!="):
                other = self._string()
                return (self.resource == other) == (op == "==")
            raise _Unsupported(op)
        if subject == "resource.service":
            # a secret version is accessed through Secret Manager only: its service is
            # `secretmanager.googleapis.com` (cloud.google.com/iam/docs/conditions-resource-
            # attributes, resource service values)
            op = self._take()[1]
            if op not in ("==", "!="):
                raise _Unsupported(op)
            return (self._string() == SERVICE) == (op == "==")
        if subject == "request.time":
            op = self._take()[1]
            if op not in ("<", "<=", ">", ">=", "==", "!="):
                raise _Unsupported(op)
            if self._take()[1] != "timestamp":
                raise _Unsupported("timestamp")
            self._take("(")
            when = _timestamp(self._string())
            self._take(")")
            return _compare(self.now, op, when)
        raise _Unsupported(subject)

    def _path(self) -> str:
        kind, first = self._take()
        if kind != "ident":
            raise _Unsupported(first)
        if self._peek() != ".":
            raise _Unsupported(first)
        self._take(".")
        kind, second = self._take()
        if kind != "ident":
            raise _Unsupported(second)
        return f"{first}.{second}"

    def _string(self) -> str:
        kind, value = self._take()
        if kind != "str":
            raise _Unsupported(value)
        return bytes(value[1:-1], "utf-8").decode("unicode_escape")


_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)")
"""CEL's `timestamp(string)` converts "according to RFC3339" (google/cel-spec doc/langdef.md,
Standard Definitions, `timestamp`), whose date-time always ends with its offset, `Z` or
`+HH:MM` (RFC 3339 section 5.6: full-time = partial-time time-offset). A text without one (a
bare date, a local time) is an error in CEL: drift cannot judge it."""


def _timestamp(text: str) -> dt.datetime:
    if _RFC3339.fullmatch(text.upper()) is None:
        raise _Unsupported(text)
    try:  # Python reads up to 9 digits of a fraction (keeps 6), `Z` and `+HH:MM`
        return dt.datetime.fromisoformat(text.upper())
    except ValueError as exc:  # a month 13, a leap second 60
        raise _Unsupported(text) from exc


def _compare(left: dt.datetime, op: str, right: dt.datetime) -> bool:
    return {
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
        "==": left == right,
        "!=": left != right,
    }[op]
