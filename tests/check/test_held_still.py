"""A secret finding drift made of reads at two moments (drift/live/held_still.py): a rotation or a
runtime-account switch landing between drift's read of a workload and its reads of the secret
(or a grant moved from the project to the secret between the two policy reads) is *not
verified* (exit 3), never the `secret.disabled` / `secret.no_access` no single state had
(helper-650 F1, F2). A third party writes between two of drift's own calls: the real CLI runs,
the Google clients are the official ones; only drift's call runner is wrapped to know when."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import drift.live.calls as calls
from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.conftest import ClientsFor, MakeSandbox

SA1 = "sa1@acme.iam.gserviceaccount.com"
SA2 = "sa2@acme.iam.gserviceaccount.com"
ACC = "roles/secretmanager.secretAccessor"
SECRET = "projects/acme/secrets/s"
VALUE = "fake-s-value-one-1234567890"
PINNED = "project: acme\nregion: us-central1\n{kind}:\n  {name}: {{}}\n"
"""A profile naming no secret: the references the workload holds are read after it."""
LATEST = "project: acme\nregion: us-central1\nservices:\n  api:\n    env:\n      S: {secret: s}\n"


def world(version: str = "1", *, grant: str = "secret", **workloads: Any) -> dict[str, Any]:
    """Project acme: secret s (one version), granted to sa1 on the secret (or the project),
    and `workloads` (a section's name → its workloads), each running as sa1 on `s:version`."""
    template = {"service_account": SA1, "env": {"S": {"secret": "s", "version": version}}}
    iam = {ACC: [f"serviceAccount:{SA1}"]}
    secret: dict[str, Any] = {"versions": [VALUE]}
    if grant == "secret":
        secret["iam"] = iam
    project: dict[str, Any] = {"number": 111, "region": "us-central1", "secrets": {"s": secret}}
    if grant == "project":
        project["iam"] = iam
    for section, names in (workloads or {"services": ["api"]}).items():
        extra = {"instances": 1} if section == "worker_pools" else {}
        project[section] = {n: {"template": template, **extra} for n in names}
    return {"options": {"seed": 3}, "projects": {"acme": project}}


class Between:
    """Runs `action` once, just before drift sends (`when="before"`) or just after it is
    answered (`"after"`) its first `method` call whose resource holds `match`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.armed: list[tuple[str, str, str, Callable[[], None]]] = []
        self.fired: list[str] = []
        real = calls.CallRunner.call

        async def call(
            runner: Any, api: Any, method: str, resource: str, fn: Any, **kw: Any
        ) -> Any:
            self._fire("before", method, resource)
            try:
                return await real(runner, api, method, resource, fn, **kw)
            finally:
                self._fire("after", method, resource)

        monkeypatch.setattr(calls.CallRunner, "call", call)

    def check(self, sandbox: Sandbox, profile: str, tmp_path: Path) -> tuple[int, dict[str, Any]]:
        """`check`, the hooks armed before it all fired, in the order armed."""
        armed = [f"{when} {method}" for when, method, _, _ in self.armed]
        code, doc = check(sandbox, profile, tmp_path)
        assert self.fired == armed
        return code, doc

    def arm(self, when: str, method: str, match: str, action: Callable[[], None]) -> None:
        self.armed.append((when, method, match, action))

    def _fire(self, when: str, method: str, resource: str) -> None:
        for hook in list(self.armed):
            if hook[:2] == (when, method) and hook[2] in resource:
                self.armed.remove(hook)
                self.fired.append(f"{when} {method}")
                hook[3]()


def switch(
    sandbox: Sandbox, c: Any, *, on: str = SECRET, name: str = "api", wait: bool = True
) -> None:
    """The documented runtime-account switch: grant sa2 (`on` the secret, or its project),
    deploy `name` running as sa2, then (on the secret) revoke sa1. `wait`: for the deploy's
    operation (not while drift waits for a deploy already in progress)."""
    sandbox.grant(on, ACC, f"serviceAccount:{SA2}")
    service = sandbox.service("acme", name)
    service.template.service_account = SA2
    service.template.revision = ""
    operation = c.services.update_service(service=service)
    if wait:
        operation.result(timeout=30)
    if on == SECRET:
        sandbox.revoke(SECRET, ACC, f"serviceAccount:{SA1}")


def check(sandbox: Sandbox, profile: str, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    (tmp_path / "profiles").mkdir(exist_ok=True)
    (tmp_path / "profiles" / "prod.yaml").write_text(profile)
    args = ("check", "prod", "--format", "json", "--no-history")
    done = drift(*args, env=sandbox.environ(), cwd=tmp_path)
    return done.returncode, json.loads(done.stdout)


def rules(doc: dict[str, Any]) -> list[str]:
    return sorted(f["rule"] for f in doc["findings"])


def unverified(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((u["service"], u["target"], u["reason"]) for u in doc["unverified"])


def gets(sandbox: Sandbox, method: str) -> int:
    return sum(c.short == method for c in sandbox.calls)


def api_read_late(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, second: str, **options: Any
) -> tuple[Sandbox, Any]:
    """`world()` with a version 2 (`second`) of s, api pinned to 1 and its GetService held
    back (300 ms): what the profile names is read before api; the sandbox's `options` added.
    The sandbox and its clients."""
    scenario = world()
    scenario["options"].update(options)
    scenario["projects"]["acme"]["secrets"]["s"]["versions"].append(second)
    scenario["faults"] = [{"method": "GetService", "code": None, "latency_ms": 300}]
    sandbox = make_sandbox(scenario)
    return sandbox, clients_for(sandbox)


def incomplete(checked: tuple[int, dict[str, Any]], reason: str, target: str = "secret.s") -> None:
    """The check (its exit code and report) ended incomplete (3), api's finding on `target`
    not verified for `reason`, and nothing else left unverified or reported."""
    code, doc = checked
    assert not_verified(doc) == ("api", target, reason)
    assert code == 3


def not_verified(doc: dict[str, Any]) -> tuple[str, str, str]:
    """The one finding left unverified (service, target, reason), no finding reported."""
    assert rules(doc) == [], doc["findings"]
    (one,) = unverified(doc)
    return one


def serve(sandbox: Sandbox, version: str) -> None:
    """Deploy api on `s:version` and send it all traffic."""
    sandbox.deploy("acme", "api", secrets={"S": f"s:{version}"})
    sandbox.update_traffic("acme", "api", {"LATEST": 100})


def rotated_while_read(
    scenario: dict[str, Any],
    retire: str,
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> tuple[int, dict[str, Any], str]:
    """The documented rotation (add version 2, deploy api pinned to it, then `retire` version
    1: "disable", or "destroy" where the secret delays destruction) lands after drift read api
    (pinned to 1) and before it read version 1's state: api moved while read. The check's exit
    code, report, and the reason its finding is not verified."""
    sandbox = make_sandbox(scenario)
    c = clients_for(sandbox)
    between = Between(monkeypatch)

    def rotate() -> None:
        c.secrets.add_secret_version(parent=SECRET, payload={"data": b"fake-s-value-two-123456789"})
        serve(sandbox, "2")
        getattr(c.secrets, f"{retire}_secret_version")(name=f"{SECRET}/versions/1")

    between.arm("before", "GetSecretVersion", "/versions/1", rotate)
    code, doc = between.check(sandbox, PINNED.format(kind="services", name="api"), tmp_path)
    service, target, reason = not_verified(doc)
    assert (service, target) == ("api", "secret.s")
    assert reason.startswith("api changed while drift read its secrets (generation 1 → "), reason
    return code, doc, reason


def test_a_rotation_between_the_service_read_and_the_version_read_is_not_verified(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The documented rotation (add version 2, deploy a revision pinned to it, disable version
    1) after drift read api (pinned to 1) and before it read version 1's state: api served on
    an ENABLED version before and after, so no `secret.disabled`; api moved while read."""
    code, doc, reason = rotated_while_read(
        world(), "disable", make_sandbox, clients_for, monkeypatch, tmp_path
    )
    assert reason.endswith("its secret.disabled is not verified, run again"), reason
    assert code == 3 and doc["status"] == "incomplete"


def test_an_account_switch_between_the_service_read_and_the_policy_read_is_not_verified(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Grant sa2 on s, deploy api running as sa2, revoke sa1 — after drift read api (sa1) and
    before it read s's policy: every instance could access s throughout."""
    sandbox = make_sandbox(world("latest"))
    c = clients_for(sandbox)
    between = Between(monkeypatch)

    between.arm("before", "GetIamPolicy", "secrets/s", lambda: switch(sandbox, c))
    code, doc = between.check(sandbox, LATEST, tmp_path)
    service, target, reason = not_verified(doc)
    assert (service, target) == ("api", "secret.s")
    assert reason.startswith("api changed while drift read its secrets (generation 1 → 2"), reason
    assert reason.endswith("its secret.no_access is not verified, run again"), reason
    assert code == 3


def test_an_account_switch_between_the_policy_read_and_the_service_read_is_not_verified(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The mirror order (helper-650 r09): the profile names s, so its policy is read as the
    check starts, before api (GetService held back). The switch lands in between: api held
    still after its read, but s's policy did not (its etag moved)."""
    scenario = world("latest")
    scenario["faults"] = [{"method": "GetService", "code": None, "latency_ms": 300}]
    sandbox = make_sandbox(scenario)
    c = clients_for(sandbox)
    between = Between(monkeypatch)

    between.arm("after", "GetIamPolicy", "secrets/s", lambda: switch(sandbox, c))
    incomplete(
        between.check(sandbox, LATEST, tmp_path),
        "the IAM policy of secret s changed while drift read it (another etag): "
        "its secret.no_access is not verified, run again",
    )


def test_a_grant_moved_from_the_project_to_the_secret_between_its_reads_is_not_verified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """helper-650 F2: sa1 holds the accessor role on the project; after drift read s's policy
    (no grant there yet) and before it read the project's, the binding moves to the secret.
    sa1 could access s at every moment."""
    sandbox = make_sandbox(world("latest", grant="project"))
    between = Between(monkeypatch)

    def narrow() -> None:
        sandbox.grant(SECRET, ACC, f"serviceAccount:{SA1}")
        sandbox.revoke("projects/acme", ACC, f"serviceAccount:{SA1}")

    between.arm("after", "GetIamPolicy", "secrets/s", narrow)
    code, doc = between.check(sandbox, LATEST, tmp_path)
    service, target, reason = not_verified(doc)
    assert (service, target) == ("api", "secret.s")
    assert reason.startswith("the IAM policy of secret s changed while drift read it"), reason
    assert code == 3


@pytest.mark.parametrize(
    ("section", "name", "get", "said"),
    [
        ("jobs", "migrate", "GetJob", "job migrate"),
        ("worker_pools", "queue", "GetWorkerPool", "worker pool queue"),
    ],
)
def test_a_rotation_while_a_job_or_pool_is_read_is_not_verified(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    section: str,
    name: str,
    get: str,
    said: str,
) -> None:
    sandbox = make_sandbox(world(**{section: [name]}))
    c = clients_for(sandbox)
    between = Between(monkeypatch)

    def rotate() -> None:
        c.secrets.add_secret_version(parent=SECRET, payload={"data": b"fake-s-value-two-123456789"})
        if section == "jobs":
            sandbox.update_job("acme", name, secrets={"S": "s:2"})
        else:
            sandbox.deploy_pool("acme", name, secrets={"S": "s:2"})
        c.secrets.disable_secret_version(name=f"{SECRET}/versions/1")

    between.arm("before", "GetSecretVersion", "/versions/1", rotate)
    code, doc = between.check(sandbox, PINNED.format(kind=section, name=name), tmp_path)
    service, target, reason = not_verified(doc)
    assert (service, target) == (name, "secret.s")
    assert reason.startswith(f"{said} changed while drift read its secrets (generation 1 → 2"), (
        reason
    )
    assert gets(sandbox, get) == 2
    assert code == 3


def test_a_disabled_version_nothing_moved_around_is_reported_after_one_more_read(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """Nothing moves: the `secret.disabled` is confirmed by one GetService more (api held
    still), and a clean run makes no such call."""
    sandbox = make_sandbox(world())
    code, doc = check(sandbox, PINNED.format(kind="services", name="api"), tmp_path)
    assert (code, rules(doc), doc["unverified"]) == (0, [], [])
    assert gets(sandbox, "GetService") == 1
    clients_for(sandbox).secrets.disable_secret_version(name=f"{SECRET}/versions/1")
    sandbox.clear_calls()
    code, doc = check(sandbox, PINNED.format(kind="services", name="api"), tmp_path)
    assert (code, rules(doc), doc["unverified"]) == (1, ["secret.disabled"], [])
    assert gets(sandbox, "GetService") == 2
    assert gets(sandbox, "GetIamPolicy") == 1


def test_a_denied_account_nothing_moved_around_is_reported_after_reading_its_policy_again(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world("latest", grant="none"))
    code, doc = check(sandbox, LATEST, tmp_path)
    assert (code, rules(doc), doc["unverified"]) == (1, ["secret.no_access"], [])
    assert gets(sandbox, "GetService") == 2
    policies = [c.request.resource for c in sandbox.calls if c.short == "GetIamPolicy"]
    assert [r for r in policies if "secrets" in r] == [SECRET, SECRET], policies


def test_a_listed_service_whose_get_is_refused_is_confirmed_by_its_list(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-657 LOW/MEDIUM-3: a caller holding run.services.list but not run.services.get (a
    custom role) reads two services with one ListServices; each re-read GetService is refused,
    which left both genuine `secret.no_access` unverified on every run (exit 3, "run again"
    never helped). The List the check read them with reads them again: confirmed."""
    scenario = world("latest", grant="none", services=["a", "b"])
    scenario["faults"] = [{"method": "GetService", "code": "PERMISSION_DENIED"}]
    sandbox = make_sandbox(scenario)
    profile = "project: acme\nregion: us-central1\nservices:\n  a: {}\n  b: {}\n"
    code, doc = check(sandbox, profile, tmp_path)
    assert sorted((f["service"], f["rule"]) for f in doc["findings"]) == [
        ("a", "secret.no_access"),
        ("b", "secret.no_access"),
    ]
    assert doc["unverified"] == [] and not [n for n in doc["notes"] if "confirmed" in n]
    assert (gets(sandbox, "GetService"), gets(sandbox, "ListServices")) == (2, 2)
    assert code == 1


def test_a_workload_that_cannot_be_read_again_at_all_keeps_its_finding_with_a_note(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Its Get and its List both refused (PERMISSION_DENIED) once api was read: no read says
    api moved, and none can, however often the check runs. The finding stands as read, with a
    note naming what was refused and the permission it needs (not exit 3 every run)."""
    sandbox = make_sandbox(world("latest", grant="none"))
    between = Between(monkeypatch)

    def refuse() -> None:
        for method in ("GetService", "ListServices"):
            sandbox.inject(Fault(method=method, code="PERMISSION_DENIED"))

    between.arm("after", "GetService", "services/api", refuse)
    code, doc = between.check(sandbox, LATEST, tmp_path)
    assert (code, rules(doc), doc["unverified"]) == (1, ["secret.no_access"], [])
    parent = "projects/acme/locations/us-central1"
    assert (
        f"api: its secret.no_access on secret.s is reported as read, not confirmed: api could "
        f"not be read again after its secrets (GetService {parent}/services/api: "
        f"PERMISSION_DENIED, needs run.services.get; ListServices {parent}: PERMISSION_DENIED, "
        "needs run.services.list); a change landing between drift's reads of the workload and "
        "of the secret is not ruled out"
    ) in doc["notes"]


def test_a_workload_deleted_while_read_leaves_its_finding_unverified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """api's re-read answers NOT_FOUND (the sandbox has no DeleteService: a fault stands for
    the deletion): not a finding no state may have had, never clean either; the words say
    it was deleted, and the next run says it is missing."""
    sandbox = make_sandbox(world("latest", grant="none"))
    between = Between(monkeypatch)
    gone = Fault(method="GetService", code="NOT_FOUND")
    between.arm("after", "GetService", "services/api", lambda: sandbox.inject(gone))
    incomplete(
        check(sandbox, LATEST, tmp_path),
        "api was deleted while drift read its secrets (GetService "
        "projects/acme/locations/us-central1/services/api: NOT_FOUND): its "
        "secret.no_access is not verified, run again",
    )


def test_a_workload_that_fails_its_read_again_for_now_leaves_its_finding_unverified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A failure for now (INTERNAL, not retried as a quota is) is no refusal: run again."""
    sandbox = make_sandbox(world("latest", grant="none"))
    between = Between(monkeypatch)
    failed = Fault(method="GetService", code="INTERNAL")
    between.arm("after", "GetService", "services/api", lambda: sandbox.inject(failed))
    code, doc = check(sandbox, LATEST, tmp_path)
    service, target, reason = not_verified(doc)
    assert (service, target) == ("api", "secret.s")
    assert reason.startswith("api could not be read again after its secrets (GetService "), reason
    assert "INTERNAL" in reason and reason.endswith("run again") and code == 3
    assert gets(sandbox, "ListServices") == 0  # only a refused Get asks the List


def refused_policy_again(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """api without access to s, and the secret's policy refused (PERMISSION_DENIED) once drift
    has read it: its read again is refused, its finding kept with a note."""
    sandbox = make_sandbox(world("latest", grant="none"))
    between = Between(monkeypatch)

    def refuse() -> None:
        sandbox.inject(Fault(method="GetIamPolicy", code="PERMISSION_DENIED", match="secrets/s"))

    between.arm("after", "GetIamPolicy", "secrets/s", refuse)
    return sandbox


def test_a_policy_that_cannot_be_read_again_keeps_its_no_access_with_a_note(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = refused_policy_again(make_sandbox, monkeypatch)
    code, doc = check(sandbox, LATEST, tmp_path)
    assert (code, rules(doc), doc["unverified"]) == (1, ["secret.no_access"], [])
    assert (
        "api: its secret.no_access on secret.s is reported as read, not confirmed: the IAM "
        "policy of secret s could not be read again (GetIamPolicy projects/acme/secrets/s: "
        "PERMISSION_DENIED, needs secretmanager.secrets.getIamPolicy); a change landing "
        "between drift's reads of the workload and of the secret is not ruled out"
    ) in doc["notes"]


def test_a_policy_that_fails_its_read_again_for_now_leaves_its_no_access_unverified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world("latest", grant="none"))
    between = Between(monkeypatch)
    failed = Fault(method="GetIamPolicy", code="INTERNAL", match="secrets/s")
    between.arm("after", "GetIamPolicy", "secrets/s", lambda: sandbox.inject(failed))
    incomplete(
        check(sandbox, LATEST, tmp_path),
        "the IAM policy of secret s could not be read again (GetIamPolicy "
        "projects/acme/secrets/s: INTERNAL): its secret.no_access is not verified, "
        "run again",
    )


def test_a_version_recovered_between_its_read_and_the_service_read_is_not_verified(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The mirror order for a version's state: the profile names `s` (latest), so its state is
    asked for as the check starts, before api is read (GetService held back). Latest (version
    2) is DISABLED then and api runs pinned to version 1; an incident recovery re-enables
    version 2 and deploys api on latest before drift reads api. api held still from then on,
    but no single state had api on a DISABLED latest: the state read again says so."""
    sandbox, c = api_read_late(make_sandbox, clients_for, "fake-s-value-two-123456789")
    c.secrets.disable_secret_version(name=f"{SECRET}/versions/2")
    between = Between(monkeypatch)

    def recover() -> None:
        c.secrets.enable_secret_version(name=f"{SECRET}/versions/2")
        serve(sandbox, "latest")

    between.arm("after", "GetSecretVersion", "/versions/latest", recover)
    incomplete(
        between.check(sandbox, LATEST, tmp_path),
        "version latest of s changed while drift read it (DISABLED (version 2) → ENABLED "
        "(version 2)): its secret.disabled is not verified, run again",
    )


def test_a_disabled_version_the_profile_names_is_read_again_once(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """Nothing moves; the profile names `s`, so its state was asked for before api was read:
    the `secret.disabled` is confirmed by one GetService and one GetSecretVersion more."""
    sandbox = make_sandbox(world("latest"))
    clients_for(sandbox).secrets.disable_secret_version(name=f"{SECRET}/versions/1")
    code, doc = check(sandbox, LATEST, tmp_path)
    assert (code, rules(doc), doc["unverified"]) == (1, ["secret.disabled"], [])
    assert (gets(sandbox, "GetService"), gets(sandbox, "GetSecretVersion")) == (2, 2)


def test_an_account_switch_during_a_wait_after_the_projects_policy_was_read_is_not_verified(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """helper-657 HIGH-2: the project's policy is read once a run, for b (described while a
    deploy of a is waited for); then sa2 is granted on the project and a deployed as sa2. a's
    last read (it settles running as sa2) comes after that policy read: a held still since,
    s's own policy too, so the false `secret.no_access` was confirmed (exit 1). The project's
    policy, which the verdict consulted, is read again: another etag, not verified."""
    scenario = world(grant="project", services=["a", "b"])
    a = scenario["projects"]["acme"]["services"]["a"]
    a["deploying"] = {
        "template": {**a["template"], "image": "us-docker.pkg.dev/acme/a:2"},
        "settles_in": "2s",
        "outcome": "ready",
    }
    sandbox = make_sandbox(scenario)
    c = clients_for(sandbox)
    between = Between(monkeypatch)

    def during_the_wait() -> None:  # lands while drift waits for a
        switch(sandbox, c, on="projects/acme", name="a", wait=False)

    between.arm("after", "GetIamPolicy", "projects/111", during_the_wait)
    profile = "project: acme\nregion: us-central1\nservices:\n  a: {}\n  b: {}\n"
    (tmp_path / "profiles").mkdir(exist_ok=True)
    (tmp_path / "profiles" / "prod.yaml").write_text(profile)
    args = ("check", "prod", "--format", "json", "--no-history", "--wait", "60s")
    done = drift(*args, env=sandbox.environ(), cwd=tmp_path)
    doc = json.loads(done.stdout)
    assert between.fired == ["after GetIamPolicy"]
    assert sandbox.service("acme", "a").template.service_account == SA2
    assert not_verified(doc) == (
        "a",
        "secret.s",
        "the IAM policy of projects/111 changed while drift read it (another etag): "
        "its secret.no_access is not verified, run again",
    )
    assert done.returncode == 3


KINDS = {
    "services": ("GetService", "ListServices"),
    "jobs": ("GetJob", "ListJobs"),
    "worker_pools": ("GetWorkerPool", "ListWorkerPools"),
}


@pytest.mark.parametrize("section", list(KINDS))
def test_many_workloads_of_a_kind_are_read_again_by_one_list(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, section: str
) -> None:
    """helper-657 LOW-4: a project whose IAM is not set up yet (no service may access s) had
    each service read again with a Get (30 Gets, a minute under a read quota). More than
    `MANY` of a kind are read again with one List, which tells a moved one all the same."""
    names = ["a", "b", "c", "d", "e"]
    sandbox = make_sandbox(world(grant="none", **{section: names}))
    get, listed = KINDS[section]
    moved = {
        "services": lambda: sandbox.set_env("acme", "a", "X", "1"),
        "jobs": lambda: sandbox.update_job("acme", "a", env={"X": "1"}),
        "worker_pools": lambda: sandbox.deploy_pool("acme", "a", env={"X": "1"}),
    }[section]
    between = Between(monkeypatch)
    between.arm("before", "GetIamPolicy", "secrets/s", moved)
    profile = f"project: acme\nregion: us-central1\n{section}:\n" + "".join(
        f"  {n}: {{}}\n" for n in names
    )
    sandbox.clear_calls()
    code, doc = between.check(sandbox, profile, tmp_path)
    assert gets(sandbox, get) == 0 and gets(sandbox, listed) == 2
    assert sorted(f["service"] for f in doc["findings"]) == ["b", "c", "d", "e"]
    assert {f["rule"] for f in doc["findings"]} == {"secret.no_access"}
    ((service, target, reason),) = unverified(doc)
    assert (service, target) == ("a", "secret.s") and "changed while drift read" in reason
    assert code == 1


def test_a_version_state_that_cannot_be_read_again_keeps_its_finding_with_a_note(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The profile names s, so latest's state (DISABLED) was asked for before api was read;
    its GetSecretVersion again (the only other one) is refused: kept, with a note naming the
    permission."""
    sandbox = make_sandbox(world("latest"))
    clients_for(sandbox).secrets.disable_secret_version(name=f"{SECRET}/versions/1")
    between = Between(monkeypatch)
    refused = Fault(method="GetSecretVersion", code="PERMISSION_DENIED")
    between.arm("after", "GetSecretVersion", "/versions/latest", lambda: sandbox.inject(refused))
    code, doc = between.check(sandbox, LATEST, tmp_path)
    assert gets(sandbox, "GetSecretVersion") == 2
    assert (code, rules(doc), doc["unverified"]) == (1, ["secret.disabled"], [])
    assert (
        "api: its secret.disabled on secret.s is reported as read, not confirmed: version "
        f"latest of s could not be read again (GetSecretVersion {SECRET}/versions/latest: "
        "PERMISSION_DENIED, needs secretmanager.versions.get); a change landing between "
        "drift's reads of the workload and of the secret is not ruled out"
    ) in doc["notes"]


ETAGS = pytest.mark.parametrize("etags", ["per_write", "per_state"])
"""Sandbox `version_etag`: whether a version written back to a state it had reads back with
another etag (resources.proto says only "Etag of the currently stored SecretVersion")."""


@ETAGS
def test_a_version_disabled_again_after_the_service_was_read_again_is_not_verified(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    etags: str,
) -> None:
    """helper-651's flip and flip back: latest (version 2) is DISABLED when drift asks (the
    profile names s) and api runs pinned to version 1; an incident recovery re-enables
    version 2 and deploys api on latest before drift reads api, which holds still through its
    read again; then api is pinned back to version 1 and version 2 disabled again. No single
    state had api on a disabled latest. Once read DISABLED both times, with the same etag
    where the etag comes from the state, it could not be told (task 844); the state is read
    again before api is (drift.live.held_still), so it reads ENABLED, whatever the etags."""
    sandbox, c = api_read_late(
        make_sandbox, clients_for, "fake-s-value-two-123456789", version_etag=etags
    )
    c.secrets.disable_secret_version(name=f"{SECRET}/versions/2")
    between = Between(monkeypatch)

    def back() -> None:  # right after drift read api again
        serve(sandbox, "1")
        c.secrets.disable_secret_version(name=f"{SECRET}/versions/2")

    def recover() -> None:
        c.secrets.enable_secret_version(name=f"{SECRET}/versions/2")
        serve(sandbox, "latest")
        # held back, the state's read again would read what holds once `back` ran, were it
        # made with api's
        sandbox.inject(Fault(method="GetSecretVersion", code=None, latency_ms=1000))
        # the first GetService answered arms `back` for the next one: the read again
        between.arm(
            "after",
            "GetService",
            "services/api",
            lambda: between.arm("after", "GetService", "services/api", back),
        )

    between.arm("after", "GetSecretVersion", "/versions/latest", recover)
    code, doc = check(sandbox, LATEST, tmp_path)
    assert between.fired == ["after GetSecretVersion", "after GetService", "after GetService"]
    assert gets(sandbox, "GetService") == 2
    incomplete(
        (code, doc),
        "version latest of s changed while drift read it (DISABLED (version 2) → ENABLED "
        "(version 2)): its secret.disabled is not verified, run again",
    )


@ETAGS
def test_a_version_flipped_back_while_its_workload_held_still_keeps_its_finding(
    etags: str,
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """api runs on latest, version 2, DISABLED when drift asks; once api is read, version 2 is
    enabled and disabled again. The state read again (DISABLED; another etag or the same one)
    is a moment api's reads bracket, api unchanged: a state that held, so `secret.disabled`
    stands (it was *not verified* while a version's etag moved by a write back counted)."""
    scenario = world("latest")
    scenario["options"]["version_etag"] = etags
    scenario["projects"]["acme"]["secrets"]["s"]["versions"].append("fake-s-value-two-12345678")
    scenario["faults"] = [{"method": "GetService", "code": None, "latency_ms": 300}]
    sandbox = make_sandbox(scenario)
    c = clients_for(sandbox)
    c.secrets.disable_secret_version(name=f"{SECRET}/versions/2")
    between = Between(monkeypatch)

    def flip() -> None:
        c.secrets.enable_secret_version(name=f"{SECRET}/versions/2")
        c.secrets.disable_secret_version(name=f"{SECRET}/versions/2")

    between.arm("after", "GetService", "services/api", flip)
    code, doc = between.check(sandbox, LATEST, tmp_path)
    assert gets(sandbox, "GetService") == 2 and gets(sandbox, "GetSecretVersion") == 2
    assert (code, rules(doc), doc["unverified"]) == (1, ["secret.disabled"], [])


def test_a_rotation_destroying_the_old_version_later_leaves_no_expiring_warning(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The rotation of the first test, the old version destroyed with a delay
    (Secret.version_destroy_ttl: it is DISABLED and scheduled for destruction): its
    `secret.disabled` was not verified, but the `secret.expiring` warning read with that
    state ("version 1 of s is destroyed on …, used by S on api-…") stayed, though api never
    used version 1 while it was scheduled."""
    scenario = world()
    scenario["projects"]["acme"]["secrets"]["s"]["version_destroy_ttl"] = "7d"
    code, doc, reason = rotated_while_read(
        scenario, "destroy", make_sandbox, clients_for, monkeypatch, tmp_path
    )
    assert reason.endswith("its secret.disabled, secret.expiring is not verified, run again")
    assert code == 3


def test_a_value_read_of_latest_after_the_service_was_pinned_is_not_verified(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A value rule on `latest`: api runs on latest (version 1, which matches the pattern)
    when drift reads it; right after, api is pinned to version 1 and version 2 (another
    format) added, before drift reads latest's value. No state had api on a value that fails
    its pattern: api moved while read."""
    scenario = world("latest")
    # latest's state and value are read once api's read is answered (the ordering the hook
    # needs: the sandbox answers after the latency, with what holds then)
    scenario["faults"] = [{"method": "GetSecretVersion", "code": None, "latency_ms": 300}]
    sandbox = make_sandbox(scenario)
    c = clients_for(sandbox)
    between = Between(monkeypatch)

    def pin_then_add() -> None:
        serve(sandbox, "1")
        c.secrets.add_secret_version(parent=SECRET, payload={"data": b"other-format-2-123456789"})

    profile = LATEST.replace("{secret: s}", '{secret: s, pattern: "^fake-s-value-"}')
    between.arm("after", "GetService", "services/api", pin_then_add)
    code, doc = between.check(sandbox, profile, tmp_path)
    service, target, reason = not_verified(doc)
    assert (service, target) == ("api", "env.S")
    assert reason.startswith("api changed while drift read its secrets (generation 1 → "), reason
    assert reason.endswith("its env.constraint is not verified, run again"), reason
    assert code == 3


def test_a_value_of_latest_resolved_before_the_service_was_read_is_read_again(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The mirror order: the profile names s, so latest is resolved as the check starts
    (version 2, of another format; api runs pinned to version 1), before api is read
    (GetService held back). Version 3 (the right format) is added and api deployed on latest
    in between: api held still from its read on, but its value was judged on version 2,
    which api never ran on latest with."""
    sandbox, c = api_read_late(make_sandbox, clients_for, "other-format-2-123456789")
    between = Between(monkeypatch)

    def fix_forward() -> None:
        c.secrets.add_secret_version(parent=SECRET, payload={"data": b"fake-s-value-three-1234"})
        serve(sandbox, "latest")

    profile = LATEST.replace("{secret: s}", '{secret: s, pattern: "^fake-s-value-"}')
    between.arm("after", "GetSecretVersion", "/versions/latest", fix_forward)
    incomplete(
        between.check(sandbox, profile, tmp_path),
        "version latest of s changed while drift read it (ENABLED (version 2) → ENABLED "
        "(version 3)): its env.constraint is not verified, run again",
        target="env.S",
    )


def test_a_value_of_latest_that_fails_its_pattern_is_reported_after_one_more_read(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Nothing moves: the `env.constraint` on latest is confirmed by one GetService more (and
    its state, asked for before api was read, once more); a pinned version's is not read again."""
    scenario = world("latest")
    scenario["projects"]["acme"]["secrets"]["s"]["versions"] = ["other-format-1-123456789"]
    sandbox = make_sandbox(scenario)
    profile = LATEST.replace("{secret: s}", '{secret: s, pattern: "^fake-s-value-"}')
    code, doc = check(sandbox, profile, tmp_path)
    assert (code, rules(doc), doc["unverified"]) == (1, ["env.constraint"], [])
    assert (gets(sandbox, "GetService"), gets(sandbox, "GetSecretVersion")) == (2, 2)
    sandbox.clear_calls()
    pinned = profile.replace("{secret: s,", '{secret: s, version: "1",')
    serve(sandbox, "1")
    sandbox.clear_calls()
    code, doc = check(sandbox, pinned, tmp_path)
    assert (code, rules(doc), doc["unverified"]) == (1, ["env.constraint"], [])
    assert (gets(sandbox, "GetService"), gets(sandbox, "GetSecretVersion")) == (1, 1)
