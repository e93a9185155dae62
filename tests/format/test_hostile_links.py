"""A third party who can write the live service chooses the values drift quotes (a variable's
value, an image, a revision name, a condition message, a server's close reason). None of them
makes a link, an image, HTML, a notification or a placeholder in what drift writes:

- SARIF: a plain text message's `[text](destination)` is an embedded link to a location or to
  any URI, `{n}` a placeholder (SARIF 2.1.0 §3.11.5, §3.11.6): GitHub code scanning shows
  `message.text` as an alert's title. Read here as a viewer reads it (tests/format/
  sarif_reader.py, after github/vscode-codeql's parser).
- Markdown (the job summary): links, images and HTML by CommonMark (rendered here by
  markdown-it-py), and what GitHub links in the text nodes of the rendered HTML afterwards
  (@mentions, `#123` references, `https://` and `www.` autolinks: html-pipeline's filters and
  the GFM autolink extension).
- GitHub annotations: a value stays in its property or its message (the runner's parser).
- Table and job summary: a huge value is cut where a person reads it."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from drift.findings import Location, Unverified
from drift.format import OutputFormat, formatter_for
from drift.format.summary import SHOWN_CHARS
from drift.report import Report, Unchecked
from drift.textsafe import md_text, sarif_plain, visible
from tests.format.conftest import CONSTRAINT, PLAINTEXT, make_report
from tests.format.sarif_reader import links, shown
from tests.format.test_hostile_values import hostile_report
from tests.runner_commands import commands

LINKS = {
    "uri-link": "[Approve](https://evil.example/approve)",
    "location-link": "[the fix](1)",
    "image": "![](https://evil.example/pixel.png)",
    # a value's own backslash before a bracket must not unescape drift's escape of it
    "backslash-bracket": "C:\\[click](https://evil.example)",
    "backslashes": "\\\\[click](2)\\\\",
    "nested": "[[a](1)](https://evil.example)",
    "placeholder": "{0}[x]({1})",
}


def _report(value: str) -> Report:
    """Every place a live value reaches a SARIF message: findings (message, expected,
    actual), a probe, an item not verified, a baseline finding carried unchecked (and the
    reason), a rule drift does not know (from an older baseline), a scope."""
    report = hostile_report(value)
    carried = dataclasses.replace(
        PLAINTEXT, rule=f"env.future{value}", message=f"JWT_SECRET_KEY is {value}"
    )
    gap = Unverified("auth", "secret.x", f"DENIED: {value}", location=Location("p.yaml", 2))
    return dataclasses.replace(
        report,
        unverified=(*report.unverified, gap),
        unchecked=(Unchecked(carried, f"could not read {value}"),),
        scope=(f"service={value}",),
    )


def _texts(node: Any) -> Iterator[str]:
    """Every `text` of a message or multiformatMessageString object in a SARIF log."""
    if isinstance(node, dict):
        if isinstance(node.get("text"), str):
            yield node["text"]
        for child in node.values():
            yield from _texts(child)
    elif isinstance(node, list):
        for child in node:
            yield from _texts(child)


@pytest.mark.parametrize("name", list(LINKS))
def test_no_value_is_a_link_or_a_placeholder_in_a_sarif_message(name: str) -> None:
    value = LINKS[name]
    log = json.loads(formatter_for(OutputFormat.SARIF).render(_report(value)))
    texts = list(_texts(log))
    assert [t for t in texts if links(t)] == []
    said = [shown(t) for t in texts]  # no placeholder, no lone brace
    run = log["runs"][0]
    messages = [shown(r["message"]["text"]) for r in run["results"]]
    messages += [
        shown(n["message"]["text"]) for n in run["invocations"][0]["toolExecutionNotifications"]
    ]
    # each is shown as it is: in a finding, a carried finding and its reason, a gap
    assert f"{CONSTRAINT.target.removeprefix('env.')} is {value}" in "\n".join(messages)
    assert f"JWT_SECRET_KEY is {value}" in "\n".join(messages)
    assert f"could not read {value})" in "\n".join(messages)
    assert f"could not be verified: DENIED: {value}" in messages
    assert f"env.future{value}" in said  # the unknown rule's description
    assert shown(run["automationDetails"]["description"]["text"]).endswith(f"service={value}")


@given(st.text(alphabet=st.sampled_from("[]()\\{}!0:/ax"), max_size=40))
@example("[a](https://evil.example)")
@example("\\[a](1)")
@example("\\\\[a](1)")
def test_sarif_plain_text_is_shown_as_it_is_and_links_nothing(text: str) -> None:
    written = sarif_plain(text)
    assert links(written) == []
    assert shown(written) == text


MARKDOWN = {
    **LINKS,
    "html": '<img src="https://evil.example/p.png"><a href="https://evil.example">x</a>',
    "mention": "@octocat and @acme/admins, cc:@octocat",
    "email": "deployer@evil.example",
    "issue-ref": "fixes #1 and acme/repo#12",
    "autolink": "https://evil.example/x http://evil.example WWW.evil.example",
    "angle-autolink": "<https://evil.example>",
    "fence": "```\n# forged heading\n```",
    "reference-definition": "[x]: https://evil.example",
}
_ALLOWED_HTML = {"<span>", "</span>", "<br>"}
_GITHUB_LINKS = re.compile(
    r"(?:^|\W)@[a-z0-9]"  # an @mention (html-pipeline MentionFilter's pattern)
    r"|\w@\w"  # an email address (GFM autolink extension)
    r"|#[0-9]"  # an issue or pull request reference (GithubIssueFilter: `#59`, `repo#60`)
    r"|://"  # a URL (GFM autolink extension)
    r"|(?:^|[\s*_~(])www\.",  # a www. autolink (GFM autolink extension)
    re.IGNORECASE,
)


def linked(markdown: str) -> list[str]:
    """What rendering `markdown` the way GitHub does would link or run: CommonMark's links,
    images and raw HTML (other than drift's own `<span>` and `<br>`), and what GitHub links
    in a text node afterwards."""
    made = []
    for block in MarkdownIt("commonmark").enable("table").parse(markdown):
        for token in block.children or []:
            if token.type in ("link_open", "image"):
                made.append(f"{token.type} {token.attrs}")
            elif token.type == "html_inline" and token.content not in _ALLOWED_HTML:
                made.append(f"html {token.content}")
            elif token.type == "text" and (found := _GITHUB_LINKS.search(token.content)):
                made.append(f"text {found[0]!r} in {token.content!r}")
        if block.type == "html_block":
            made.append(f"html block {block.content}")
    return made


@pytest.mark.parametrize("name", list(MARKDOWN))
def test_no_value_is_a_link_html_or_mention_in_the_job_summary(name: str) -> None:
    text = formatter_for(OutputFormat.MARKDOWN).render(hostile_report(MARKDOWN[name]))
    assert linked(text) == []
    assert linked(formatter_for(OutputFormat.MARKDOWN).render(hostile_report("x"))) == []


def _said(markdown: str) -> str:
    """The text a reader sees of rendered `markdown` (its text nodes)."""
    blocks = MarkdownIt("commonmark").enable("table").parse(markdown)
    return "".join(t.content for b in blocks for t in b.children or [] if t.type == "text")


@given(st.text(alphabet=st.sampled_from("[]()<>!@#:/.wW\\`*_a1 $&|~-+=)"), max_size=40))
@example("www.evil.example")
@example("a@b.example")
@example("![](https://x)")
@example("- forged item")
@example("1. forged item")
@example("    indented code")
def test_md_text_links_nothing_and_reads_as_it_is(text: str) -> None:
    cell, item = f"| a |\n|---|\n| {md_text(text)} |", f"- {md_text(text)}"
    assert linked(cell) == [] and linked(item) == []
    # in a table cell and as a list item: the text itself, no block of its own
    assert _said(cell).rstrip(" ") == "a" + text.rstrip(" ")
    assert _said(item).rstrip(" ") == text.rstrip(" ")


@pytest.mark.parametrize("fmt", [OutputFormat.TABLE, OutputFormat.MARKDOWN])
def test_a_huge_value_is_cut_where_a_person_reads_it(fmt: OutputFormat) -> None:
    """Cloud Run takes a value of up to 32,768 bytes (google.cloud.run.v2.EnvVar `value`):
    the table and the job summary show its first `SHOWN_CHARS`, marked as cut; the JSON
    report keeps it whole."""
    huge = "-----BEGIN CERTIFICATE-----" + "x" * 32_700
    report = hostile_report("short")
    findings = tuple(dataclasses.replace(f, actual=huge) for f in report.findings)
    report = dataclasses.replace(report, findings=findings)
    text = formatter_for(fmt, width=200).render(report)
    assert huge[:SHOWN_CHARS] in text and huge[: SHOWN_CHARS + 1] not in text
    assert f"{len(huge) - SHOWN_CHARS:,} more characters; the JSON report has it whole" in text
    assert len(text) < 20_000  # four findings of it
    document = json.loads(formatter_for(OutputFormat.JSON).render(report))
    assert {f["actual"] for f in document["findings"]} == {huge}


def test_an_annotation_s_properties_and_message_come_back_as_drift_wrote_them() -> None:
    """Read by the runner's own parser (tests/runner_commands.py): a service name and a
    profile path holding `,`, `:`, `%`, line breaks and `::` stay in their property, and a
    value in the message; no command of their own."""
    service = "api,title=forged:%0A%25\r\n::stop-commands::x"
    value = "v%0A::add-mask::y\n::error::z"
    finding = dataclasses.replace(
        PLAINTEXT, service=service, actual=value, location=Location("p,f:%0Ax.yaml", 3)
    )
    text = formatter_for(OutputFormat.GITHUB).render(make_report((finding,)))
    ((name, properties, message),) = commands(text)
    assert name == "error"
    assert properties == {
        "file": "p,f:%0Ax.yaml",
        "line": "3",
        "title": f"env.plaintext_secret ({visible(service)})",
    }
    assert message.endswith(f"\nactual: {visible(value)}")
