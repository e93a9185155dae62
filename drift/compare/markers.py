"""What a value says about where it belongs, for `drift compare`'s `value.shared` and
`value.foreign`: whether it names an environment or a project, and whether it addresses a
stateful backend."""

from __future__ import annotations

import re
from collections.abc import Iterable

_BACKEND_NAME = re.compile(
    r"HOST|ADDR|SERVER|ENDPOINT|DSN|DATABASE|(^|_)DB(_|$)|REDIS|POSTGRES|(^|_)PG|MYSQL|MONGO"
    r"|MEMCACHE|CACHE|QUEUE|BROKER|AMQP|KAFKA|ELASTIC|BUCKET|CONNECTION|(^|_)SQL",
    re.IGNORECASE,
)
_BACKEND_SCHEME = re.compile(
    r"^(postgres(ql)?|mysql|redis|rediss|mongodb(\+srv)?|amqps?|kafka|memcached?|jdbc:[a-z]+)://",
    re.IGNORECASE,
)
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_HOST = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^/@\s]*@)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?(?:/.*)?$",
    re.IGNORECASE,
)
_LOOPBACK = ("127.", "0.0.0.0")

_STRUCTURE = frozenset("./:@_=?&#-")
"""What stands beside a word of a host, a URL, a path or an id (`api.staging.example.com`,
`projects/shop-staging`, `events-staging`, `shop_staging`, `?env=staging`): a marker beside one
of these is part of an address. Beside white space only, it is a word of prose or of a list
of flags (`disabled in production`), which names nothing."""
_MODE_VARIABLE = re.compile(
    r"^(?:(?:NODE|BABEL|RAILS|RACK|HANAMI|FLASK|MIX|GO)_ENV|(?:ASPNETCORE|DOTNET)_ENVIRONMENT"
    r"|GIN_MODE)$",
    re.IGNORECASE,
)
"""Variables whose value is a framework's mode, how the code runs: `NODE_ENV=production` is
right in staging too (Node.js, Express and webpack read only `production`; Rails, Rack,
Hanami, Flask, Elixir's Mix, .NET and Gin have their own few words)."""
_MODES = frozenset(["production", "prod", "development", "dev", "test", "release", "debug"])
"""The words of those modes: in a mode variable, a mode and not an environment's name
(`RAILS_ENV=staging` or `ASPNETCORE_ENVIRONMENT=Staging` still name one)."""


def points_at_backend(name: str, value: str) -> bool:
    """An equal value that most likely addresses one stateful backend (not a public API)."""
    if _BACKEND_SCHEME.match(value):
        return True
    for match in _IPV4.finditer(value):
        if not match.group(0).startswith(_LOOPBACK):
            return True
    return bool(_BACKEND_NAME.search(name) and _HOST.match(value.strip()))


def mentions(text: str, marker: str, variable: str = "", longer: Iterable[str] = ()) -> bool:
    """Whether `text` (the value of `variable`, if a variable's) names `marker`, an
    environment, a project id or number: the whole value is `marker` (`ENVIRONMENT=staging`,
    `GCP_PROJECT=shop-staging`), but for a framework's mode in its mode variable
    (`NODE_ENV=production`: `_MODE_VARIABLE`); or `marker` is a whole token of a longer value
    beside a separator of hosts, URLs, paths and ids (`_STRUCTURE`: `https://api.staging.
    example.com`, `projects/shop-staging/topics/x`, `700000000001-compute@…`), but for the
    first directory of an absolute Linux path (`_path_root`: `/dev/shm`). Markers shorter
    than 3 characters are never looked for: they are in too many words. A token inside one
    of a `longer` marker that holds it (`acme-staging` in `acme-staging-eu`) is that one's."""
    if len(marker) < 3:
        return False
    spans = _spans_of_longer(text, marker, longer)
    whole = text.strip()
    if whole.lower() == marker.lower():
        return not (_MODE_VARIABLE.match(variable) and whole.lower() in _MODES)
    hosts = [m.span() for m in _HOSTNAME.finditer(text)]
    for match in _token(marker).finditer(text):
        start, stop = match.span()
        if any(begin <= start and stop <= end for begin, end in spans):
            continue  # a word of the longer marker's (`staging` in `api.staging-eu.…`)
        if any(_registered(text, host, start, stop) for host in hosts):
            continue  # `docs.shop.dev`, `web.dev`, `login.live.com`: not the environment's
        if _path_root(text, start, stop):
            continue  # `/dev/shm`, `/dev/stdout`: Linux's device tree, not `dev`'s
        if text[start - 1 : start] in _STRUCTURE or text[stop : stop + 1] in _STRUCTURE:
            return True
    return False


_LINUX_ROOTS = frozenset(
    ["bin", "boot", "dev", "etc", "home", "lib", "media", "mnt", "opt", "proc", "root", "run"]
    + ["srv", "sys", "tmp", "usr", "var"]
)
"""The top-level directories of a Linux file system (the Filesystem Hierarchy Standard):
`/dev` is the device tree (`/dev/shm`, Cloud Run's in-memory file system, run/docs/
container-contract#filesystem; `/dev/stdout`, `/dev/null`), whatever an environment is named."""
_DEVICES = frozenset(
    ["shm", "stdout", "stderr", "stdin", "null", "zero", "random", "urandom", "full", "fd"]
    + ["pts", "tty", "console", "log", "mqueue", "termination-log"]
)
"""The entries of Linux's device tree a value names (`/dev/shm`, `/dev/stdout`, `/dev/null`,
Kubernetes' `/dev/termination-log`): any other `/dev/…` may be an API's route for an
environment named `dev` (`/dev/v1`), and still names it."""
_PATH_START = frozenset(" \t=:,;'\"([")
"""What stands before the `/` that starts an absolute path inside a longer value
(`--log=/dev/stderr`, `PATH`'s `/usr/bin:/dev/fd`)."""


def _path_root(text: str, start: int, stop: int) -> bool:
    """Whether the token at `start:stop` is the first directory of an absolute path, one of
    `_LINUX_ROOTS` as written (Linux names are case-sensitive: `/Dev` is none): the value
    starts with it, or the `/` before it starts a path (after `file://`, or `_PATH_START`).
    A later directory (`/srv/dev`), a URL's path (`https://host/dev`) or a bucket's
    (`gs://assets/dev`) is no root, and still names `dev`."""
    root = text[start:stop]
    if root not in _LINUX_ROOTS or text[start - 1 : start] != "/":
        return False
    if text[stop : stop + 1] != "/":  # a bare `/dev`, `/dev,…`: a route as well as a root
        return False
    entry = re.match(r"[^/\s=:,;'\"()\[\]]*", text[stop + 1 :])
    if not entry or not entry.group() or (root == "dev" and entry.group() not in _DEVICES):
        return False  # `/dev/v1` is an API's route (helper-625 F5): only the device tree's own
    before = text[: start - 1]
    return before == "" or before[-1] in _PATH_START or before.endswith("file://")


_HOSTNAME = re.compile(r"(?:(?<=://)|(?<=@))[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
"""A host, where a URL or an address names one (after `://` or `@`)."""
_PRIVATE_ZONES = frozenset(["internal", "local", "localhost", "lan", "corp", "home", "arpa"])
"""Names no registry hands out (RFC 6761, 6762, 8375; ICANN's `.internal`): every label of
`db.dev.internal` is its owner's, so `dev` there is an environment's."""


def _registered(text: str, host: tuple[int, int], start: int, stop: int) -> bool:
    """Whether the token at `start:stop` is a whole label of `host` that is its top-level
    domain or the label registered under it (`shop.dev`'s `dev`, `login.live.com`'s `live`):
    a domain's name, a third party's or the public suffix, never one environment's part of a
    name it owns (`api.dev.example.com`'s `dev` is). A private zone has no such labels."""
    begin, end = host
    if not (begin <= start and stop <= end):
        return False
    labels = text[begin:end].lower().split(".")
    if labels[-1] in _PRIVATE_ZONES:
        return False
    position = begin + len(".".join(labels[:-2])) + (1 if len(labels) > 2 else 0)
    return (
        start >= position
        and (start == begin or text[start - 1] == ".")
        and (stop == end or text[stop] == ".")
    )


def without(text: str, marker: str, keep: Iterable[str] = ()) -> str:
    """`text` without `marker` as a whole token (a side's own environment and project), but
    where it is part of a `keep` marker that holds it (the other side's `staging-eu`, where
    the side's own is `staging`): that one is still there to be found."""
    if len(marker) < 3:
        return text
    spans = _spans_of_longer(text, marker, keep)

    def blank(match: re.Match[str]) -> str:
        start, stop = match.span()
        inside = any(begin <= start and stop <= end for begin, end in spans)
        return match.group(0) if inside else " "

    return _token(marker).sub(blank, text)


def _spans_of_longer(text: str, marker: str, longer: Iterable[str]) -> list[tuple[int, int]]:
    """Where in `text` each of the `longer` markers that hold `marker` stands as a token."""
    held = [m for m in longer if len(m) > len(marker) and marker.lower() in m.lower()]
    return [found.span() for m in held for found in _token(m).finditer(text)]


def _token(marker: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(marker)}(?![A-Za-z0-9])", re.IGNORECASE)
