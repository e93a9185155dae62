"""The grammar of a credential assigned inside a value (`drift.credentials`): a password,
secret or token as a flag, a property, a query or connection string parameter, a YAML/JSON
entry or an XML element writes it, percent-encoded inside another URL too; a webhook's token in
its URL; an Azure Storage `SharedKey` Authorization value. One RE2 pattern (`ASSIGNED`), each
credential's value in one of its groups (`GROUPS`): only the value is masked."""

from __future__ import annotations

import functools
import re

_KEY_WORDS = (
    r"password|passwd|passphrase|pwd|pass|secret|token|credentials?|apikey|jwt|signature"
    r"|(?:api|access|secret|private|auth|signing|encryption|master|client|account)[_-]?key"
    r"|sig|(?:primary|secondary)[_-]?key"
)
_SUFFIX_WORDS = r"password|passwd|passphrase|pwd|pass|secret|token"
"""The last words that make a key of one word a credential's (`PGPASSWORD`, `dbpassword`,
`adminpass`, keytool's `-storepass`/`-keypass`, `rootpwd`, `clientsecret`, `authtoken`)."""
_CAMEL_WORDS = (
    r"Password|Passwd|Passphrase|Pwd|Secret|Token|Credentials?"
    r"|(?:Api|Access|Secret|Private|Account)Key"
)
_KEY = (
    r"(?:[A-Za-z0-9._-]*[._-])?"
    rf"(?:(?i:{_KEY_WORDS})|[A-Za-z0-9]*(?i:{_SUFFIX_WORDS})"
    rf"|[A-Za-z0-9._-]*[A-Za-z0-9](?:{_CAMEL_WORDS}))"
)
_NOT_KEYS = (
    r"(?:[A-Za-z0-9._-]*[._-])?[A-Za-z0-9]*(?i:(?:by|com|sur|over|under|tres|fly|low|high"
    r"|band|all|multi|single|one|two)pass)"
)
"""Words that end in `pass` and say nothing of a password: `bypass`, `compass`, `surpass`,
`overpass`, `trespass`, a filter's `lowpass`/`highpass`/`bandpass`, an encoder's `multipass`/
`twopass` (`bypass=x`, `compass=north`, `--lowpass 3k`; `passthrough=1` does not end in a
credential's word). Where such a key is assigned, `ASSIGNED` matches the key alone (its first
alternative, which RE2 prefers): its value is searched as the rest is (`compass="… token=…"`)."""


def _assignment(key: str) -> str:
    """The forms of a credential assigned to `key`, its value in the groups of `GROUPS`."""

    def quoted(quote: str, name: str) -> str:  # a backslash escapes; unclosed: to the line's end
        return rf"{quote}(?P<{name}>(?:[^{quote}\\\n]|\\.)+){quote}?"

    dq, sq, fdq, fsq = quoted('"', "dq"), quoted("'", "sq"), quoted('"', "fdq"), quoted("'", "fsq")
    braced = r"\{(?P<br>(?:[^}\n]|\}\})*)\}?"  # ODBC: `}}` is an escaped `}`
    bare = r"(?P<bare>[^\s&;\"'{][^\s&;\"']*)"
    flag = r"(?P<fbare>[^\s\"'-][^\s\"']*|-[^\s\"'-][^\s\"']+)"
    return (
        rf"{_BEFORE}{key}[\"']?[ \t]*(?:=>|:=|[:=])[ \t]*(?:{dq}|{sq}|{braced}|{bare})"
        rf"|(?:^|\s)--?{key}[ \t]+(?:{fdq}|{fsq}|{flag})"
        rf"|<(?:[A-Za-z0-9_.-]+:)?{key}(?:[ \t][^<>\n]*)?>(?P<xml>[^<]+)"
        rf"|{_BEFORE}{key}(?:{'|'.join(_encoded(d) for d in range(1, _DEEPEST + 1))})"
    )


_BEFORE = r"(?:^|[^A-Za-z0-9._-]|(?i:%(?:25)*[0-9a-f]{2}|\\*u00[0-9a-f]{2}))"
"""What stands before a key: nothing, a character that is not one of a key's, or one written
as an escape (`%26sig=`, `\\u0026sig=`: a query's `&` percent-encoded, or as Go's
encoding/json writes it)."""


_DEEPEST = 4
"""The depths told apart: a value encoded deeper ends as at this one (more hidden, never less)."""


def _at(depth: int, codes: str, *, more: str = "") -> str:
    """An escape of one of `codes` at `depth` (`more`: `"+"`, deeper; `"-"`, at it or shallower;
    `"--"`, shallower): `%3D` is at depth 1, `%253D` at 2 (from `_DEEPEST` on, one depth)."""
    n = depth - 1
    times = {
        "": f"{{{n}}}" if depth < _DEEPEST else f"{{{n},}}",
        "+": f"{{{depth},}}",
        "-": f"{{0,{n}}}",
        "--": f"{{0,{n - 1}}}",
    }[more]
    return f"%(?:25){times}(?i:{codes})"


def _pairs(*codes: str) -> str:
    """An escape's two hex digits (either case), but `codes`."""
    digits = "0123456789abcdef"
    others = "".join(d for d in digits if all(c[0] != d for c in codes))
    parts = [f"[{others}][0-9a-f]"]
    parts += [
        first + "[" + "".join(d for d in digits if first + d not in codes) + "]"
        for first in sorted({c[0] for c in codes})
    ]
    return "(?i:" + "|".join(parts) + ")"


def _value(depth: int, raw: str, enders: tuple[str, ...], own: str = "") -> str:
    """A value's characters at `depth`: `raw` ones, and escapes but those of `enders` at its depth
    or shallower (`own`: which its kind keeps). A `%` escaped (`%25`, `%2525`) where no hex pair
    follows is one of its own too (`x9%Fk` in a query: `x9%25Fk`, once more `x9%2525Fk`; last,
    before an escape that ends it: `credentials._PERCENT_LAST`, as RE2 cannot look ahead)."""
    escape = rf"%(?:25)*{_pairs('25', *enders)}|{_at(depth, '|'.join(enders), more='+')}"
    escape += f"|{own}" if own else ""
    percent = rf"(?:%(?:25)+(?i:[0-9a-f])?)+(?:[^{raw}%0-9A-Fa-f]|{escape}|$)"
    return rf"(?:[^{raw}%]|{escape}|{percent})*"


def _encoded(depth: int) -> str:
    """`key=value` (or a JSON entry, `"key": "value"`) percent-encoded `depth` times inside a URL
    (`?next=https%3A%2F%2Fx%3Fsv%3D2022%26sig%3DSIG`, a redirect's target; `%253D` once more):
    its value ends at what ends it unencoded, written at its own depth or shallower (`%26`,
    `%253B`, `%22`: RFC 3986 section 2.1, a query's delimiters escaped with the rest), never at
    a deeper one, which is the value's own (`%2526` after `%3D`: its own `&`); but for a `'`,
    which a query may hold as it is (JavaScript's encodeURIComponent keeps `'`). A quoted one
    keeps its depth's `&` and runs to its closing quote (`%22a%26b%22`), a `\\"` (`%5C%22`) not
    closing it. Its key's `=` or `:` is escaped at `depth` (`\\u003d`, as JSON may write `=`,
    at the first), a quote and spaces (`%20`, `+`) around it or not."""
    spaces = rf"\+|{_at(depth, '20', more='-')}" + (
        f"|{_at(depth, '2b', more='--')}" if depth > 1 else ""
    )
    json = r"|\\*(?i:u003d)" if depth == 1 else ""
    bare = _value(depth, r"\s&;\"", ("20", "22", "26", "3b", "09", "0a", "0d"))
    quoted = []
    for quote, name in (("22", "pdq"), ("27", "psq")):
        own = f"{_at(depth, '26')}|{_at(depth, '5c')}(?:%(?:25)*(?i:[0-9a-f]{{2}})|[^\\s%])"
        own += f"|{_at(depth, '5c', more='--')}" if depth > 1 else ""
        body = _value(depth, r"\s&\"", (quote, "26", "5c"), own)
        quoted.append(rf"{_at(depth, quote)}(?P<{name}{depth}>{body})")
    return (
        rf"(?:{_at(depth, '22|27')})?(?:{spaces})*(?:{_at(depth, '3a|3d')}{json})(?:{spaces})*"
        rf"(?:{'|'.join(quoted)}|(?P<pct{depth}>{bare}))"
    )


ENCODED_GROUPS = tuple(
    f"{kind}{depth}" for depth in range(1, _DEEPEST + 1) for kind in ("pct", "pdq", "psq")
)
"""The groups of a value percent-encoded inside a URL (`_encoded`)."""
_ENCODED_OP = (
    r"(?:(?i:%(?:25)*(?:22|27)))?(?:\+|(?i:%(?:25)*(?:20|2b)))*(?i:%(?:25)*3[ad]|\\*u003d)"
)
"""An encoded `=` or `:` of a key at any depth (`_encoded`)."""


def _escaped(char: str) -> str:
    """`char` in a URL however it is written in a value: as it is, after JSON's backslashes
    (`\\/`, PHP's json_encode; `\\\\\\/`, JSON inside JSON), as JSON's `\\u002F`, or
    percent-encoded once or more (`%2F`, `%252F`: a URL passed as a query parameter, then that
    URL as one; RFC 3986 section 2.1: "uppercase and lowercase hexadecimal digits are
    equivalent"). One grammar for every depth, in the same single pass of RE2."""
    code = f"{ord(char):02X}"
    return rf"(?:\\*{re.escape(char)}|(?i:\\*u00{code}|%(?:25)*{code}))"


_S = _escaped("/")
_PORT = rf"(?:{_escaped(':')}[0-9]+)?"
_URL_TOKEN = (
    rf"(?i:hooks\.slack(?:-gov)?\.com\.?){_PORT}{_S}[A-Za-z]+{_S}(?:[A-Za-z0-9]+{_S}){{2,}}"
    rf"(?P<url>[A-Za-z0-9_-]+)(?:$|[^\w/\\-]|\\[^/]|{_S}(?:$|[^\w/\\$-]))"
    rf"|(?i:discord(?:app)?\.com){_PORT}{_S}(?i:api)(?:{_S}(?i:v)[0-9]+)?{_S}(?i:webhooks){_S}"
    rf"[0-9]+{_S}(?P<hook>[A-Za-z0-9_-]+)"
)
"""A webhook URL's token, its credential: Slack's `hooks.slack.com/services/T…/B…/TOKEN`, a
`/` or JSON's `\\n` after it or not ("Your webhook URL contains a secret",
api.slack.com/messaging/webhooks), GovSlack's on `hooks.slack-gov.com`
(api.slack-gov.com/gov-slack/about), a port or not, its `/` and `:` written in any of the ways
of `_escaped` (revown71 F2, fixleft80a, revown80 F2), any hook there with its token last after
two ids or more (`/triggers/T…/ID/TOKEN`, `/workflows/T…/A…/ID/TOKEN`: docs.slack.dev
"Creating webhook triggers"), Discord's `…/ID/TOKEN` (discord.com/developers/docs/resources/
webhook). Only the token is masked, the ids kept. A path going on (`…/B…/$(SLACK_TOKEN)`, put
in by Cloud Run) has its own there (revown69 F1); fewer ids, none (`/services/T…/B…`,
`/api/chat.postMessage`: revown69 F2)."""
_BASE64 = rf"(?:[A-Za-z0-9]|{_escaped('+')}|{_S}){{20,}}(?:{_escaped('=')}){{0,2}}"
_SHARED_KEY = (
    rf"{_BEFORE}(?i:sharedkey(?:lite)?)(?:[ \t+]|(?i:%(?:25)*20|\\*u0020))+[A-Za-z0-9._-]+"
    rf"{_escaped(':')}(?P<shared>{_BASE64})"
)
"""Azure Storage's Authorization header, `SharedKey ACCOUNT:SIGNATURE` and `SharedKeyLite …`
(learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key: "Authorization=
\"[SharedKey|SharedKeyLite] <AccountName>:<Signature>\"", the signature a base64 HMAC-SHA256
made with the account key; the scheme's case does not matter, RFC 9110 section 11.1): the
account's name shown, the signature (or a key put there) masked, its `:`, `+`, `/` and `=`
written in any of the ways of `_escaped` too (JSON's `\\/`, percent-encoded in a query:
helper-637 F3)."""
ASSIGNED = (
    rf"{_BEFORE}{_NOT_KEYS}(?:[\"']?[ \t]*(?:=>|:=|[:=])|{_ENCODED_OP})"
    rf"|(?:^|\s)--?{_NOT_KEYS}[ \t]|<(?:[A-Za-z0-9_.-]+:)?{_NOT_KEYS}[ \t>]"
    rf"|{_assignment(_KEY)}|{_URL_TOKEN}|{_SHARED_KEY}"
)
"""A password, secret or token assigned inside a value, as a flag, a property, a query or
connection string parameter, a YAML/JSON entry, a Ruby/Perl/PHP hash or an XML element
writes it: `--db-password=…`, `-Dspring.datasource.password=…`, `?user=app&password=…`,
`Server=db;Pwd=…;`, `token: …`, `?jwt=…`, `"clientSecret": "…"`, `password => '…'`, `password := …`,
`<password>…</password>`, `--db-password …` and keytool's `-storepass …` (a flag's value after
a space, unless it is another flag: `--password --verbose`, `--password -v`; `-S3cr3t` is a
value). The key's last word says so, as a word of its own (`db-password`, `DB_PASS`,
`access_token`, camel case `dbPassword`) or ending a key of one word (`PGPASSWORD`,
`adminpass`, `storepass`: `_SUFFIX_WORDS`; not `bypass`, `compass`: `_NOT_KEYS`); not
`password_min_length=8`, `--pass-through=on`, `max_tokens=4096`. Its value ends at white
space, `&`, `;` or a quote, or is quoted (an unclosed quote runs to the end of the line; a
`\"` or `\'` inside does not close it), or is an ODBC value in braces, which runs to its
closing brace, `}}` being an escaped `}` (MS-ODBCSTR, SQLDriverConnect: `Pwd={a;b}};c}` is
the password `a;b};c`; unclosed, to the end of the line). A `,` or `}` after a bare value is
masked with it: more hidden, never less. Only the value is masked (`--db-password=***
--verbose`, `Pwd={***};`); a harmless value (`true`, `8080`), a placeholder (`$(DB_PASS)`,
Kubernetes'; `${DB_PASS}`, a shell's, Spring's or envsubst's: `_PLACEHOLDER`; Cloud Run
passes both as written, run v2 `EnvVar.value`) or a mask is none. `$DB_PASS` is not a
placeholder, and a password may begin with `$`."""
GROUPS = (
    "dq",
    "sq",
    "br",
    "bare",
    "fdq",
    "fsq",
    "fbare",
    "xml",
    *ENCODED_GROUPS,
    "url",
    "hook",
    "shared",
)
ASSIGNED_HINT = tuple("pass pwd secret token credential key jwt sig hooks".split())
"""What the key of every match of `ASSIGNED` ends with (case folded): a value without any is
not searched with RE2 (every plain value read is looked at, some 32 KiB long)."""


NAME_END = (
    r"(?:_(?:PROD|PRODUCTION|STAGING|STAGE|STG|DEV|TEST|QA|UAT|LIVE|OLD|NEW|PREV|PREVIOUS|NEXT"
    r"|CURRENT|PRIMARY|SECONDARY|BACKUP|V?[0-9]+))*$"
)
"""The end of a name, after words that only say which one of several it is (`DB_PASS_PROD`,
`SMTP_PASS_OLD`, `SIGNING_KEY_V2`, `WEBHOOK_HMAC_2`): a "last word" rule looks past them."""
_CREDENTIAL_NAME = re.compile(
    r"(SECRET|PASSWORD|PASSWD|PWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH_KEY"
    rf"|SIGNING_KEY|ENCRYPTION_KEY|FERNET|DSN|CONNECTION_STRING|DATABASE_URL|_KEY{NAME_END}"
    rf"|(?:WRITE|INGEST)KEY{NAME_END}"
    r"|OTLP_(?:[A-Z]+_)?HEADERS"
    rf"|PASSPHRASE|(?<![A-Z0-9])PASS_?[0-9]*{NAME_END}|(?<![A-Z0-9])PW(?![A-Z])"
    rf"|(?<![A-Z0-9])AUTH{NAME_END}|(?<![A-Z0-9])(?:SALT|HMAC|JWT|BEARER)[0-9]*{NAME_END})",
    re.IGNORECASE,
)
"""Names that say a variable holds a secret, when its value is long and opaque enough
(`looks_like_credential`). `PASS` only as the last word of the name (`DB_PASS`, `SMTP_PASS`,
`PASS_2`, `DB_PASS_PROD`; not `PASS_THROUGH`, `DB_PASS_FILE`, `MIN_PASS_SCORE`, `PASSENGER_COUNT`,
`BYPASS_CACHE`), `PW` only as a word (`DB_PW`), `AUTH` only as the last word (`BASIC_AUTH`;
not `AUTHOR`, `OAUTH_CLIENT_ID`), `SALT`, `HMAC`, `JWT` and `BEARER` only as the last word
(`SESSION_SALT`, `WEBHOOK_HMAC`, `LEGACY_JWT`, `SERVICE_JWT_PROD`, `UPSTREAM_BEARER`; not
`SALT_MASTER`, `HMAC_ALGORITHM`, `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_ALGORITHM`, `JWKS_URL`);
OpenTelemetry's `OTEL_EXPORTER_OTLP_HEADERS` (and its `_TRACES_`, `_METRICS_`, `_LOGS_`
forms), which carries the exporter's API key (`x-honeycomb-team=…`, `api-key=…`)."""


@functools.lru_cache(maxsize=4096)
def credential_name(name: str) -> bool:
    """Whether a variable's name (or a key's) says it holds a secret (names repeat across
    services)."""
    return _CREDENTIAL_NAME.search(name) is not None
