"""The rows of the settings catalogue for what a container runs: its entrypoint (`Container.
command`) and the arguments passed to it (`Container.args`), in every template (RevisionTemplate,
TaskTemplate, WorkerPoolRevisionTemplate; google/cloud/run/v2 k8s.min.proto `Container`: "Entrypoint
array. Not executed within a shell. The docker image's ENTRYPOINT is used if this is not
provided", "Arguments to the entrypoint. The docker image's CMD is used if this is not provided").
Each is a container's own (gcloud's `--container=CONTAINER` group), so a sidecar's is stated
under `containers: {NAME: {settings: …}}` (`Field.per_container`).

Compared item by item, in order: `[--mode, staging]` and `[--mode, prod]` differ, and so do
`[-v, -q]` and `[-q, -v]` (`lists.ordered`), an empty word read as it is (`--flag,""`), the one
word `none` quoted (`"none"`: bare, `none` is no list). Unset: the image's own (none stated). gcloud
`--command=A,B` / `--args=A,B`, "To reset this field to its default, pass an empty string"
(googlecloudsdk command_lib/run/flags.py `AddCommandFlag`, `ArgsFlag`: `arg_parsers.ArgList`, a
comma list, so an item holding a comma takes gcloud's `^DELIM^` syntax, `gcloud topic escaping`,
as `lists.gcloud_list` writes it); Knative `containers[].command`, `containers[].args`
(drift.fix.knative.container); Terraform `template.containers.command`, `….args`.

Arguments carry secrets (`--token VALUE`): a value is shown with every word masked as the YAML
plan masks a command line (`shown`: a secret drift read, a piece shaped like a credential; a
password moved there from a variable: `hiding`, `Field.shown`), and gcloud's script never
prints one (`Field.no_flag`, `Field.lacks_flag`: drift fix writes it).

The directory it runs in, `working_dir` (`Container.working_dir`: "Container's working
directory. If not specified, the container runtime's default will be used, which might be
configured in the container image"), is the container's too: compared as written, none for the
image's WORKDIR. gcloud 528 has no flag for it in any track (no `working` in command_lib/run nor
surface/run): the script leaves it to drift fix. Knative `containers[].workingDir`
(drift.fix.knative.container, masked as free text), Terraform `template.containers.working_dir`."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from drift.credentials import holds_secret, masked_text, masked_words
from drift.fields import access as a
from drift.fields import lists
from drift.fields.base import (
    EVERY_KIND,
    UNPRINTED,
    Field,
    SettingValue,
    Source,
    no_value,
    tf_container,
)
from drift.kinds import Kind
from drift.redact import MASK


def _reader(part: str) -> Any:
    def read(source: Source) -> str:
        container = source.container
        # each word as it is, an empty one too (`--flag ""`: `lists.ordered` quotes it)
        return lists.ordered(getattr(container, part) if container is not None else ())

    return read


def _writer(part: str) -> Any:
    def write(workload: Any, container: Any, value: SettingValue) -> None:
        setattr(container, part, lists.words(value))  # each whole, a comma and all

    return write


def hiding(value: SettingValue, hidden: Collection[str] = ()) -> str:
    """`value` as every output shows it: each word that is, or holds, a secret drift read
    `***`, or is (or gives a flag, `--pg=VALUE`) one of `hidden` (values never shown: a
    password moved from a variable, `Context.hidden`); then each piece of the line shaped like
    a credential masked where it stands (`credentials.masked_words`); none: `none`."""
    words = lists.words(value)
    if not words:
        return "none"
    out = [MASK if holds_secret(w) or _moved(w, hidden) else w for w in words]
    return lists.ordered(masked_words(out)[0])


def _moved(word: str, hidden: Collection[str]) -> bool:
    return bool(hidden) and (
        word.strip() in hidden or ("=" in word and word.split("=", 1)[1].strip() in hidden)
    )


def shown(value: SettingValue) -> str:
    return hiding(value)


def _flag(name: str) -> Any:
    def flag(value: SettingValue) -> str:
        # "To reset this field to its default, pass an empty string" (flags.py)
        return lists.gcloud_list(f"--{name}", value, lists.words) if value else f"--{name}="

    return flag


def _unprinted(kind: Kind, value: SettingValue) -> str:
    """Why gcloud's script leaves the change to drift fix ("": it makes it): a word the
    script would print is shown masked (a secret drift read, a credential's shape), or no
    delimiter of gcloud's list syntax is free."""
    if hiding(value) != (lists.ordered(lists.words(value)) or "none"):
        return UNPRINTED
    if "" in lists.words(value):  # `--args=a,` is `[a]`: arg_parsers `_TokenizeQuotedList`
        return "cannot take an empty item: gcloud's comma list drops one at its end"
    return lists.no_delimiter(value, lists.words)


_OWN: dict[str, Any] = {
    "level": "container",
    "per_container": True,  # gcloud's `--container NAME` group; a sidecar's under containers:
    "kinds": EVERY_KIND,
    "sparse": True,  # rows of 2026-12: the journals written before digest none of them
}
"""What each row here is: a setting every kind's container holds for itself."""


def _row(name: str, help: str, example: str) -> Field:
    return Field(
        name,
        help,
        str | list[str],
        terraform=(tf_container(name),),
        read=_reader(name),
        write=_writer(name),
        gcloud=_flag(name),
        no_flag=_unprinted,
        parse=lambda v: lists.profile_words(v, f"the container's {name}"),
        normalise=lambda v: lists.ordered(lists.words(v)),
        show=shown,
        hides=hiding,
        examples=(example,),
        **_OWN,
    )


_SAID = {
    "command": (
        "The container's entrypoint, in order (a list, or a,b with \\, for a comma inside "
        'one and "" for an empty one); none: the image\'s ENTRYPOINT.',
        "/server",
    ),
    "args": (
        "The arguments passed to the container's entrypoint, compared item by item in order "
        '(a list, or a,b with \\, for a comma inside one and "" for an empty one); none: '
        "the image's CMD.",
        "--mode,staging",
    ),
}


def _read_dir(source: Source) -> str:
    container = source.container
    return str(container.working_dir) if container is not None else ""


def _write_dir(workload: Any, container: Any, value: SettingValue) -> None:
    container.working_dir = no_value(value)


def _dir_hidden(value: SettingValue, hidden: Collection[str] = ()) -> str:
    """A working directory as every output shows it: one that is, or holds, a secret drift
    read, or is one of `hidden`, `***`; a piece shaped like a credential masked (as the
    Knative export masks it, `Conversion.free`): `credentials.masked_text`, the rule of every
    row holding free text; none: `none (the image's WORKDIR)`."""
    path = no_value(value)
    return masked_text(path, hidden) if path else "none (the image's WORKDIR)"


WORKING_DIR = Field(
    "working_dir",
    "The container's working directory; none: the image's WORKDIR (or the runtime's default).",
    str,
    terraform=(tf_container("working_dir"),),
    read=_read_dir,
    write=_write_dir,
    # gcloud 528 has no flag for it in any track (no `working` in command_lib/run, surface/run)
    gcloud=a.no_flag,
    flagless=EVERY_KIND,
    parse=a.scalar(no_value),
    normalise=no_value,
    show=lambda v: _dir_hidden(v),
    hides=_dir_hidden,
    examples=("/app",),
    **_OWN,
)
COMMAND_FIELDS: tuple[Field, ...] = (
    *(_row(name, *said) for name, said in _SAID.items()),
    WORKING_DIR,
)
