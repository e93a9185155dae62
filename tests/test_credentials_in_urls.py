"""Review revcomp67 F4: a webhook's URL (Slack, Discord) carries its credential in its path, a
signed URL (GCS V4, AWS SigV4, CloudFront/GCS V2) in its signature parameter; drift printed
them whole (history, check's `actual`), even under `SLACK_WEBHOOK_SECRET`, as `_HARMLESS`
took any `https://` URL without `@` for harmless. Now the credential part is masked, the host
and the ids kept (which hook); a documentation URL stays visible."""

from __future__ import annotations

import pytest

from drift.credentials import conceal, credential_pieces, hidden_plain

SLACK = "FAKEfakeFAKEfake0123abcd"
CASES = [
    (
        f"https://hooks.slack.com/services/T00000000/B00000000/{SLACK}",
        SLACK,
        "https://hooks.slack.com/services/T00000000/B00000000/***",
    ),
    (  # revown68 F2: Workflow Builder's webhook triggers start the workflow for whoever holds them
        f"https://hooks.slack.com/triggers/T00000000/4567890123456/{SLACK}",
        SLACK,
        "https://hooks.slack.com/triggers/T00000000/4567890123456/***",
    ),
    (
        f"https://hooks.slack.com/workflows/T00000000/A00000000/456789012345678901/{SLACK}",
        SLACK,
        "https://hooks.slack.com/workflows/T00000000/A00000000/456789012345678901/***",
    ),
    (
        "https://discord.com/api/webhooks/123456789012345678/FAKE-fake_FAKEfake0123",
        "FAKE-fake_FAKEfake0123",
        "https://discord.com/api/webhooks/123456789012345678/***",
    ),
    (
        "https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256"
        "&X-Goog-Signature=0123abcdef4567&X-Goog-Expires=900",
        "0123abcdef4567",
        "https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256"
        "&X-Goog-Signature=***&X-Goog-Expires=900",
    ),
    (
        "https://b.s3.amazonaws.com/o?X-Amz-Expires=60&X-Amz-Signature=fe01dc23ba45",
        "fe01dc23ba45",
        "https://b.s3.amazonaws.com/o?X-Amz-Expires=60&X-Amz-Signature=***",
    ),
    (
        "https://d1.cloudfront.net/o?Expires=1700000000&Signature=aBcD~eFgH-iJ&Key-Pair-Id=K2",
        "aBcD~eFgH-iJ",
        "https://d1.cloudfront.net/o?Expires=1700000000&Signature=***&Key-Pair-Id=K2",
    ),
]


@pytest.mark.parametrize("name", ["HOOK_URL", "SLACK_WEBHOOK_SECRET", "SLACK_TOKEN"])
@pytest.mark.parametrize(("value", "credential", "shown"), CASES)
def test_the_credential_a_url_carries_is_masked_and_its_host_kept(
    name: str, value: str, credential: str, shown: str
) -> None:
    assert hidden_plain(name, value)
    assert conceal(name, value) == shown
    assert conceal(name, value, by_name=False) == shown
    assert credential in credential_pieces(value)  # what a baseline's text masks


@pytest.mark.parametrize("name", ["DOCS_URL", "PASSWORD_RESET_URL", "SECRET_MANAGER_URL"])
def test_a_documentation_url_stays_visible(name: str) -> None:
    value = "https://docs.example.com/guide/password-reset?lang=en#token"
    assert not hidden_plain(name, value)
    assert conceal(name, value) == value


def test_a_hook_whose_token_cloud_run_puts_in_keeps_its_ids_visible() -> None:
    """revown69 F1: the token kept in a secret and referenced (`$(SLACK_TOKEN)`, which Cloud
    Run expands): the path's last part is no token drift could show, and the channel id before
    it is an id, not the token: the URL is shown whole, so a finding names the channel."""
    value = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/$(SLACK_TOKEN)"
    assert conceal("NOTIFY_URL", value) == value
    assert not hidden_plain("NOTIFY_URL", value)
    assert "B0456EFGH" not in credential_pieces(value)


def test_a_url_with_an_opaque_token_under_a_password_name_is_masked_whole() -> None:
    # no known shape says which part is the credential: the name does, so all of it
    value = "https://hooks.example.com/in/AbCdEf0123456789XyZ"
    assert hidden_plain("WEBHOOK_PASSWORD", value)
    assert conceal("WEBHOOK_PASSWORD", value) == "***"
    assert conceal("WEBHOOK_URL", value) == value


@pytest.mark.parametrize(
    "value",
    [
        "https://hooks.slack.com/services/T0123ABCD/B0456EFGH",  # no token yet
        "https://hooks.slack.com/api/chat.postMessage",  # an API method, no hook
        "https%3A%2F%2Fhooks.slack.com%2Fservices%2FT0123ABCD%2FB0456EFGH",  # percent-encoded
        "https%3a%2f%2fhooks.slack.com%2fapi%2fchat.postMessage",
        "https%3A%2F%2Fhooks.slack.com%2Fservices%2FT0123ABCD%2FB0456EFGH%2F",
    ],
)
def test_a_slack_url_without_a_token_in_its_path_is_shown_whole(value: str) -> None:
    """revown69 F2: only a hook's path past its ids (`/services/T…/B…/TOKEN`, the third part)
    is a token; a path without one was masked at its last part (`…/T0123ABCD/***`,
    `…/api/***.postMessage`), hiding the channel id or the method."""
    assert conceal("NOTIFY_URL", value) == value
    assert not hidden_plain("NOTIFY_URL", value)
    assert not credential_pieces(value)


@pytest.mark.parametrize(
    ("value", "token", "shown"),
    [
        (  # revown70 F2: GovSlack runs on slack-gov.com (api.slack-gov.com/gov-slack/about)
            "https://hooks.slack-gov.com/services/T0123ABCD/B0456EFGH/Zt5hJ8rW2qM6nB9xC3vK7pD4",
            "Zt5hJ8rW2qM6nB9xC3vK7pD4",
            "https://hooks.slack-gov.com/services/T0123ABCD/B0456EFGH/***",
        ),
        (  # revown70 F2: a `/` after the token
            "https://hooks.slack.com/services/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/",
            "Qa7bN3xK9mP2vR6tY8wL4cF1",
            "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/***/",
        ),
        (  # revown71 F2: a port, and JSON's escaped `\/` (PHP's json_encode writes it)
            "https://hooks.slack.com:443/services/T0123ABCD/B0456EFGH/Hx4nR8tK2wQ6mV9bJ3cP7zL5",
            "Hx4nR8tK2wQ6mV9bJ3cP7zL5",
            "https://hooks.slack.com:443/services/T0123ABCD/B0456EFGH/***",
        ),
        (
            '{"url":"https:\\/\\/hooks.slack.com\\/services\\/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"}',
            "Nc6vT2yR8pK4wX9mB3qH7sD5",
            '{"url":"https:\\/\\/hooks.slack.com\\/services\\/T0123ABCD\\/B0456EFGH\\/***"}',
        ),
        (
            "go https://hooks.slack.com/services/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/ now",
            "Wm3kP8xQ2vN7rB4tY9cL6dF5",
            "go https://hooks.slack.com/services/T0123ABCD/B0456EFGH/***/ now",
        ),
        (  # fixleft80a: percent-encoded, as a URL passed in a query (RFC 3986 section 2.1)
            "https%3A%2F%2Fhooks.slack.com%2Fservices%2F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",
            "Gk4mW8qZ2xT6vN3pR7cJ9bL5",
            "https%3A%2F%2Fhooks.slack.com%2Fservices%2FT0123ABCD%2FB0456EFGH%2F***",
        ),
        (
            "?to=https%3a%2f%2fhooks.slack.com%2fservices%2f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&a=1",
            "Ye5rK9tB3wM7xQ2nV6cH8dP4",
            "?to=https%3a%2f%2fhooks.slack.com%2fservices%2fT0123ABCD%2fB0456EFGH%2f***&a=1",
        ),
        (  # fixleft80a: JSON's escaped newline after the token
            '{"url":"https://hooks.slack.com/services/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\\n"}',
            "Uf3wS7nD9kX2qL5vB8mT4rG6",
            '{"url":"https://hooks.slack.com/services/T0123ABCD/B0456EFGH/***\\n"}',
        ),
    ],
)
def test_a_govslack_hook_or_one_ending_in_a_slash_has_its_token_masked(
    value: str, token: str, shown: str
) -> None:
    """Each case its own token: a token registered by another case would hide the leak."""
    assert hidden_plain("NOTIFY_URL", value)
    assert conceal("NOTIFY_URL", value) == shown
    assert token in credential_pieces(value)


@pytest.mark.parametrize(
    "value",
    [
        "https://hooks.slack-gov.com/services/T0123ABCD/B0456EFGH/",  # ids and a `/`, no token
        "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/$(SLACK_TOKEN)/",
    ],
)
def test_a_slash_after_the_ids_is_no_token(value: str) -> None:
    assert conceal("NOTIFY_URL", value) == value
    assert not credential_pieces(value)


@pytest.mark.parametrize(
    ("value", "token", "shown"),
    [
        (  # revown80 F2: encodeURIComponent of a hook with its port (`:443` is `%3A443`)
            "?u=https%3A%2F%2Fhooks.slack.com%3A443%2Fservices%2FT0002%2FB0002%2FPp4Rr7Tt2Yy9Uu3Ii8Oo1Ee6",
            "Pp4Rr7Tt2Yy9Uu3Ii8Oo1Ee6",
            "?u=https%3A%2F%2Fhooks.slack.com%3A443%2Fservices%2FT0002%2FB0002%2F***",
        ),
        (  # a hook encoded twice (`%252F`), and three times
            "?u=https%253A%252F%252Fhooks.slack.com%252Fservices%252FT0001%252FB0001%252FZq8Xw3Vb7Nm2Lk5Jh9Gf4Dc1&a=1",
            "Zq8Xw3Vb7Nm2Lk5Jh9Gf4Dc1",
            "?u=https%253A%252F%252Fhooks.slack.com%252Fservices%252FT0001%252FB0001%252F***&a=1",
        ),
        (
            "hooks.slack.com%25252fservices%25252fT0001%25252fB0001%25252fKk8Jj7Hh6Gg5Ff4Dd3Ss2Aa1",
            "Kk8Jj7Hh6Gg5Ff4Dd3Ss2Aa1",
            "hooks.slack.com%25252fservices%25252fT0001%25252fB0001%25252f***",
        ),
        (  # JSON's `\u002F`, and JSON inside JSON (`\\\/`)
            '{"url":"https:\\u002F\\u002Fhooks.slack.com\\u002Fservices\\u002FT0123ABCD\\u002FB0456EFGH'
            '\\u002fRt6yU2iO8pA4sD9fG3hJ7kL5"}',
            "Rt6yU2iO8pA4sD9fG3hJ7kL5",
            '{"url":"https:\\u002F\\u002Fhooks.slack.com\\u002Fservices\\u002FT0123ABCD\\u002FB0456EFGH'
            '\\u002f***"}',
        ),
        (
            '"{\\"u\\":\\"https:\\\\\\/\\\\\\/hooks.slack.com\\\\\\/services\\\\\\/T0123ABCD\\\\\\/'
            'B0456EFGH\\\\\\/Mn2bV6cX9zL4kJ8hG3fD7sA5\\"}"',
            "Mn2bV6cX9zL4kJ8hG3fD7sA5",
            '"{\\"u\\":\\"https:\\\\\\/\\\\\\/hooks.slack.com\\\\\\/services\\\\\\/T0123ABCD\\\\\\/'
            'B0456EFGH\\\\\\/***\\"}"',
        ),
        (  # the same escapes in Discord's hook, and its port
            "?u=https%3A%2F%2Fdiscord.com%3A443%2Fapi%2Fv10%2Fwebhooks%2F123456789012345678%2FFAKE-fake_Wq3Er7Ty",
            "FAKE-fake_Wq3Er7Ty",
            "?u=https%3A%2F%2Fdiscord.com%3A443%2Fapi%2Fv10%2Fwebhooks%2F123456789012345678%2F***",
        ),
    ],
)
def test_a_hook_escaped_in_any_depth_has_its_token_masked(
    value: str, token: str, shown: str
) -> None:
    """revown80 F2: one escape of `/` or `:` the hook's pattern did not know, and its token was
    shown in every format; a path's separators are now known however JSON or percent-encoding
    (once or more) writes them."""
    assert hidden_plain("NOTIFY_URL", value)
    assert conceal("NOTIFY_URL", value) == shown
    assert token in credential_pieces(value)


@pytest.mark.parametrize(
    "value",
    [
        "https%253A%252F%252Fhooks.slack.com%253A443%252Fservices%252FT0123ABCD%252FB0456EFGH",
        "https:\\u002F\\u002Fhooks.slack.com\\u002Fapi\\u002Fchat.postMessage",
        "https%253A%252F%252Fdiscord.com%252Fapi%252Fwebhooks%252F123456789012345678",
    ],
)
def test_an_escaped_hook_without_a_token_is_shown_whole(value: str) -> None:
    assert conceal("NOTIFY_URL", value) == value
    assert not credential_pieces(value)
