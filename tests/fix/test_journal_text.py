"""A journal entry's file is `json.dumps(…, indent=2, sort_keys=True)` of its fields, byte for
byte (older drifts read it, and its checksum is kept beside it), and writing it copies the
entry: what `Entry.to_json` returns shares nothing with the entry it was made from."""

from __future__ import annotations

import copy
import json
from dataclasses import asdict
from pathlib import Path

from drift.fix.journal import UNSTORED, Entry, Journal, State, Write

_SERVICE = {
    "name": "projects/p/locations/r/services/app",
    "generation": "7",
    "labels": {"zeta": "1", "alpha": 'é \u2028 "q" \\ \t', "": "empty key"},
    "template": {
        "containers": [
            {"image": "x", "env": [{"name": "A", "value": "1"}], "ports": []},
            {"resources": {"limits": {"cpu": "1"}, "cpuIdle": True, "startupCpuBoost": False}},
        ],
        "scaling": {},
        "maxInstanceRequestConcurrency": 80,
        "weight": 0.5,
        "timeout": None,
    },
    "traffic": [[], [{}], [1, 2.25, -3]],
}


def test_the_file_is_the_standard_text_of_the_entry_and_the_entry_is_copied(
    tmp_path: Path,
) -> None:
    service = copy.deepcopy(_SERVICE)
    entry = Entry(
        "c1", "prod", "p", "r", "app", _SERVICE["name"], "e1", service, "app-c1", "c1", ["x"]
    )
    entry.writes.append(asdict(Write("deploy", "e1", 7, "app-c1", "k", [("TAG", "", 0, "t")])))
    journal = Journal(tmp_path / "journal").open()
    journal.record(entry, State.CANARY_DEPLOYING, "note ünïcode")

    expected = asdict(entry)
    for name in UNSTORED:
        del expected[name]
    del expected["withheld"], expected["hidden"]  # written only when there is one
    text = json.dumps(expected, indent=2, sort_keys=True) + "\n"
    assert journal.file(entry).read_bytes() == text.encode()

    data = entry.to_json()
    data["service_before"]["template"]["containers"][0]["env"][0]["value"] = "changed"
    data["service_before"]["traffic"][2].append(4)
    data["writes"][0]["traffic"].append(["more"])
    data["history"][0]["state"] = "changed"
    assert entry.service_before == _SERVICE
    assert len(entry.writes[0]["traffic"]) == 1
    assert entry.history[0]["state"] == State.CANARY_DEPLOYING
