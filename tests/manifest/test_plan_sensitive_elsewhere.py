"""A value the plan marks sensitive in another resource than a workload (the `secret_data` of a
version it creates) or a variable declared `sensitive` is never shown, where a workload's
variable holds it as a plain value Terraform does not mark (`nonsensitive()`, a literal copied
into the configuration): it was printed whole in every format (helper-698 F9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan

VALUE = "correct horse battery staple 42"
STRICT = API_ONLY + "    unexpected_env: error\n"


def _version(marks: Any) -> dict[str, Any]:
    after = {"secret_data": VALUE, "enabled": True, "deletion_policy": "DELETE"}
    return {
        "address": "google_secret_manager_secret_version.db",
        "mode": "managed",
        "type": "google_secret_manager_secret_version",
        "name": "db",
        "change": {"actions": ["create"], "before": None, "after": after,
                   "after_unknown": {"secret": True, "name": True}, "after_sensitive": marks},
    }  # fmt: skip


def _plan(where: str) -> dict[str, Any]:
    """api known, with GREETING holding VALUE unmarked; VALUE sensitive in `where`."""
    data = plan()
    api = known_api(data)
    api["change"]["after"]["template"][0]["containers"][0]["env"].append(
        {"name": "GREETING", "value": VALUE, "value_source": []}
    )
    data["resource_changes"] = [api]
    if where == "resource":
        data["resource_changes"].append(_version({"secret_data": True}))
    elif where == "whole resource":
        data["resource_changes"].append(_version(True))
    else:  # a variable declared sensitive
        data["variables"] = {"db_password": {"value": VALUE}}
        data["configuration"] = {"root_module": {"variables": {"db_password": {"sensitive": True}}}}
    return data


@pytest.mark.parametrize("where", ["resource", "whole resource", "variable"])
@pytest.mark.parametrize("form", ["json", "table", "github"])
def test_a_value_the_plan_marks_sensitive_elsewhere_is_never_shown(
    tmp_path: Path, where: str, form: str
) -> None:
    done = check_offline(tmp_path, _plan(where), STRICT, "-f", form)
    assert done.returncode == 1, done.stderr
    assert "GREETING" in done.stdout  # env.unexpected, as before
    assert VALUE not in done.stdout + done.stderr


def test_a_plain_value_no_mark_names_is_shown(tmp_path: Path) -> None:
    """Unmarked, the same resource's value is no secret of the plan's: shown as before."""
    data = _plan("resource")
    data["resource_changes"][1]["change"]["after_sensitive"] = {}
    done = check_offline(tmp_path, data, STRICT, "-f", "json")
    assert VALUE in done.stdout


FORMATS = ["table", "json", "github", "sarif", "markdown"]
DECLARED = ("configuration", "root_module", "variables")
_DECLARED_AT = "configuration.root_module.variables"


def _in(data: dict[str, Any], *at: Any) -> Any:
    for step in at:
        data = data[step]
    return data


def _api_alone(marks: Any) -> dict[str, Any]:
    """api alone, GREETING (its last variable) holding VALUE, `marks` its after_sensitive."""
    data = _plan("resource")
    data["resource_changes"] = data["resource_changes"][:1]
    data["resource_changes"][0]["change"]["after_sensitive"] = marks
    return data


def _output(after: Any, marks: Any) -> dict[str, Any]:
    data = _plan("resource")
    data["resource_changes"] = data["resource_changes"][:1]
    change = {"actions": ["create"], "before": None, "after": after, "after_sensitive": marks}
    data["output_changes"] = {"db": change}
    return data


def _version_in(where: str, marks: Any) -> dict[str, Any]:
    data = _plan("resource")
    version = data["resource_changes"].pop()
    version["change"]["after_sensitive"] = marks
    if where == "resource_drift":
        data["resource_drift"] = [version]
    else:
        data["deferred_changes"] = [
            {"reason": "resource_config_unknown", "resource_change": version}
        ]
    return data


def _variable(change: Any) -> dict[str, Any]:
    data = _plan("variable")
    change(data)
    return data


def _with(name: str, value: Any) -> dict[str, Any]:
    """`_plan("resource")` whose `name` (`prior_state`, `planned_values`…) is `value`."""
    data = _plan("resource")
    data[name] = value
    return data


def _state_marks(marks: Any) -> dict[str, Any]:
    """A prior state whose version's `secret_data` VALUE `marks` marks."""
    version = {"type": "google_secret_manager_secret_version", "name": "db",
               "values": {"secret_data": VALUE}, "sensitive_values": marks}  # fmt: skip
    return _with("prior_state", {"values": {"root_module": {"resources": [version]}}})


def _api_before(before: Any) -> dict[str, Any]:
    data = _api_alone({})
    data["resource_changes"][0]["change"]["before"] = before
    return data


_ANY_MARK = "expected true, false, an object or a list, found"
_PRIOR = "prior_state.values.root_module"
REFUSED: list[tuple[Any, str]] = [
    (lambda: _variable(lambda d: d.__setitem__("variables", [VALUE])),
     "variables: expected an object, found a list"),
    (lambda: _variable(lambda d: d["variables"].__setitem__("db_password", VALUE)),
     "variables.db_password: expected an object, found a string"),
    (lambda: _variable(lambda d: d.__setitem__("configuration", [d["configuration"]])),
     "configuration: expected an object, found a list"),
    (lambda: _variable(lambda d: d["configuration"].__setitem__("root_module", "x")),
     "configuration.root_module: expected an object, found a string"),
    (lambda: _variable(lambda d: _in(d, *DECLARED[:2]).__setitem__("variables", ["db_password"])),
     f"{_DECLARED_AT}: expected an object, found a list"),
    (lambda: _variable(lambda d: _in(d, *DECLARED).__setitem__("db_password", True)),
     f"{_DECLARED_AT}.db_password: expected an object, found a boolean"),
    (lambda: _variable(lambda d: _in(d, *DECLARED, "db_password").__setitem__("sensitive", "true")),
     f"{_DECLARED_AT}.db_password.sensitive: expected true or false, found a string"),
    (lambda: _version_in("resource_drift", "yes"),
     f"resource_drift[0].change.after_sensitive: {_ANY_MARK} a string"),
    (lambda: _version_in("deferred_changes", {"secret_data": "true"}),
     "deferred_changes[0].resource_change.change.after_sensitive.secret_data: "
     f"{_ANY_MARK} a string"),
    (lambda: _version_in("resource_drift", {"secret_data": {"value": True}}),
     "resource_drift[0].change.after_sensitive.secret_data: expected true, false or marks shaped "
     "as the value it marks (a string), found an object"),
    (lambda: _output(VALUE, 1), f"output_changes.db.after_sensitive: {_ANY_MARK} a number"),
    (lambda: _output({"password": VALUE}, [True]),
     "output_changes.db.after_sensitive: expected true, false or marks shaped as the value it "
     "marks (an object), found a list"),
    # where only a workload's `before`, a state's resources and outputs hold marks (helper-787)
    (lambda: _api_before([{"name": "api"}]),
     "resource_changes[0].change.before: expected an object, found a list"),
    (lambda: _with("prior_state", [VALUE]), "prior_state: expected an object, found a list"),
    (lambda: _with("prior_state", {"values": {"root_module": 1}}),
     "prior_state.values.root_module: expected an object, found a number"),
    (lambda: _with("planned_values", {"root_module": {"child_modules": {"m": {}}}}),
     "planned_values.root_module.child_modules: expected a list, found an object"),
    (lambda: _state_marks("yes"),
     f"{_PRIOR}.resources[0].sensitive_values: {_ANY_MARK} a string"),
    (lambda: _state_marks([True]),
     f"{_PRIOR}.resources[0].sensitive_values: expected true, false or marks shaped as the "
     "value it marks (an object), found a list"),
    (lambda: _with("planned_values", {"outputs": {"db": {"sensitive": "true", "value": VALUE}}}),
     "planned_values.outputs.db.sensitive: expected true or false, found a string"),
    (lambda: _with("planned_values", {"outputs": [VALUE]}),
     "planned_values.outputs: expected an object, found a list"),
    (lambda: _with("action_invocations", {"token": VALUE}),
     "action_invocations: expected a list, found an object"),
    (lambda: _with("deferred_action_invocations", [{"action_invocation": [VALUE]}]),
     "deferred_action_invocations[0].action_invocation: expected an object, found a list"),
    (lambda: _with("action_invocations", [{"config_values": {"token": VALUE},
                                           "config_sensitive": {"token": "true"}}]),
     f"action_invocations[0].config_sensitive.token: {_ANY_MARK} a string"),
    # the last, a workload's (`test_no_format_nor_output_file_carries_it`)
    (lambda: _api_alone({"template": {"containers": True}}),
     "resource_changes[0].change.after_sensitive.template: expected true, false or marks shaped "
     "as the value it marks (a list), found an object"),
]  # fmt: skip
"""Sensitivity where drift cannot read it, in a shape Terraform does not write: it masked
nothing, quietly, and VALUE was printed (helper-766)."""


@pytest.mark.parametrize(("made", "said"), REFUSED)
def test_sensitivity_drift_cannot_read_is_refused_at_its_path(
    tmp_path: Path, made: Any, said: str
) -> None:
    done = check_offline(tmp_path, made(), STRICT, "-f", "json")
    one_line = f"drift: error: {tmp_path / 'plan.json'}: {said}"
    assert (done.returncode, done.stderr.strip()) == (2, one_line)
    assert VALUE not in done.stdout + done.stderr


MASKED: list[Any] = [
    lambda: _variable(lambda d: d.pop("configuration")),
    lambda: _variable(lambda d: d["configuration"].pop("root_module")),
    lambda: _variable(lambda d: _in(d, *DECLARED[:2]).pop("variables")),
    lambda: _variable(lambda d: _in(d, *DECLARED).pop("db_password")),
    # an older Terraform left a set's unknown element out of `after`, not out of its marks
    lambda: _output([VALUE, "another value"], [False, False, True]),
    lambda: _api_alone({"template": [{"containers": [{"env": [True]}]}]}),
]
"""A variable the plan does not declare (Terraform always does), and marks that cannot say
which element of a list each marks: VALUE may be sensitive, masked."""


@pytest.mark.parametrize("made", MASKED)
def test_a_value_whose_sensitivity_the_plan_does_not_say_is_masked(
    tmp_path: Path, made: Any
) -> None:
    done = check_offline(tmp_path, made(), STRICT, "-f", "json")
    assert done.returncode == 1, done.stderr
    assert "GREETING" in done.stdout
    assert VALUE not in done.stdout + done.stderr


@pytest.mark.parametrize("declared", [{}, {"sensitive": False}])
def test_a_variable_declared_not_sensitive_is_shown(
    tmp_path: Path, declared: dict[str, Any]
) -> None:
    """What Terraform writes of a variable not sensitive (`sensitive` left out) is read so."""
    data = _variable(lambda d: _in(d, *DECLARED).__setitem__("db_password", declared))
    done = check_offline(tmp_path, data, STRICT, "-f", "json")
    assert done.returncode == 1 and VALUE in done.stdout


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", [REFUSED[1][0], REFUSED[-1][0], MASKED[0], MASKED[-1]])
def test_no_format_nor_output_file_carries_it(tmp_path: Path, fmt: str, case: Any) -> None:
    out = tmp_path / "report.out"
    done = check_offline(tmp_path, case(), STRICT, "-f", fmt, "--output", str(out))
    assert done.returncode in (1, 2), done.stderr
    written = out.read_text() if out.exists() else ""
    assert VALUE not in done.stdout + done.stderr + written
    assert done.returncode == 2 or "GREETING" in written
