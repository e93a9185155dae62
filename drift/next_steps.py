"""What to do next after a refused or failed API call: the role a denied read or write needs,
the API to enable, what each other status means, and whether the project or region may be the
wrong one. Built from the calls' reasons (`ApiError`), never from a server's own words."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence

from drift.gcp_ids import PROJECT

_ROLES = {
    "AccessSecretVersion": "roles/secretmanager.secretAccessor",
    "GetSecret": "roles/secretmanager.viewer",
    "ListSecrets": "roles/secretmanager.viewer",
    "GetSecretVersion": "roles/secretmanager.viewer",
    "GetProject": "resourcemanager.projects.get",
    "GetFolder": "resourcemanager.folders.get",
    "GetOrganization": "resourcemanager.organizations.get",
}
"""What a denied read needs (README: Permissions); Cloud Run's reads need roles/run.viewer."""
_WRITES = frozenset(
    {"CreateService", "UpdateService", "DeleteService", "UpdateJob", "UpdateWorkerPool"}
)
WRITER = "roles/run.developer"
"""What a denied write needs (run.services.update, …): Cloud Run Developer; deploying with a
runtime service account also needs iam.serviceAccounts.actAs on it, roles/iam.serviceAccountUser
("Required roles", https://cloud.google.com/run/docs/configuring/services/service-identity;
https://cloud.google.com/run/docs/reference/iam/roles)."""
ACT_AS = "roles/iam.serviceAccountUser"
_NEXT_STEPS = {
    "RESOURCE_EXHAUSTED": "a quota or rate limit was reached: run again later, or lower "
    "DRIFT_CONCURRENCY (or DRIFT_RUN_RPM / DRIFT_SECRETS_RPM)",
    "DEADLINE_EXCEEDED": "no answer within the call timeout: raise DRIFT_CALL_TIMEOUT",
    "UNAVAILABLE": "the service was unavailable after retries: run again",
    "INTERNAL": "the server failed: run again",
    "FAILED_PRECONDITION": "the resource is not in a state to take this call (a deployment "
    "still in progress?): run again when it has settled",
    "INVALID_ARGUMENT": "the request was rejected: is the region right (--region, DRIFT_REGION; "
    "`gcloud run regions list`)? else the server's words above say which value",
    "ALREADY_EXISTS": "what the request names exists already, with another configuration",
}
_WRITE_STEPS = {
    "INVALID_ARGUMENT": "the server refused a value this write sends (the workload was just "
    "read in this project and region, so they are right): the server's words above say which",
    "ALREADY_EXISTS": "Cloud Run holds the revision the template names with another "
    "configuration than the one sent back (gcloud names each revision it deploys, and a v2 "
    "write of that template can be refused so: googleapis/google-cloud-python#14259, #11870); "
    "nothing was changed: `drift plan ENV --format gcloud` gives the gcloud command that makes "
    "the change",
}
"""What a refused write's status means where it differs from a read's: a write names a
workload drift has just read there, so a wrong project or region is not the cause."""
_SECRET_STEPS = {
    "INVALID_ARGUMENT": "Secret Manager rejected the request: the secrets drift reads are "
    "global (no region in their names; drift does not read regional ones), so the region is "
    "not the cause; the server's words above say which value (the secret's name or version "
    "as the workload references it?)",
}
"""What a Secret Manager call's status means where it differs from a Cloud Run read's: no
region is involved (`drift.refs.SecretRef.parse`)."""
_APIS = {
    "run.googleapis.com": "Cloud Run Admin API",
    "secretmanager.googleapis.com": "Secret Manager API",
    "cloudresourcemanager.googleapis.com": "Cloud Resource Manager API",
}
"""The title of each API drift calls, when the server's ErrorInfo names none."""
_STATUSES = "PERMISSION_DENIED|" + "|".join(_NEXT_STEPS)
_FAILED = re.compile(rf"([A-Z]\w+)(?: on)? (\S+): ({_STATUSES})\b")
"""`Call resource: STATUS` (an ApiError's reason), also `Call on resource: STATUS`."""
_BUILT: dict[str, str] = {}
"""Every sentence `not_enabled` made in this run (with its short form, `condensed`): only one
of those, right after its status, says an API is not enabled. The server's own words never do,
whatever they say (a server's or a proxy's text could otherwise become the command drift prints
as the next step)."""
_ENABLEABLE = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*\.googleapis\.com")
"""A service name `gcloud services enable` is given (ErrorInfo metadata `service`)."""
_TITLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ().,/-]{0,79}")
"""An API's title as said (ErrorInfo metadata `serviceTitle`): else drift names the API."""
_ANCESTOR = re.compile(r"((?:folders|organizations)/\S+) \((PERMISSION_DENIED)\)")
"""A folder or organisation whose policy could not be read: `organizations/N (STATUS)`."""
_POLICY = {
    "projects/": "resourcemanager.projects.getIamPolicy",
    "folders/": "resourcemanager.folders.getIamPolicy",
    "organizations/": "resourcemanager.organizations.getIamPolicy",
}


def not_enabled(service: str, project: str, title: str = "") -> str:
    """What a call to an API the project has not enabled is answered with, said as such: the
    server's PERMISSION_DENIED carries a google.rpc.ErrorInfo with reason SERVICE_DISABLED and
    metadata `service` (google/api/error_reason.proto), and no role helps: the API is to be
    enabled (https://cloud.google.com/service-usage/docs/troubleshooting, "service not
    enabled"). The values come from the server: a command is named only when `service` is an
    API's name and `project` a project id or number (drift.gcp_ids)."""
    known = _ENABLEABLE.fullmatch(service) is not None
    name = title if _TITLE.fullmatch(title) else _APIS.get(service, service if known else "API")
    if known and PROJECT.fullmatch(project):
        short = f"the {name} is not enabled in project {project}"
        said = f"{short}: gcloud services enable {service} --project {project}"
    else:
        short = f"the {name} is not enabled in the project"
        said = (
            f"{short} (ErrorInfo SERVICE_DISABLED): enable it, "
            "https://cloud.google.com/service-usage/docs/enable-disable"
        )
    _BUILT[said] = f"{short} (see the hint)"
    return said


def condensed(reason: str) -> str:
    """`reason` as a report's row says it: a call refused as its API is not enabled keeps its
    call, resource, status and the short cause; the sentence saying how to enable the API and
    the server's own words after it (Google's "… has not been used in project N before or it is
    disabled. Enable it by visiting …", the same in every row) are said once, by the hint
    (`next_steps`). A report's JSON keeps each row's whole reason."""
    out, start = [], 0
    failed = list(_FAILED.finditer(reason))
    ends = [f.start() for f in failed[1:]] + [len(reason)] * bool(failed)
    for found, end in zip(failed, ends, strict=True):
        after = reason[found.end() :]
        off = next((s for s in _BUILT if after.startswith(f": {s}.")), "")
        if not off:
            continue
        # the server's words run to the next failure (`; Call resource: STATUS`) or the end
        keep = "; " if reason[found.end() : end].endswith("; ") else ""
        out += [reason[start : found.end()], f": {_BUILT[off]}{keep}"]
        start = end
    return "".join(out) + reason[start:]


def causes(reason: str) -> tuple[str, ...]:
    """What failed in `reason`, without which call on which resource: each `STATUS: words`
    once (a secret's three calls refused alike are one cause), as a report groups the items
    that could not be verified; the whole reason when it names no such failure. Read from
    `condensed(reason)`: an API not enabled is its short cause, not the server's words."""
    said = condensed(reason)
    failed = list(_FAILED.finditer(said))
    out: list[str] = []
    for found, after in zip(failed, [*failed[1:], None][: len(failed)], strict=True):
        words = said[found.start(3) : after.start() if after else len(said)]
        if after:  # up to the `; ` before the next call (`expiry not read: Call …`)
            words = words.rpartition("; ")[0] or words
        out.extend(w for w in [words.strip()] if w not in out)
    return tuple(out) or (said,)


def _failures(reason: str) -> list[tuple[str, str, str, str]]:
    """Each `Call resource: STATUS` in `reason`, with the `not_enabled` sentence drift wrote
    right after it ("" when none)."""
    out = []
    for found in _FAILED.finditer(reason):
        after = reason[found.end() :]
        off = next((s for s in _BUILT if after.startswith(f": {s}.")), "")
        call, resource, status = found.groups()
        out.append((call, resource, status, off))
    return out


def _role(call: str, resource: str) -> str:
    if call == "GetIamPolicy":
        if "/secrets/" in resource:
            return "roles/secretmanager.viewer"
        return next((p for k, p in _POLICY.items() if resource.startswith(k)), _POLICY["projects/"])
    if call in _WRITES:
        return WRITER
    return _ROLES.get(call, "roles/run.viewer")


def _of_secret_manager(call: str, resource: str) -> bool:
    """A call to Secret Manager (its reads, or the IAM policy of a secret)."""
    return "Secret" in call or "/secrets/" in resource


def next_steps(reasons: Iterable[str], *, runtime: str = "") -> list[str]:
    """One line per failure status among the reasons of unverified items or of a refused
    write: what to do about it (for PERMISSION_DENIED, the role or permission each denied call
    needs; a write, `ACT_AS` on the runtime service account too, named when `runtime` is)."""
    denied: dict[str, list[str]] = {}
    statuses: list[tuple[str, str]] = []  # each status, with what it means for that call
    disabled: list[str] = []
    for reason in reasons:
        failed = _failures(reason)
        failed += [("GetIamPolicy", r, s, "") for r, s in _ANCESTOR.findall(reason)]
        for call, resource, status, off in failed:
            if off:
                disabled.extend(o for o in [off] if o not in disabled)
            elif status == "PERMISSION_DENIED":
                calls = denied.setdefault(_role(call, resource), [])
                calls.extend(c for c in [call] if c not in calls)
            else:
                write = call in _WRITES and _WRITE_STEPS.get(status)
                secret = _of_secret_manager(call, resource) and _SECRET_STEPS.get(status)
                step = (status, write or secret or _NEXT_STEPS[status])
                statuses.extend(s for s in [step] if s not in statuses)
    lines = [f"PERMISSION_DENIED: {off}" for off in disabled]
    if denied:
        needs = "; ".join(f"{role} for {', '.join(calls)}" for role, calls in denied.items())
        if WRITER in denied:
            needs += f", and {ACT_AS} on the runtime service account {runtime}".rstrip()
            needs += " (iam.serviceAccounts.actAs)"
        lines.append(f"PERMISSION_DENIED: the caller needs {needs}")
    return lines + [f"{status}: {step}" for status, step in sorted(statuses)]


def hint_lines(reasons: Iterable[str], *, runtime: str = "") -> str:
    """`next_steps` as the lines that follow a refused write's message ("\n  hint: …" each;
    "" when there is none): the same hint on every write path — a canary, its promotion, its
    cleanup, a rollback."""
    return "".join(f"\n  hint: {step}" for step in next_steps(reasons, runtime=runtime))


def not_enabled_steps(reasons: Iterable[str]) -> list[str]:
    """`next_steps`' lines that say an API is to be enabled (once per project and API)."""
    return [s for s in next_steps(reasons) if s.removeprefix("PERMISSION_DENIED: ") in _BUILT]


def region_may_be_wrong(project: str, where: str, kinds: Collection[str] = ()) -> str:
    """What to say when nothing was found in a region (`check`'s workloads, `init`'s list):
    the region may be the wrong one (`where`: where it was set, "" when unknown). `kinds`:
    those missing (`job`, `worker_pool`; none: services), each listed by its own gcloud
    group: `gcloud run jobs list` "lists all jobs in all regions"
    (cloud.google.com/sdk/gcloud/reference/run/jobs/list), as `services list` does; worker
    pools by the beta track's, as every pool command drift prints (no GA `run worker-pools`
    group before gcloud 565, helper-557 G6)."""
    set_by = f" (set by {where})" if where else ""
    groups = [f"{k.replace('_', '-')}s" for k in ("service", "job", "worker_pool") if k in kinds]
    lists = " and ".join(
        f"gcloud {'beta ' * (g == 'worker-pools')}run {g} list --project {project}"
        for g in groups or ["services"]
    )
    return f"is the region{set_by} right? {lists} list{'s' * (len(groups) < 2)} where they are"


def project_may_not_exist(project: str, where: str) -> str:
    """What to say first when every read in `project` was refused (`refused_throughout`):
    the project itself may not exist or be mistyped (a typo, a wrong gcloud configuration),
    named with where it was set (`where`: "" when unknown), before the roles to ask for."""
    set_by = f" (set by {where})" if where else ""
    return (
        f"every read in project {project} was refused (PERMISSION_DENIED, also the "
        "answer for a project that does not exist): the project may not exist or be "
        f"mistyped; is {project}{set_by} the right one? gcloud projects describe "
        f"{project} says; if it is, the caller lacks the roles below"
    )


def failed_read_steps(project: str, reasons: Sequence[str], where: str) -> list[str]:
    """What to do about reads that failed (`reasons`), as `check` says it (`next_steps`): the
    role a denied read needs, to run again, a longer timeout; first, when every read was
    refused in `project`, that it may not exist (`project_may_not_exist`, `where` it was set).
    `init`'s answer when a workload it names could not be read."""
    first = [project_may_not_exist(project, where)] if refused_throughout(project, reasons) else []
    return first + next_steps(reasons)


def refused_throughout(project: str, reasons: Iterable[str]) -> bool:
    """Each of `reasons` (a failed read of each workload) is PERMISSION_DENIED on a resource
    of `project`. That is also how Google APIs answer for a project that does not exist: "If
    the user does not have permission to access the resource or parent, regardless of whether
    or not it exists, the service must error with PERMISSION_DENIED" (AIP-211), with "(or it
    may not exist)" in the message. An API not enabled in it (`not_enabled`) is no such
    answer: the project exists."""
    prefix = f"projects/{project}/"
    found = list(reasons)
    return bool(found) and all(
        any(
            s == "PERMISSION_DENIED" and r.startswith(prefix) and not off
            for _, r, s, off in _failures(x)
        )
        for x in found
    )
