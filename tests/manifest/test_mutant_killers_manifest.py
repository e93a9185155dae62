"""Killer for a surviving manifest mutant (revmutant3): a value Terraform will only know for a
sidecar withholds the sidecar's finding, never the main container's of the same name."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MakeSandbox
from tests.manifest.test_terraform_sidecars import check_plan, log_level_profiles, terraform_plan
from tests.test_check_sidecars import APP_INGRESS, OTEL, world


def test_an_unknown_sidecar_value_withholds_only_the_sidecars_finding(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The plan sets app's LOG_LEVEL to DEBUG (the profile wants INFO) and otel's LOG_LEVEL
    to a value known only after apply. otel's LOG_LEVEL is not judged (unverified); app's
    is a finding all the same (`source._covers`: an unknown of one container covers that
    container's findings)."""
    sandbox = make_sandbox(world(APP_INGRESS, OTEL))
    profiles = log_level_profiles(tmp_path)
    data = terraform_plan([{"container_port": 8080}], {})
    change = data["resource_changes"][0]["change"]
    otel = change["after"]["template"][0]["containers"][1]
    assert otel["env"][0]["name"] == "LOG_LEVEL"
    otel["env"][0].pop("value")  # unknown values are left out of `after`
    change["after_unknown"]["template"][0]["containers"][1] = {"env": [{"value": True}]}
    done, doc, seen = check_plan(sandbox, profiles, data, tmp_path)
    assert ("env.value", "env.LOG_LEVEL", "app") in seen, doc
    assert ("env.value", "env.LOG_LEVEL", "otel") not in seen, doc
    assert done.returncode == 1
