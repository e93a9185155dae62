"""How `drift check` reads secrets, where the reading can go wrong: a comparison that could not
be made, an access that could not be decided, a secret named two ways, a volume no container
mounts. What cannot be evaluated is unverified (exit 3): never clean, never a false error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.findings import Finding
from tests.conftest import MakeSandbox
from tests.test_check_shapes import check_profile as run

SA = "api@p.iam.gserviceaccount.com"
GRANT = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{SA}"]}
PLAIN = "project: p\nregion: us-central1\nservices:\n  api: {}\n"
MOUNTS = "project: p\nregion: us-central1\nservices:\n  api:\n    mounts:\n"


def ref(name: str, secret: str, version: str = "latest") -> dict[str, Any]:
    return {"name": name, "valueSource": {"secretKeyRef": {"secret": secret, "version": version}}}


def container(**extra: Any) -> dict[str, Any]:
    return {"name": "app", "image": "x/api:1", "ports": [{"containerPort": 8080}], **extra}


def service(*containers: dict[str, Any], volumes: list[Any] | None = None) -> dict[str, Any]:
    template: dict[str, Any] = {"serviceAccount": SA, "containers": list(containers)}
    if volumes:
        template["volumes"] = volumes
    return {"template": template}


def show(findings: list[Finding]) -> list[str]:
    return [f"{f.rule} {f.target} {f.id}: {f.message}" for f in findings]


SAME_AS = (
    "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
    "      JWT: {secret: jwt, same_as: auth.JWT}\n"
    "  auth:\n    env:\n      JWT: {required: true}\n"
)


def _same_as(auth_env: list[dict[str, Any]], **jwt_auth: Any) -> dict[str, Any]:
    secrets = {
        "jwt": {"versions": ["fake-jwt-value-1234567890"]},
        "jwt-auth": {"versions": ["fake-jwt-value-0000000000"], **jwt_auth},
    }
    services = {
        "api": service(container(env=[ref("JWT", "jwt")])),
        "auth": service(container(env=auth_env)),
    }
    return {
        "projects": {"p": {"number": 5, "iam": GRANT, "secrets": secrets, "services": services}}
    }


@pytest.mark.parametrize("how", ["disabled", "denied"])
def test_same_as_whose_other_side_could_not_be_read_is_unverified_checking_one_service(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str
) -> None:
    """`--service api`: auth is read only to compare with, so nothing else says that its
    secret's value is not known (DISABLED, or AccessSecretVersion denied)."""
    if how == "disabled":
        versions = [{"value": "fake-jwt-value-0000000000", "state": "DISABLED"}]
        scenario = _same_as([ref("JWT", "jwt-auth")], versions=versions)
    else:
        scenario = _same_as([ref("JWT", "jwt-auth")])
        fault = {"method": "AccessSecretVersion", "code": "PERMISSION_DENIED", "match": "jwt-auth"}
        scenario["faults"] = [fault]
    report = run(make_sandbox, monkeypatch, tmp_path, scenario, SAME_AS, "api").report
    assert not report.findings, show(report.findings)
    [item] = report.unverified
    assert (item.service, item.target) == ("api", "env.JWT")
    assert "same_as auth.JWT not compared" in item.reason and "jwt-auth" in item.reason
    assert report.exit_code == 3


def test_same_as_against_a_variable_naming_a_secret_one_compares_its_text(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """auth.JWT is "$(JWT_RAW)" (JWT_RAW -> jwt): its container gets that text, never jwt's
    value (Cloud Run expands no reference, run v2 k8s.min.proto EnvVar.value), so api's JWT
    does not hold the same value (589ebdac: unverified, "not known without it")."""
    env = [ref("JWT_RAW", "jwt"), {"name": "JWT", "value": "$(JWT_RAW)"}]
    report = run(make_sandbox, monkeypatch, tmp_path, _same_as(env), SAME_AS).report
    found = [(f.service, f.rule, f.target) for f in report.findings]
    assert found == [("api", "env.inconsistent", "env.JWT")], show(report.findings)
    assert not report.unverified and report.exit_code == 1, report.unverified


def test_version_metadata_unreadable_is_unverified_not_no_access(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The runtime account is granted at project level; drift's caller may read the secret's
    own (empty) policy but not its version (GetSecretVersion denied, as for
    roles/iam.securityReviewer). Access "comes from the secret's policy or the project's"
    (SPEC): the own policy alone decides nothing."""
    secrets = {"s": {"versions": ["fake-s-value-aaaaaaaa"]}}
    api = service(container(env=[ref("S", "s")]))
    project = {"number": 5, "iam": GRANT, "secrets": secrets, "services": {"api": api}}
    fault = {"method": "GetSecretVersion", "code": "PERMISSION_DENIED", "match": "/s/"}
    scenario = {"projects": {"p": project}, "faults": [fault]}
    report = run(make_sandbox, monkeypatch, tmp_path, scenario, PLAIN).report
    assert not report.findings, show(report.findings)
    assert [u.target for u in report.unverified] == ["secret.s"]
    assert report.exit_code == 3


@pytest.mark.parametrize("name", ["s", "projects/p/secrets/s", "projects/5/secrets/s"])
def test_an_expiring_own_secret_is_reported_whichever_way_it_is_named(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    """Terraform's google_secret_manager_secret.id is `projects/{{project}}/secrets/{{id}}`:
    a secret of the workload's own project named by id is listed, and still expiring."""
    secrets = {"s": {"versions": ["fake-s-value-aaaaaaaa"], "expire_in": "2d"}}
    api = service(container(env=[ref("S", name)]))
    project = {"number": 5, "iam": GRANT, "secrets": secrets, "services": {"api": api}}
    report = run(make_sandbox, monkeypatch, tmp_path, {"projects": {"p": project}}, PLAIN).report
    assert [f.rule for f in report.findings] == ["secret.expiring"], show(report.findings)


def _shared(
    *, deny: bool, env: list[dict[str, Any]], volumes: list[Any] | None = None, state: str
) -> Any:
    """Project shared (number 6) holds secret s (its version in `state`); project p's service
    api uses it. `deny`: drift's caller may not GetProject on shared (common for a
    secrets-only project), so 6's id is not known."""
    shared: dict[str, Any] = {
        "number": 6,
        "iam": GRANT,
        "secrets": {"s": {"versions": [{"value": "fake-s-value-aaaaaaaa", "state": state}]}},
    }
    if deny:
        shared["deny"] = ["GetProject"]
    mounts = [{"name": "v", "mountPath": "/etc/s"}] if volumes else []
    api = service(container(env=env, volumeMounts=mounts), volumes=volumes)
    world = {"projects": {"shared": shared, "p": {"number": 5, "services": {"api": api}}}}
    if deny:
        # nor does a Secret Manager answer by id tell the number
        # (`drift.live.version_values.learn_number`)
        world["faults"] = [
            {"method": m, "match": "projects/shared/", "code": "PERMISSION_DENIED"}
            for m in ("GetSecretVersion", "GetSecret", "AccessSecretVersion")
        ]
    return world


@pytest.mark.parametrize("where", ["env.S", "mount./etc/s"])
def test_a_project_named_by_number_whose_id_cannot_be_learned_is_unverified_not_secret_ref(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str
) -> None:
    """The profile names the project by id, the service by number (gcloud writes numbers):
    whether 6 is shared cannot be told. A `drift fix` of a false env.secret_ref (or
    mount.secret_ref) would repoint a correct reference."""
    profile = "project: p\nregion: us-central1\nservices:\n  api:\n"
    if where == "env.S":
        uses: dict[str, Any] = {"env": [ref("S", "projects/6/secrets/s")]}
        profile += "    env:\n      S: {secret: s, project: shared}\n"
    else:
        volume = {"name": "v", "secret": {"secret": "projects/6/secrets/s"}}
        uses = {"env": [], "volumes": [volume]}
        profile += "    mounts:\n      /etc/s: {secret: s, project: shared}\n"
    scenario = _shared(deny=True, state="ENABLED", **uses)
    report = run(make_sandbox, monkeypatch, tmp_path, scenario, profile).report
    assert not report.findings, show(report.findings)
    [item] = [u for u in report.unverified if u.target == where]
    assert item.service == "api", report.unverified
    assert "cannot tell whether" in item.reason
    assert report.exit_code == 3
    # GetProject denied, Secret Manager's answer for the id the profile names tells the
    # number (projects/6/secrets/s): one reference, clean (revown46 R4)
    scenario = _shared(deny=True, state="ENABLED", **uses)
    del scenario["faults"]
    report = run(make_sandbox, monkeypatch, tmp_path, scenario, profile).report
    assert not report.findings and not report.unverified and report.exit_code == 0
    # when the id is known, the two spellings are one reference: clean
    scenario = _shared(deny=False, state="ENABLED", **uses)
    report = run(make_sandbox, monkeypatch, tmp_path, scenario, profile).report
    assert not report.findings and not report.unverified and report.exit_code == 0


@pytest.mark.parametrize("path", ["/etc/oauth/oauth", "/etc/oauth"])
def test_a_volume_without_items_exposes_a_file_named_after_the_secret(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, path: str
) -> None:
    """run v2 SecretVolumeSource.items: "If unspecified, the volume will expose a file whose
    name is the secret, relative to VolumeMount.mount_path": /etc/oauth/oauth, in the
    directory /etc/oauth. A profile may name either."""
    volumes = [{"name": "o", "secret": {"secret": "oauth"}}]
    api = service(
        container(volumeMounts=[{"name": "o", "mountPath": "/etc/oauth"}]), volumes=volumes
    )
    secrets = {"oauth": {"versions": ["fake-oauth-aaaaaaaa"]}}
    project = {"number": 5, "iam": GRANT, "secrets": secrets, "services": {"api": api}}
    profile = f"{MOUNTS}      {path}: {{secret: oauth}}\n"
    report = run(make_sandbox, monkeypatch, tmp_path, {"projects": {"p": project}}, profile).report
    assert not report.findings and not report.unverified, show(report.findings)


def test_a_secret_volume_no_container_mounts_is_still_checked(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """SPEC: every reference "in secret volumes (volumes[].secret, with each item's version)"
    is checked. A volume no container mounts, on a DESTROYED version: the next deploy of
    this template fails ("During service deployment, Cloud Run checks all the secrets you
    use"), so it is not clean."""
    gone = {"versions": [{"value": "fake-gone-aaaaaaaa", "state": "DESTROYED"}]}
    volume = {"name": "x", "secret": {"secret": "gone", "items": [{"path": "k", "version": "1"}]}}
    api = service(container(), volumes=[volume])
    project = {"number": 5, "iam": GRANT, "secrets": {"gone": gone}, "services": {"api": api}}
    report = run(make_sandbox, monkeypatch, tmp_path, {"projects": {"p": project}}, PLAIN).report
    [found] = report.findings
    assert (found.rule, found.target) == ("secret.destroyed", "secret.gone"), show(report.findings)
    assert "volume x (k)" in found.message


def test_each_file_of_a_secret_volume_has_its_own_finding_id_at_the_mount_rule(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """/etc/creds holds v1 (version 1, DISABLED), v2 (2) and cur (latest); the profile says
    /etc/creds mounts version 2: two mount.secret_ref, each its own id (a baseline or an
    ignore keyed by one must not hide the other), and the version's state is told at the
    mount rule's line, not the service's."""
    creds = {
        "versions": [
            {"value": "fake-creds-v1-aaaaaaaa", "state": "DISABLED"},
            "fake-creds-v2-bbbbbbbb",
            "fake-creds-v3-cccccccc",
        ]
    }
    items = [
        {"path": "v1", "version": "1"},
        {"path": "v2", "version": "2"},
        {"path": "cur", "version": "latest"},
    ]
    volume = {"name": "c", "secret": {"secret": "creds", "items": items}}
    mounts = [{"name": "c", "mountPath": "/etc/creds"}]
    api = service(container(volumeMounts=mounts), volumes=[volume])
    project = {"number": 5, "iam": GRANT, "secrets": {"creds": creds}, "services": {"api": api}}
    profile = f'{MOUNTS}      /etc/creds: {{secret: creds, version: "2"}}\n'
    report = run(make_sandbox, monkeypatch, tmp_path, {"projects": {"p": project}}, profile).report
    findings = report.findings
    refs = [f for f in findings if f.rule == "mount.secret_ref"]
    assert len(refs) == 2, show(findings)
    assert len({f.id for f in findings}) == len(findings), show(findings)
    [disabled] = [f for f in findings if f.rule == "secret.disabled"]
    assert disabled.location == refs[0].location
    assert disabled.location is not None and disabled.location.line == 6


def test_a_mount_s_sub_path_is_where_its_files_show_and_what_it_hides_is_still_checked(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """One volume of two files, mounted with VolumeMount.sub_path "db" ("Path within the
    volume from which the container's volume should be mounted", run v2 k8s.min.proto): the
    container sees db/password at /etc/db/password, as the profile says, and never sees
    old/key, whose DESTROYED version still fails the next deploy."""
    creds = {
        "versions": [{"value": "fake-creds-v1-aaaaaaaa", "state": "DESTROYED"}, "fake-creds-v2"]
    }
    items = [{"path": "db/password", "version": "2"}, {"path": "old/key", "version": "1"}]
    volume = {"name": "c", "secret": {"secret": "creds", "items": items}}
    mounts = [{"name": "c", "mountPath": "/etc/db", "subPath": "db"}]
    api = service(container(volumeMounts=mounts), volumes=[volume])
    project = {"number": 5, "iam": GRANT, "secrets": {"creds": creds}, "services": {"api": api}}
    profile = f'{MOUNTS}      /etc/db/password: {{secret: creds, version: "2"}}\n'
    report = run(make_sandbox, monkeypatch, tmp_path, {"projects": {"p": project}}, profile).report
    [found] = report.findings
    assert (found.rule, found.target) == ("secret.destroyed", "secret.creds"), show(report.findings)
    assert "volume c (old/key)" in found.message


DSN = "postgres://app:$(DB_PASS)@10.0.0.3/db"


@pytest.mark.parametrize("stated", [f'"{DSN}"', "{required: true}"])
def test_a_variable_built_around_a_secret_can_be_clean(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stated: str
) -> None:
    """DSN is written around DB_PASS (-> Secret Manager). Stated exactly as written, it is as
    stated (the same text expands the same way, `EnvVar.holds`); stated `{required: true}`,
    as `drift init` writes it, it is no env.plaintext_secret: the password is a reference
    (the `$(VAR)` rule of `redact._CREDENTIAL_VALUE`)."""
    env = [ref("DB_PASS", "db-pass"), {"name": "DSN", "value": DSN}]
    secrets = {"db-pass": {"versions": ["fake-db-pass-1234567890"]}}
    project = {
        "number": 5,
        "iam": GRANT,
        "secrets": secrets,
        "services": {"api": service(container(env=env))},
    }
    profile = (
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
        f"      DB_PASS: {{secret: db-pass}}\n      DSN: {stated}\n"
    )
    report = run(make_sandbox, monkeypatch, tmp_path, {"projects": {"p": project}}, profile).report
    assert not report.findings and not report.unverified, (show(report.findings), report.unverified)
    assert report.exit_code == 0


def test_one_secret_named_by_project_id_and_by_number_is_told_of_once(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A revision uses shared's secret s by number (env, as gcloud writes it) and by id (a
    volume): one DISABLED version, stated once, under the project's id (the target does not
    hang on which spelling comes first)."""
    volume = {"name": "v", "secret": {"secret": "projects/shared/secrets/s"}}
    env = [ref("A", "projects/6/secrets/s")]
    scenario = _shared(deny=False, env=env, volumes=[volume], state="DISABLED")
    report = run(make_sandbox, monkeypatch, tmp_path, scenario, PLAIN).report
    [found] = report.findings
    expected = ("secret.disabled", "secret.shared/s")
    assert (found.rule, found.target) == expected, show(report.findings)
    assert "A, /etc/s/s" in found.message


def test_same_as_reads_only_the_compared_value_of_a_service_not_checked(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`--service api`: auth is read for its JWT (api's same_as) only: that one value, never
    its other secrets' states, policies or access (nothing reports them)."""
    scenario = _same_as([ref("JWT", "jwt-auth"), ref("OTHER", "other")])
    scenario["projects"]["p"]["secrets"]["other"] = {"versions": ["fake-other-value-12345"]}
    made = []

    def keep(*args: Any, **kwargs: Any) -> Any:
        made.append(make_sandbox(*args, **kwargs))
        return made[-1]

    report = run(keep, monkeypatch, tmp_path, scenario, SAME_AS, "api").report
    assert [f.rule for f in report.findings] == ["env.inconsistent"], show(report.findings)
    read = [(c.short, str(c.request)) for c in made[0].calls]
    assert [r for r in read if "other" in r[1]] == []
    assert [m for m, r in read if "jwt-auth" in r] == ["AccessSecretVersion"]


ROTATED = PLAIN.replace("api: {}", "api:\n    env:\n      S: {secret: s, min_length: 32}")


def _rotated(make_sandbox: MakeSandbox, *faults: dict[str, Any]) -> MakeSandbox:
    """`s` (`latest`: version 1, too short) gets a version 2 (long enough) right after drift
    reads version 1's state, before its value is read (AccessSecretVersion answers later)."""
    later = {"method": "AccessSecretVersion", "code": None, "latency_ms": 300, "match": "/s/"}

    def made(world: dict[str, Any]) -> Any:
        world["faults"] = [later, *faults]
        sandbox = make_sandbox(world)
        sandbox.rotate_after_get("p", "s", "fake-s-value-long-enough-" + "x" * 20)
        return sandbox

    return made


def _scenario() -> dict[str, Any]:
    secrets = {"s": {"versions": ["fake-s-short"]}}
    api = service(container(env=[ref("S", "s")]))
    return {
        "projects": {"p": {"number": 5, "iam": GRANT, "secrets": secrets, "services": {"api": api}}}
    }


def test_a_rotation_between_the_state_and_the_value_of_latest_judges_the_version_read(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """revrace F3: the report named version 1 (its state) and judged `min_length` on version
    2's value, which AccessSecretVersion had resolved `latest` to (its answer's `name`). The
    value judged is version 1's; and since latest was resolved before api was read (the
    profile names s), its state read again finds it moved to version 2 meanwhile: not
    verified (drift.live.held_still), never a verdict on one version named for another."""
    report = run(_rotated(make_sandbox), monkeypatch, tmp_path, _scenario(), ROTATED).report
    assert not report.findings, show(report.findings)
    (item,) = report.unverified
    assert (item.target, item.reason) == (
        "env.S",
        "version latest of s changed while drift read it (ENABLED (version 1) → ENABLED "
        "(version 2)): its env.constraint is not verified, run again",
    )


def test_a_rotation_whose_version_cannot_be_read_again_is_unverified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    denied = {"method": "AccessSecretVersion", "code": "PERMISSION_DENIED", "match": "versions/1"}
    made = _rotated(make_sandbox, denied)
    report = run(made, monkeypatch, tmp_path, _scenario(), ROTATED).report
    assert not report.findings, show(report.findings)
    (item,) = report.unverified
    assert "rotated while read" in item.reason and "fake-s" not in item.reason
    assert report.exit_code == 3
