"""The variable rules a loaded profile holds are the ones `VarRule(...)` makes from the same
fields (the loader builds them with `VarRule.made`, without the dataclass's `__init__`)."""

from __future__ import annotations

import pickle
from dataclasses import fields
from pathlib import Path

from drift.profiles.loader import load_profile
from drift.profiles.model import VarRule

PROFILE = """
project: p
region: us-central1
defaults:
  env:
    LOG_FORMAT: json
services:
  api:
    env:
      PLAIN: "x"
      NUMBER: 3
      KEY: {secret: api-key, version: "2", min_length: 16, severity: warning}
      OTHER: {secret: projects/other/secrets/k}
      GONE: {forbidden: true}
      MAYBE: {optional: true, pattern: "^a", not: [b], one_of: [a, ab]}
      SAME: {same_as: web.PLAIN}
  web:
    env:
      PLAIN: "x"
"""


def test_loaded_rules_are_those_the_constructor_makes(tmp_path: Path) -> None:
    (tmp_path / "staging.yaml").write_text(PROFILE)
    profile = load_profile(tmp_path, "staging")
    rules = [r for s in profile.services.values() for r in s.env.values()]
    assert len(rules) == 10
    for rule in rules:
        again = VarRule(**{f.name: getattr(rule, f.name) for f in fields(VarRule)})
        assert rule == again
        assert hash(rule) == hash(again)
        assert vars(rule) == vars(again)  # every field set on the instance, none left out
        assert pickle.loads(pickle.dumps(rule)) == again
