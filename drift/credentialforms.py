"""The grammar of a credential assigned inside a value (`drift.credentials`): a password,
secret or token as a flag, a property, a query or connection string parameter, a YAML/JSON
entry or an XML element writes it, percent-encoded inside another URL too; a webhook's token in
its URL; an Azure Storage `SharedKey` Authorization value. One RE2 pattern (`ASSIGNED`), each
credential's value in one of its groups (`GROUPS`): only the value is masked."""

from __future__ import annotations

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
        rf"|{_BEFORE}{key}{_ENCODED_EQUALS}{_ENCODED_VALUE}"
    )


_BEFORE = r"(?:^|[^A-Za-z0-9._-]|(?i:%(?:25)*[0-9a-f]{2}|\\*u00[0-9a-f]{2}))"
"""What stands before a key: nothing, a character that is not one of a key's, or one written
as an escape (`%26sig=`, `\\u0026sig=`: a query's `&` percent-encoded, or as Go's
encoding/json writes it)."""
_ENCODED_EQUALS = r"(?i:%(?:25)*3d|\\*u003d)"
_ENCODED_VALUE = (
    r"(?P<pct>(?:[^\s&;\"'%]|%(?:25)*(?i:[013-9a-f][0-9a-f]|2[0-47-9a-f])"
    r"|%25[^\s&;\"'%0-9A-Fa-f])+)"
)
"""A query parameter's value in a URL percent-encoded inside another (`?next=https%3A%2F%2Fa.
blob.core.windows.net%2Fc%3Fsv%3D2022%26sig%3DSIG`, a redirect's target; `%253D` once more,
`\\u003d` as JSON may write `=`): after an encoded `=`, to the encoded `&` that ends it at
any depth (`%26`, `%2526`: RFC 3986 section 2.1, the query's delimiter escaped with the rest),
or to what ends a bare value (white space, `&`, `;`, a quote). Its own escapes are part of it,
a `%25` before a character that is no hex digit too (a `%` of the value, escaped once)."""
ENCODED_GROUP = "pct"


def _escaped(char: str) -> str:
    """`char` in a URL however it is written in a value: as it is, after JSON's backslashes
    (`\\/`, PHP's json_encode; `\\\\\\/`, JSON inside JSON), as JSON's `\\u002F`, or
    percent-encoded once or more (`%2F`, `%252F`: a URL passed as a query parameter, then that
    URL as one; RFC 3986 section 2.1: "uppercase and lowercase hexadecimal digits are
    equivalent"). One grammar for every depth, in the same single pass of RE2."""
    code = f"{ord(char):02X}"
    return rf"(?:\\*{char}|(?i:\\*u00{code}|%(?:25)*{code}))"


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
_SHARED_KEY = (
    r"(?:^|[^A-Za-z0-9._-])(?i:sharedkey(?:lite)?)[ \t]+[A-Za-z0-9._-]+:"
    r"(?P<shared>[A-Za-z0-9+/]{20,}={0,2})"
)
"""Azure Storage's Authorization header, `SharedKey ACCOUNT:SIGNATURE` and `SharedKeyLite …`
(learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key: "Authorization=
\"[SharedKey|SharedKeyLite] <AccountName>:<Signature>\"", the signature a base64 HMAC-SHA256
made with the account key; the scheme's case does not matter, RFC 9110 section 11.1): the
account's name shown, the signature (or a key put there) masked."""
ASSIGNED = (
    rf"{_BEFORE}{_NOT_KEYS}(?:[\"']?[ \t]*(?:=>|:=|[:=])|{_ENCODED_EQUALS})"
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
    ENCODED_GROUP,
    "url",
    "hook",
    "shared",
)
ASSIGNED_HINT = tuple("pass pwd secret token credential key jwt sig hooks".split())
"""What the key of every match of `ASSIGNED` ends with (case folded): a value without any is
not searched with RE2 (every plain value read is looked at, some 32 KiB long)."""
