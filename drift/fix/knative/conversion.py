"""One conversion to the Knative form: what could not be written exactly (the file is then not
appliable), which plain values look like credentials, and the aliases of secrets in other
projects."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from drift.credentials import hidden_plain, holds_secret, masked_text, masked_words
from drift.diff.describe import mask_plain, word_values
from drift.live.normalize import raw
from drift.redact import MASK, is_payload, mask
from drift.textsafe import visible

_ALIAS_TEXT = re.compile(r"[^a-z0-9-]+")


@dataclass
class Conversion:
    reveal: bool = False
    """Write plain values that look like credentials as they are (else masked, and the file
    is not appliable: `replace` would overwrite them with the mask)."""
    inexact: list[str] = field(default_factory=list)
    """Why the document is not exactly the service: each reason in words."""
    credentials: list[str] = field(default_factory=list)
    """`CONTAINER/NAME` of every plain value that looks like a credential."""
    aliases: dict[str, str] = field(default_factory=dict)
    """`projects/P/secrets/NAME` -> the alias Knative names it by."""
    numbers: Mapping[str, str] = field(default_factory=dict)
    """Project id -> number, where the read learnt it (`ServicePlan.numbers`): the secrets
    annotation names another project by number."""
    hidden: frozenset[str] = frozenset()
    """Plain values never written, whatever variable holds them (`ServicePlan.hidden`: a
    password another variable held), as a secret drift read is not."""
    left_out: list[str] = field(default_factory=list)
    """What the document leaves out as drift's own writes do (each in words): not an
    inexactness of the document, yet a change of the workload its header names (a job's
    execution token: `drift.fix.exec_token`)."""

    @property
    def exact(self) -> bool:
        return not self.inexact

    def note(self, reason: str) -> None:
        reason = visible(reason)  # one line: a live name's line break escaped (helper-591 F2)
        if reason not in self.inexact:
            self.inexact.append(reason)

    def plain(self, container: str, name: str, value: str) -> str:
        """A plain variable's value as the document may hold it (masked on the data, with
        the same rule as findings, before anything renders it)."""
        where = f"{container}/{name}" if container else name
        credential = hidden_plain(name, value)
        if not credential:
            if not holds_secret(value) and value.strip() not in self.hidden:
                return value
            # a secret drift read, or a plain value the profile says must be a secret
            self.note(f"{where} holds a secret value: not printed")
            return MASK
        self.credentials.append(where)
        # never a Secret Manager value drift read, whatever --include-plain-credentials says
        # (helper-580 F1: a `Bearer <payload>` header was printed)
        if self.reveal and not is_payload(value):
            return value
        self.note(f"{where} looks like a credential: not printed")
        return mask_plain(name, value, secret=False)

    def header(self, where: str, name: str, value: str) -> str:
        """A probe's HTTP header value (`where`: the probe; `name`: the header's, said masked
        as a free text is, `***` where it is a secret drift read), which may be a token the
        health endpoint checks whatever it looks like: `***` on the data before anything
        renders it, and the document not appliable (`replace` would send the mask), as a plain
        value that looks like a credential is (`plain`); written as read only with `reveal`
        (`--include-plain-credentials`), a secret drift read never."""
        if not value:
            return value
        said = MASK if holds_secret(name) or name.strip() in self.hidden else masked_text(name)
        where = f"{where}/{said}"
        self.credentials.append(where)
        if holds_secret(value) or value.strip() in self.hidden or is_payload(value):
            self.note(f"{where} holds a secret value: not printed")
            return MASK
        if self.reveal:
            return value
        self.note(f"{where}: its value is not printed (a probe header's may be a token)")
        return MASK

    def free(self, where: str, value: str) -> str:
        """A free text the document copies (a container's argument or command, a probe's
        header), masked on the data before anything renders it, as `plain` masks a
        variable's: a secret drift read in it, or a piece shaped like a credential (revealed
        with `reveal`), is `***` and the document is not appliable (`replace` would deploy
        the mask: helper-573 F2, F3). A mask put in after rendering broke the YAML (`- ***`
        is an alias) or deployed `Bearer ***` with no word of it."""
        return self.words(where, [value])[0]

    def _hidden_word(self, word: str) -> bool:
        """Whether a word of a command line is, or gives a flag (`--pg=VALUE`), a value never
        written (`hidden`)."""
        return bool(set(word_values(word)) & self.hidden)

    def words(self, where: str, words: list[str]) -> list[str]:
        """`free` for a list read as one command line (`["--db-password", "VALUE"]`: a
        flag's value is the next word, `drift.credentials.masked_words`)."""
        out = []
        for word in words:
            if holds_secret(word) or self._hidden_word(word):
                self.note(f"{where} holds a secret value: not printed")
                word = MASK
            out.append(word)
        masked, found = masked_words(out, reveal=self.reveal)
        if not found:
            return out
        if where not in self.credentials:  # a volume's options, each in turn
            self.credentials.append(where)
        if self.reveal:
            return out  # a secret drift read stays masked (helper-580 F1)
        self.note(f"{where} looks like a credential: not printed")
        return masked

    def sweep(self, document: Any, where: str = "") -> Any:
        """The finished document with every key and text that is, or holds, a secret drift
        read written `***`, and noted, wherever it stands: a traffic tag, a path, a probe's,
        a volume's, a label's key (helper-582 F1: masking field by field left most of them;
        the scrub after rendering passes over a one-word secret and wrote `tag: ***`, an
        alias, for another). A payload too short to be searched for (`true`, `latest`) only
        where a user's value is copied (`plain`, `words`, `free`): masked in a field the
        schema owns, it broke every plan and told the value (`cpu-throttling: ***` beside
        `startup-cpu-boost: "false"`; helper-583 F1)."""
        if isinstance(document, dict):
            out = {}
            for key, value in document.items():
                here = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and _searched(key):
                    self.note(f"a key under {where or 'the document'} holds a secret value")
                    key, here = MASK, f"{where}.{MASK}"
                out[key] = self.sweep(value, here)
            return out
        if isinstance(document, list):
            return [self.sweep(v, f"{where}[{i}]") for i, v in enumerate(document)]
        if isinstance(document, str) and document != MASK and _searched(document):
            self.note(f"{where} holds a secret value: not printed")
            return MASK
        return document

    def secret_name(self, secret: str) -> str:
        """What `secretKeyRef.name` / `secretName` hold: the secret's name in the service's
        project, or an alias for `projects/P/secrets/NAME` (declared in the
        `run.googleapis.com/secrets` annotation as `alias:projects/P/secrets/NAME`).
        Aliases are derived from the full name, so the same plan always writes the same."""
        if not secret.startswith("projects/"):
            return secret
        _, project, rest = secret.split("/", 2)
        if not project.isdigit():  # the annotation's `projects/PROJECT_NUMBER/secrets/NAME`
            if number := self.numbers.get(project):
                secret = f"projects/{number}/{rest}"
            else:
                self.note(
                    f"{secret} names its project by id, and the run.googleapis.com/secrets "
                    "annotation takes its number (projects/PROJECT_NUMBER/secrets/NAME), which "
                    "drift did not learn"
                )
        alias = self.aliases.get(secret)
        if alias is None:
            short = _ALIAS_TEXT.sub("-", secret.rsplit("/", 1)[-1].lower()).strip("-")[:40]
            digest = hashlib.sha256(secret.encode()).hexdigest()[:8]
            alias = f"{short or 'secret'}-{digest}"
            self.aliases[secret] = alias
        return alias

    def aliases_annotation(self) -> str | None:
        if not self.aliases:
            return None
        pairs = sorted((alias, full) for full, alias in self.aliases.items())
        return ",".join(f"{alias}:{full}" for alias, full in pairs)


def _searched(text: str) -> bool:
    return mask(text) != text


def parse_aliases(text: str | None) -> dict[str, str]:
    """`alias:projects/P/secrets/NAME,…` -> {alias: full name}."""
    out: dict[str, str] = {}
    for pair in (text or "").split(","):
        alias, sep, full = pair.strip().partition(":")
        if sep and alias and full:
            out[alias] = full
    return out


def text(doc: dict[str, Any], key: str) -> str:
    """The text a key of a document holds: "" when it is absent or null (`value:` with nothing
    after it, as a template renders an unset variable), never the word "None"."""
    value = doc.get(key)
    return "" if value is None else str(value)


def present(message: Any, name: str) -> bool:
    """Whether a message field (proto-plus or protobuf) is set."""
    return bool(raw(message).HasField(name))
