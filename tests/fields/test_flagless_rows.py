"""A row gcloud has no flag for on any kind it applies to (`Field.flagless` holds them all, no
`ga_since` beta track) declares none (`drift.fields.access.no_flag`) rather than a made-up
one: `working_dir`'s was `--working-dir=…`, which no gcloud track has (helper-695). A printing
path that asked for it without `Field.lacks_flag` is refused loudly, never a flag printed."""

from __future__ import annotations

import pytest

from drift.fields import FIELDS
from drift.kinds import Kind


def _flagless_everywhere() -> list[str]:
    return [f.name for f in FIELDS.values() if f.kinds <= f.flagless and not f.ga_since and f.kinds]


def test_a_row_flagless_everywhere_declares_no_flag_and_only_it_does() -> None:
    from drift.fields.access import no_flag

    assert "working_dir" in _flagless_everywhere()
    declared = [f.name for f in FIELDS.values() if f.gcloud is no_flag]
    assert declared == _flagless_everywhere()
    for name in declared:  # nothing else of the row names a flag either
        row = FIELDS[name]
        assert row.gcloud_args is None and row.service_gcloud is None, name
        assert all(row.lacks_flag(kind, "/app") for kind in row.kinds), name


def test_asking_a_flagless_row_for_its_flag_is_refused_without_the_value() -> None:
    with pytest.raises(LookupError) as refused:
        FIELDS["working_dir"].gcloud("/srv/s3cr3t-token")
    assert "s3cr3t" not in str(refused.value)
    with pytest.raises(LookupError):
        FIELDS["working_dir"].flags("/app", None)
    assert FIELDS["working_dir"].lacks_flag(Kind.JOB, "/app") == "has no flag for it"
