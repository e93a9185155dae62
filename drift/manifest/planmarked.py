"""What of a Terraform plan's values marked sensitive is registered, and in which forms
(`plansecrets.register_sensitive`): a marked value is a secret as one read from Secret Manager
is (`redact.register_payload`: its base64, hex and percent-encoding, a URL's password, its
start or end), not its text alone — a plain variable holding a marked password's base64 or a
marked URL's password printed it (helper-834 F1). Beside the marks Terraform writes in a
plan, and what they mark:

- a sensitive variable's `default`, of the root module and of each module it calls: Terraform
  writes every variable's default beside `sensitive` in the plan's configuration (terraform
  `internal/command/jsonconfig/config.go`, `marshalModule`: `Default`, `Sensitive`; a module's
  in its call's `module`), overridden or not, and a module's variables never appear in the
  plan's `variables` (helper-834 F3); and the literal a module call gives a sensitive variable
  of it (`expressions.NAME.constant_value`, which `marshalModuleCall` writes as given);
- the secret a `google_secret_manager_secret_version` holds where its `secret_data` is that
  secret's base64 (`is_secret_data_base64 = true`: "the secret data is expected to be
  base64-encoded string and would be sent as is", terraform-provider-google
  `secret_manager_secret_version`): the secret is the decoded bytes (helper-834 F1);
- a marked value that is no text: a number as the text it is printed as (`48151623942`), when
  that text is long enough to be searched for (`SEARCH_MIN`: a short number — a count, a port
  — is masked on the data where a workload's setting holds it, `terraform._sensitive`, and
  is no text a search tells from other numbers); a map's keys (`{"wombat-correct-horse…":
  "admin"}`), of a variable's value or default (helper-834 F4), but an object's attribute
  names (`_ATTRIBUTE`). Not a boolean: one of two words, which every report holds. Not the
  keys of a marked resource or output: they are the provider's attribute names
  (`secret_data`, `containers`), which every report names."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from typing import Any

from drift import redact
from drift.manifest.proto import expect, key
from drift.secretforms import SEARCH_MIN, bare_forms

VERSION = "google_secret_manager_secret_version"
_ROOT = "configuration.root_module"


def register(value: Any, names: set[str]) -> None:
    """Register a marked value in every form it may be printed in (text, a number's text, the
    bytes a base64 version holds), but one that is a name drift prints anyway (`names`)."""
    if isinstance(value, bytes):
        redact.register_payload(value)
        return
    found = texts(value)
    if found is not None and bare_forms(found).isdisjoint(names):
        redact.register_payload(found.encode("utf-8", "surrogatepass"))


def texts(value: Any) -> str | None:
    """The text a marked leaf is printed as: a text as it is, a number as its JSON text when
    it is long enough to be searched for (a float's `1e+21` too: `str` writes it so); None
    for a boolean, a null or a short number."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        found = json.dumps(value)
        return found if len(found) >= SEARCH_MIN else None
    return None


_ATTRIBUTE = re.compile(r"[A-Za-z_]+")
"""A key of letters and underscores alone: an object's attribute name (`password`, `db_user`),
as a provider's are, which names a field; registered, `password` hid every text that says it."""


def keys(value: Any) -> Iterator[str]:
    """The keys of every object inside `value` (a map variable's), of `SEARCH_MIN` characters
    or more, but an attribute's name (`_ATTRIBUTE`)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and len(k) >= SEARCH_MIN and not _ATTRIBUTE.fullmatch(k):
                yield k
            yield from keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from keys(v)


def decoded(kind: Any, value: Any, marked: bool) -> Iterator[bytes]:
    """The secret a secret version's `value` (an `after`, a `before`, a state's `values`)
    holds as its base64 (`is_secret_data_base64`), where its `secret_data` is `marked`; a
    text that is no base64 is left as it is (the provider refuses it)."""
    if kind != VERSION or not marked or not isinstance(value, dict):
        return
    data = value.get("secret_data")
    if value.get("is_secret_data_base64") is True and isinstance(data, str):
        try:
            yield base64.b64decode(data.strip(), validate=True)
        except (binascii.Error, ValueError):
            return


def defaults(plan: dict[str, Any]) -> Iterator[Any]:
    """The default of each variable declared sensitive in the plan's configuration, its
    modules' too, the keys of each too; and each literal a module call gives a sensitive
    variable of its module. Refused at its path (`PathProblem`) where it is not shaped as
    Terraform writes it."""
    found: Any = plan.get("configuration")
    if found is None:
        return
    expect(found, dict, "configuration", "an object")
    root = found.get("root_module")
    if root is not None:
        yield from _module(root, _ROOT)


def _module(module: Any, here: str) -> Iterator[Any]:
    expect(module, dict, here, "an object")
    sensitive = _sensitive_variables(module, here)
    for name in sensitive:
        variable = module["variables"][name]
        if "default" in variable:
            yield variable["default"]
            yield from keys(variable["default"])
    calls = module.get("module_calls")
    if calls is None:
        return
    expect(calls, dict, key(here, "module_calls"), "an object")
    for name, call in calls.items():
        at = key(key(here, "module_calls"), name)
        expect(call, dict, at, "an object")
        child = call.get("module")
        if child is None:
            continue
        yield from _module(child, key(at, "module"))
        given = call.get("expressions")
        if given is None:
            continue
        expect(given, dict, key(at, "expressions"), "an object")
        for variable in _sensitive_variables(child, key(at, "module")):
            expression = given.get(variable)
            if isinstance(expression, dict) and "constant_value" in expression:
                yield expression["constant_value"]
                yield from keys(expression["constant_value"])


def declared_variables(plan: dict[str, Any]) -> dict[str, bool] | None:
    """Whether each root module variable is declared `sensitive` (Terraform leaves `sensitive`
    out where it is false); None where the plan holds no declarations."""
    found: Any = plan.get("configuration")
    for here, step in ((_ROOT, "root_module"), (key(_ROOT, "variables"), "variables")):
        if found is None:
            return None
        found = expect(found, dict, here.rsplit(".", 1)[0], "an object").get(step)
    return None if found is None else _declared(found, key(_ROOT, "variables"))


def _sensitive_variables(module: dict[str, Any], here: str) -> list[str]:
    """The names of the module's variables declared sensitive."""
    variables = module.get("variables")
    if variables is None:
        return []
    found = _declared(variables, key(here, "variables"))
    return [name for name, sensitive in found.items() if sensitive]


def _declared(variables: Any, at: str) -> dict[str, bool]:
    """Whether each of a module's `variables` (at `at`) is declared sensitive."""
    expect(variables, dict, at, "an object")
    declared: dict[str, bool] = {}
    for name, variable in variables.items():
        expect(variable, dict, key(at, name), "an object")
        sensitive = variable.get("sensitive", False)
        declared[name] = expect(sensitive, bool, key(key(at, name), "sensitive"), "true or false")
    return declared
