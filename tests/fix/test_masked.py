"""`drift.fix.masked`: a fix's journal entry names the variables holding a value its plan hid
for no name or shape of its own, and a rollback masks what they hold in every line it shows,
in a service's template as in a job's (`template_differences`' `hidden`)."""

from __future__ import annotations

from google.cloud import run_v2

from drift.diff.differences import template_differences
from drift.fix.masked import held_by, holders

PW = "hunt3r2"


def _template(auth: str, *args: str) -> run_v2.RevisionTemplate:
    env = [run_v2.EnvVar(name="REDIS_AUTH", value=auth), run_v2.EnvVar(name="MODE", value="x")]
    return run_v2.RevisionTemplate(
        containers=[run_v2.Container(name="app", image="i", env=env, args=list(args))]
    )


def test_holders_name_variables_never_values() -> None:
    job = run_v2.Job(template=run_v2.ExecutionTemplate(template=run_v2.TaskTemplate()))
    job.template.template.containers.append(_template(PW).containers[0])
    assert holders((_template(PW), job), frozenset({PW})) == ["app/REDIS_AUTH"]
    assert holders((_template("other"),), frozenset({PW})) == []
    assert held_by(job, ["app/REDIS_AUTH"]) == {PW}
    assert held_by(job, ["app/MODE"]) == {"x"}


def test_template_differences_mask_hidden_values_on_both_sides() -> None:
    before, after = _template("other", "--keep"), _template(PW, "--pg", PW, f"--pw={PW}")
    shown = "\n".join(template_differences(before, after, frozenset({PW})))
    assert "env.REDIS_AUTH: other → ***" in shown, shown
    assert "--keep" in shown and PW not in shown, shown
    assert PW in "\n".join(template_differences(before, after))  # unmasked without it


def test_a_password_on_the_command_line_is_recorded_by_its_place() -> None:
    """A renamed password that stands only on the command line (helper-593 F4): the entry
    names its word (`args[1]`) or its flag value (`args[2]=`), and the rollback masks it."""
    template = _template("other", "--redis", PW, f"--pw={PW}")
    names = holders((template,), frozenset({PW}))
    assert names == ["app/args[1]", "app/args[2]="]
    assert held_by(template, names) == {PW}
    theirs = _template("other", "--redis", "rotated")
    shown = "\n".join(template_differences(theirs, template, held_by(template, names)))
    assert "args" in shown and PW not in shown, shown
