"""Secret masking happens on the data, before any format escapes it: a secret quoted in a
server error, a probe's answer or a message never reaches any format in any escaped form; the
final scrub still knows those forms; and a short or common secret value (`true`, `42`) never
touches the structure of an output or an unrelated value."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from drift import credentials, redact
from drift.findings import Severity, Unverified
from drift.format import OutputFormat, formatter_for
from drift.report import Report
from drift.textsafe import github_data, github_property, md_code, md_text, sarif_plain, visible
from tests.format.conftest import (
    CLOSE_1011,
    DATA,
    DRIFT_REPORT,
    FAILED_PROBE,
    MISSING,
    SETTING,
    make_finding,
    make_report,
)

MARK = "qzleak"
"""Every secret below holds it: whatever escaping does to the rest, it survives."""
SECRETS = {
    "quote-backslash-umlaut": f'Pa"ss\\wörd-{MARK}1',
    "percent-pipe-markdown": f"p%25|x_*`[a]<b>&~{MARK}2",
    "newline": f"first line\nsecond-{MARK}3",
    "control-and-unicode": f"\x1b[31m∆ünï\u202e-{MARK}4\r",
    "json-escape-lookalike": f"\\u00f6\\n{MARK}5\\\\",
}
SHORT = ("true", "false", "42", "abc", "null", "0")
COMMON = ("ignored", "executionSuccessful", "error", "12345678", "warning")
REPORT_SCHEMA: dict[str, Any] = json.loads((DATA / "report.schema.json").read_text())
SARIF_SCHEMA: dict[str, Any] = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture(autouse=True)
def _registered(_process_state_of_this_test_only: None) -> None:
    for value in (*SECRETS.values(), *SHORT, *COMMON):
        redact.register(value)


def quoting(secret: str) -> Report:
    """A report in which every free-text field quotes `secret`, as a server or a careless
    message would."""
    finding = dataclasses.replace(
        MISSING,
        message=f"E2E_OAUTH_SIMULATION_KEY is not set (server said: {secret})",
        expected=f"secret {secret}",
        actual=secret,
    )
    probe = dataclasses.replace(
        FAILED_PROBE, close_reason=f"bad subprotocol jwt.{secret}", detail=f"echo: {secret}"
    )
    gap = Unverified("auth", "secret.fernet-key", f"PERMISSION_DENIED: denied: {secret}")
    report = make_report((finding, CLOSE_1011, SETTING), probes=(probe,), unverified=(gap,))
    return dataclasses.replace(report, notes=(f"note quoting {secret}",))


@pytest.mark.parametrize("fmt", list(OutputFormat))
@pytest.mark.parametrize("name", list(SECRETS))
def test_a_quoted_secret_reaches_no_format(fmt: OutputFormat, name: str) -> None:
    text = formatter_for(fmt, width=100).render(quoting(SECRETS[name]))
    assert MARK not in text
    assert "***" in text.replace("\\*", "*")  # Markdown escapes the mask


@pytest.mark.parametrize("name", list(SECRETS))
def test_the_final_scrub_knows_every_escaped_form(name: str) -> None:
    secret = SECRETS[name]
    forms = [
        secret,
        visible(secret),
        json.dumps(secret),
        json.dumps(secret, ensure_ascii=False),
        json.dumps(sarif_plain(secret)),  # `\\`, `[`, `]`, braces escaped in a SARIF message
        md_text(secret),
        md_code(secret),
        github_data(visible(secret)),
        github_property(visible(secret)),
    ]
    for form in forms:
        assert MARK not in redact.scrub(f"before {form} after"), form


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_short_and_common_secret_values_touch_nothing(fmt: OutputFormat) -> None:
    """`true` is a secret value here (read for a `one_of` rule): the JSON literal `false`,
    the SARIF `executionSuccessful: true` and the plain profile value "true" stay as they
    are, and the output still parses."""
    plain = make_finding(
        "env.value",
        Severity.ERROR,
        "api",
        "env.TEST_MODE",
        "TEST_MODE is false, the profile says true (error 42)",
        expected="true",
        actual="false",
    )
    report = dataclasses.replace(DRIFT_REPORT, findings=(*DRIFT_REPORT.findings, plain))
    text = formatter_for(fmt, width=100).render(report)
    assert redact.scrub(text) == text
    if fmt is OutputFormat.JSON:
        data = json.loads(text)
        jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(data)
        (shown,) = [f for f in data["findings"] if f["target"] == "env.TEST_MODE"]
        assert (shown["expected"], shown["actual"], shown["ignored"]) == ("true", "false", False)
        assert shown["message"] == plain.message
    elif fmt is OutputFormat.SARIF:
        data = json.loads(text)
        jsonschema.Draft202012Validator(SARIF_SCHEMA).validate(data)
        # a literal `true` or `false` (false here: the report could not verify everything)
        assert data["runs"][0]["invocations"][0]["executionSuccessful"] is not report.unverified
    else:
        assert "the profile says true" in text


def test_the_rule_for_short_values() -> None:
    """Short values are never searched for in text; longer ones are, and words and numbers
    are left out of the final pass over rendered text only."""
    assert redact.mask("enabled: true, count 42, abc") == "enabled: true, count 42, abc"
    assert redact.mask("error 12345678 executionSuccessful") == "error *** ***"
    rendered = '{"executionSuccessful": true, "n": 12345678}'
    assert redact.scrub(rendered) == rendered
    assert redact.scrub("{" + json.dumps(SECRETS["newline"]) + ": 1}") == '{"***": 1}'


def test_a_gap_reason_from_before_the_secret_was_known_is_masked() -> None:
    """An error that quoted a value before drift read it as a secret, cut at 300 characters
    (the unverified reason keeps a prefix only), is masked once the report is rendered."""
    late = f"late-secret-{MARK}-" + "0123456789abcdef" * 3
    reason = ("PERMISSION_DENIED: " + "y" * 270 + late)[:300]
    report = make_report(unverified=(Unverified("api", "secret.late", reason),))
    redact.register(late)
    for fmt in OutputFormat:
        assert MARK not in formatter_for(fmt).render(report)


def test_a_cut_echo_of_a_secret_in_a_probe_answer_is_masked_on_the_data() -> None:
    token = f"token-{MARK}-abcdefghij0123456789"
    redact.register(token)
    for cut in (8, 9, 14, 20, len(token) - 1):
        probe = dataclasses.replace(
            FAILED_PROBE, detail=f"HTTP 401: bad token {token[:cut]}", close_reason=token[:cut]
        )
        for fmt in OutputFormat:
            text = formatter_for(fmt).render(make_report(probes=(probe,)))
            assert token[:8] not in text, (cut, fmt)


def test_a_secret_flattened_to_one_line_by_an_error_is_still_found() -> None:
    """An API error quotes a value before drift knows it is a secret, and drift flattens the
    server's message to one line: the newline inside the secret became a space."""
    from drift.errors import ApiError

    secret = f"first line\n{MARK}-flat second"
    error = ApiError("GetIamPolicy", "projects/p/secrets/s", "DENIED", f"denied for {secret}")
    assert "\n" not in error.reason
    redact.register(secret)
    report = make_report(unverified=(Unverified("api", "secret.s", error.reason),))
    for fmt in OutputFormat:
        assert MARK not in formatter_for(fmt).render(report)


def test_a_cut_secret_that_ends_an_error_is_masked_inside_drift_s_sentence() -> None:
    """A server's message that ends in a secret cut to `CUT_MIN`..`FRAGMENT_MIN - 1`
    characters, quoted by drift inside a sentence of its own (a fix's abort), where the
    server's text no longer ends what is printed."""
    from drift.errors import ApiError

    secret = f"Kv9{MARK}-cut-at-six-0123456789"
    redact.register(secret)
    error = ApiError("UpdateService", "projects/p/services/api", "INVALID_ARGUMENT", secret[:6])
    sentence = f"deploying the canary failed ({error.reason}); nothing was changed"
    assert "INVALID_ARGUMENT: ***); nothing" in redact.mask(sentence, echo=True)


def test_a_secret_learned_after_an_error_that_shares_a_known_secret_s_start_is_found() -> None:
    """An error quotes secret B before drift knows it, and B starts as a known secret A does
    (`-----BEGIN PRIVATE KEY-----`, `postgres://app:`): the error masks A whole, never A's
    start inside B (B's rest would then be out of reach once B is known)."""
    from drift.errors import ApiError

    known = f"shared-start-{MARK}-one-aaaaaaaa"
    later = f"shared-start-{MARK}-two-bbbbbbbb"
    redact.register(known)
    error = ApiError("GetIamPolicy", "projects/p/secrets/s", "DENIED", f"denied for {later} ok")
    redact.register(later)
    report = make_report(unverified=(Unverified("api", "secret.s", error.reason),))
    for fmt in OutputFormat:
        text = formatter_for(fmt).render(report)
        assert MARK not in text and "bbbbbbbb" not in text, fmt


def test_a_url_secret_s_scheme_alone_is_no_piece_of_it() -> None:
    """A secret that is a URL (a Slack hook in a plain variable) starts with `https://`, as
    every link a server's message holds does: a prefix counts the secret's characters past
    its scheme (`FRAGMENT_MIN` of them in a server's text, `CUT_MIN` where it was cut), as
    for a secret without one (fixleft80a: `***example.com/x`)."""
    hook = f"https://hooks.{MARK}.example/services/T0/B0/Zq8Xv2Lm4Np6Rt1Yw3Kb5Hc7"
    redact.register(hook)
    for public in (
        "denied: see https://cloud.google.com/run/docs/securing for help",
        "invalid value https://example.com/x",
        "unsupported scheme https:/",
        "unsupported scheme http",
    ):
        assert redact.mask(public, echo=True) == public
        assert redact.mask_cut(public) == public
    for cut in (len("https://hooks.qz"), len("https://hooks.qzle"), len(hook) - 1):
        said = f"invalid value '{hook[:cut]}' (truncated)"
        assert redact.mask(said, echo=True) == "invalid value '***' (truncated)", cut
    assert redact.mask_cut(f"bad hook {hook[:12]}") == "bad hook ***"


@pytest.mark.parametrize(("stored", "shown"), [("NFC", "NFD"), ("NFD", "NFC")])
def test_a_secret_in_another_unicode_normal_form_is_masked(stored: str, shown: str) -> None:
    """`é` as one code point or as `e` and a combining accent: the same secret, masked in the
    text as it is printed (the text itself is not normalised)."""
    import unicodedata

    secret = f"caf\u00e9-{MARK}-p\u00e4ssw\u00f6rd-{stored}"
    redact.register(unicodedata.normalize(stored, secret))
    printed = unicodedata.normalize(shown, secret)
    assert printed != unicodedata.normalize(stored, secret)
    text = f"value {printed} and \u00e9t\u00e9 after"
    for masked in (redact.mask(text), redact.mask(text, echo=True), redact.scrub(text)):
        assert masked == "value *** and \u00e9t\u00e9 after"


def test_a_secret_stored_with_a_trailing_newline_is_masked_wherever_its_content_is() -> None:
    """`echo VALUE | gcloud secrets create --data-file=-` stores VALUE and a newline; a plain
    variable, a message or a server holds VALUE alone. The mask takes the content and leaves
    the text's own line breaks where they were."""
    secret = f"{MARK}-horse-staple-6\n"
    redact.register(secret)
    content = secret.strip()
    assert redact.mask(f"was {content}\nnext line") == "was ***\nnext line"
    assert redact.mask(f"{content}\n\nend") == "***\n\nend"
    for fmt in OutputFormat:
        rendered = formatter_for(fmt).render(quoting(content))
        assert MARK not in rendered, fmt
        assert redact.scrub(rendered) == rendered  # masked on the data already


@settings(max_examples=300)
@example(name="MODE", before="", mark="-----BEGIN ", after="RSA PRIVATE KEY-----")
@example(name="MODE", before="", mark="-----BEGIN ", after="RSA PRIVATE KEY----- MIIE")
@example(name="MODE", before="", mark="AKIA", after="ABCDEFGHIJ012345")
@example(name="MODE", before="", mark="AIza", after="a" * 35)
@example(name="MODE", before="", mark="ghp_", after="a" * 36)
@example(name="MODE", before="", mark="xoxb-", after="0123456789")
@example(name="MODE", before="", mark="sk_live_", after="a" * 16)
@example(name="MODE", before="", mark="eyJ", after="abcdefgh.abcdefgh.abcdefgh")
@example(name="MODE", before="redis", mark="://", after=":pass@host")
@given(
    name=st.sampled_from(["MODE", "API_KEY", "DATABASE_URL", "REGION", "SIGNING_KEY"]),
    before=st.text(max_size=12),
    mark=st.sampled_from(
        ["", "-----BEGIN ", "AKIA", "AIza", "ghp_", "xoxb-", "sk_live_", "eyJ", "://", "gh", "sk_"]
    ),
    after=st.text(alphabet="abcXYZ019_-.:@/ ", max_size=60),
)
def test_the_quick_look_for_credentials_decides_as_the_whole_pattern(
    name: str, before: str, mark: str, after: str
) -> None:
    """`looks_like_credential` skips the whole pattern for values with none of the texts
    every credential shape begins with: it must decide exactly as the whole pattern does (but
    for a private key's BEGIN line alone: `armour_only`)."""
    value = before + mark + after
    shaped = credentials._credential_value().finditer(value)
    whole = any(not credentials.armour_only(m.group(0)) for m in shaped) or (
        credentials.credential_name(name)
        and not credentials._HARMLESS.match(value.strip())
        and len(value) >= 8
    )
    assert credentials._whole_credential(name, value) is whole


def test_a_value_named_like_a_secret_is_not_masked_everywhere_it_appears() -> None:
    """`SECRET_MANAGER_PROJECT=acme-chat-staging` is named like a secret, not shaped like
    one: remembering it masked the project id in every finding (`auth@***.iam…`), so that
    findings could no longer be read. Its own variable's value is still masked where shown;
    a value shaped like a credential, or one the profile says is a secret, is remembered."""
    from drift.findings import Location
    from drift.live.model import EnvVar
    from drift.live.remember import remember_config
    from drift.profiles.model import ServiceProfile, VarRule
    from tests.livestate import config

    project = "acme-chat-staging-7f3e"
    shaped = "sk_live_0123456789abcdefREMEMBERME"
    salt = "plain-salt-the-profile-calls-secret"
    live = config(
        [
            EnvVar("SECRET_MANAGER_PROJECT", value=project),
            EnvVar("BILLING_KEY_SHAPED", value=shaped),
            EnvVar("SIGNING_SALT", value=salt),
        ]
    )
    rules = {"SIGNING_SALT": VarRule("SIGNING_SALT", Location("p.yaml", 4), secret="salt")}
    profile = ServiceProfile("api", Location("p.yaml", 2), env=rules)
    remember_config(profile, live)
    text = f"auth@{project}.iam.gserviceaccount.com; {shaped}; {salt}"
    assert redact.mask(text) == f"auth@{project}.iam.gserviceaccount.com; ***; ***"
    assert credentials.looks_like_credential("SECRET_MANAGER_PROJECT", project)  # its own: masked


def test_a_binary_payload_is_masked_by_each_readable_run_of_eight_or_more() -> None:
    """`register_payload` (check and compare --live): the runs between bytes that are not
    UTF-8 and control characters, of `FRAGMENT_MIN` characters or more (a shorter one is no
    value the masker searches for), in what a server sent back; elsewhere a run is left as it
    is (a certificate's public names: revown27); a text payload is one value, its lines
    included, but for a payload that lists keys, one a line (helper-657 HIGH-1)."""
    redact.register_payload(
        b"\x30\x82\x01\x0a\x0c\x0fpl-run-one-77aa\xc3\x28\x00pl-7chr\x1bpl run two 88bb\xff"
    )
    text = "a pl-run-one-77aa b pl-7chr c pl run two 88bb d"
    assert redact.mask(text, echo=True) == "a *** b pl-7chr c *** d"
    assert redact.mask(text) == text
    assert redact.mask("pl-run-one-77…", echo=True) == "***…"
    redact.register_payload(b"pl text first line\npl-text-second-99")
    assert redact.mask("x pl text first line y") == "x pl text first line y"  # a piece of text
    assert redact.mask("pl text first line\npl-text-second-99") == "***"
    # but a payload whose every line is one token lists keys (a rotation pair): each line is
    # a secret of its own (helper-657 HIGH-1: init wrote a plain copy of one into the profile)
    redact.register_payload(b"pl-key-first-line\npl-key-second-99")
    assert redact.mask("x pl-key-first-line y") == "x *** y"


def test_a_plain_copy_of_a_read_secret_in_a_common_encoding_is_masked_as_an_exact_copy() -> None:
    """revleak60 F4: a sidecar's `B64=<base64 of a secret drift read>` was printed by `plan
    --format yaml` and `init` while an exact copy was masked. Each form `echoed_forms` knows
    (base64 with or without padding, URL-safe, percent-encoded) is the secret's, on the data
    (`Conversion.plain`, the plan's YAML, masks what `redact.mask` changes)."""
    import base64
    from urllib.parse import quote

    from drift.fix.knative.conversion import Conversion

    value = "Bx9Qv7Lm/Np3+Rwt"
    redact.register_payload(f"{value}\n".encode())  # stored with a trailing newline
    packed = base64.b64encode(value.encode()).decode()
    for form in (
        packed,
        packed.rstrip("="),
        base64.urlsafe_b64encode(value.encode()).decode(),
        quote(value, safe=""),
    ):
        assert form != value and redact.mask(f"B64={form}") == "B64=***", form
        conversion = Conversion()
        assert conversion.plain("side", "B64", form) == redact.MASK
        assert conversion.inexact == ["side/B64 holds a secret value: not printed"]


def test_a_long_server_message_is_cut_between_words() -> None:
    """revjobs60 F2: "… role (roles/secr" — the cut ends on a whole word, marked `…`."""
    from drift.errors import ApiError

    words = "granted the 'Secret Manager Secret Accessor' role (roles/secretmanager.secretAccessor)"
    error = ApiError("UpdateJob", "projects/p/jobs/etl", "INTERNAL", " ".join([words] * 6))
    assert error.detail.endswith(" …"), error.detail
    said = error.detail.removesuffix(" …").split(" ")
    assert set(said) <= set(words.split(" ")), said


def test_the_end_of_a_secret_a_server_quotes_back_is_masked_from_eight_characters() -> None:
    """A server that shortens a value from the left (`…` and its last characters, as a log
    line cut to fit shows it) leaves a suffix: masked from `FRAGMENT_MIN` characters, as a
    prefix is; seven are left alone, as they are at the start."""
    secret = f"tail-{MARK}-Zq8Xv2Lm4Np6Rt1Yw3"
    redact.register(secret)
    assert redact.mask(f"bad key …{secret[-12:]} (cut)", echo=True) == "bad key …*** (cut)"
    assert redact.mask(f"bad key {secret[-8:]}", echo=True) == "bad key ***"
    assert redact.mask(f"bad key {secret[-7:]}!", echo=True) == f"bad key {secret[-7:]}!"
    assert redact.mask(f"x {secret} y", echo=True) == "x *** y"
    assert redact.mask(f"bad key …{secret[-12:]}") == f"bad key …{secret[-12:]}"  # not a server's
