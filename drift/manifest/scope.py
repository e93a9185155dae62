"""Which workloads of the manifests a `check --manifest` run checks: those of the profile, for
its project and region; a workload described twice, deployed in a form drift does not read, for
another project or region, or whose name is a near miss of one the profile lists; a file that
holds none of the profile's. `ManifestSource.scope` decides with these."""

from __future__ import annotations

from dataclasses import replace

from drift.diff.suggest import Names
from drift.kinds import Kind, label, workload_key
from drift.manifest.model import Destroyed, Manifest, Unknown, Unread, Workload
from drift.profiles.model import Profile
from drift.textsafe import visible


def key_of(workload: Workload) -> str:
    return workload_key(workload.kind, workload.name)


def unread_in(
    manifests: list[Manifest],
    profile: Profile,
    found: dict[str, Workload],
    elsewhere: list[str],
    problems: list[str],
) -> dict[str, str]:
    """The profile's workloads the manifests deploy, for its project and region, in a form
    drift does not read, and why; with the services `found` (read), one the manifests
    describe twice goes to `problems`: two resources (the v1 and the v2 one of a migration
    half done) write the same Cloud Run service, the later one wins. A workload whose name
    is not known until apply may be any of the profile's of its kind that the manifests do
    not otherwise describe: each is not verified, never clean."""
    out: dict[str, Unread] = {}
    nameless: list[Unread] = []
    for u in (u for m in manifests for u in m.unread):
        key = workload_key(u.kind, u.name)
        if u.name and key not in profile.services:
            continue
        if placed := placement(u.where, u.kind, u.name, u.project, u.region, profile):
            elsewhere += placed if u.name else []  # a nameless one is noted as such
        elif not u.name:
            nameless.append(u)
        elif (first := found.get(key) or out.get(key)) is not None:
            problems.append(
                f"{u.kind} {u.name} is in {first.where} and in {u.where}: both deploy it, and "
                "the later write wins; describe it once (a move to google_cloud_run_v2_service "
                "replaces the v1 resource with a `removed` block, `destroy = false`, which "
                "leaves the service running)"
            )
        else:
            out[key] = u
    reasons = {k: u.why for k, u in out.items()}
    for u in nameless:
        for key in (k for k, p in profile.services.items() if p.kind is u.kind):
            if key not in found:
                reasons.setdefault(key, u.why)
    return reasons


def near_misses(
    manifests: list[Manifest], profile: Profile, names: list[str], held: set[str]
) -> list[str]:
    """A workload the profile does not list whose name is a near miss (`near_miss`: a typo, a
    rename the profile did not follow) of one the run would check that no manifest holds
    (`held`): noted only, it would leave the profile's unchecked and the run clean. One line
    naming both; a new service of another name stays a note."""
    lacking = [profile.services[k] for k in names if k not in held]
    near = {kind: Names(p.name for p in lacking if p.kind is kind) for kind in Kind}
    problems = []
    for w in (w for m in manifests for w in m.workloads if key_of(w) not in profile.services):
        close = near[w.kind].near_miss(w.name)
        if close is not None:
            problems.append(
                f"{w.kind} {visible(w.name)} ({w.where}) is not in profile "
                f"{profile.environment}; did you mean {close}? ({close} has no manifest in this "
                f"run and would go unchecked: name it as the profile does, add "
                f"{visible(w.name)} to the profile, or leave {close} out with --service)"
            )
    return problems


def _here(u: Unread, profile: Profile) -> bool:
    """Whether an unread workload is (or, nameless, may be) one of the profile's."""
    if u.name:
        return workload_key(u.kind, u.name) in profile.services
    placed = placement(u.where, u.kind, u.name, u.project, u.region, profile)
    return bool(profile.of_kind(u.kind)) and not placed


def holds(manifest: Manifest, profile: Profile) -> bool:
    """Whether the manifest describes (or, unread, may deploy; or destroys) one of the
    profile's."""
    return (
        any(key_of(w) in profile.services for w in manifest.workloads)
        or any(_here(u, profile) for u in manifest.unread)
        or destroys(manifest, profile)
    )


def _not_profiled(workload: Workload, profile: Profile) -> str:
    """Why a manifest's workload is not checked: the profile has none of its kind and name;
    one of that name of another kind is said, with the key it is under (as the live check
    names a job profiled under `services:`)."""
    others = [
        k
        for k in Kind
        if k is not workload.kind and workload_key(k, workload.name) in profile.services
    ]
    if not others:
        return "not in the profile"
    other = others[0]
    return (
        f"the profile has {visible(workload.name)} as a {other.noun} (under `{other.section}:`), "
        f"not as a {workload.kind.noun}"
    )


def file_problems(
    manifest: Manifest, profile: Profile, notes: list[str], anywhere: bool
) -> list[str]:
    """`anywhere`: some manifest of the run holds one of the profile's workloads; a file that
    holds none is then only noted (each workload of it: not in the profile, not checked)."""
    notes.extend(
        f"{w.kind.noun} {visible(w.name)} ({w.where}) not checked: {_not_profiled(w, profile)}"
        for w in manifest.workloads
        if key_of(w) not in profile.services
    )
    if holds(manifest, profile):
        return []
    # a kind the profile describes none of (a job file, a profile of services) is only noted
    described = [w for w in manifest.workloads if profile.of_kind(w.kind)]
    if described and anywhere:
        return []
    if described:
        return [
            f"{described[0].where}: {manifest.file} names no {described[0].kind.noun} of "
            f"profile {profile.environment}: "
            f"it has {', '.join(label(w.kind, visible(w.name)) for w in described)}; the profile "
            f"has {', '.join(p.label for p in profile.services.values()) or 'none'}: correct "
            "the name, or check the file against the profile of the environment it deploys to "
            "(`drift check ENV --manifest FILE`)"
        ]
    if not manifest.workloads:
        why = "".join(f"; {n}" for n in manifest.notes)
        return [f"{manifest.file} holds no Cloud Run service, job or worker pool to check{why}"]
    return []


def placement(
    where: str,
    kind: Kind,
    name: str,
    project: str,
    region: str,
    profile: Profile,
    number: str = "",
) -> list[str]:
    """A workload for another project (by id; by number only where `number`, the profile's
    project's, is known: GetProject, `ManifestSource.read`) or region is not the profile's:
    checked, it would be against the wrong secrets and expectations."""
    problems = []
    if project and project not in (profile.project, number) and (number or not project.isdigit()):
        problems.append(
            f"{where}: {kind} {visible(name)} is for project {visible(project)}, profile "
            f"{profile.environment} checks {profile.project} (--project to override)"
        )
    if region and region != profile.region:
        problems.append(
            f"{where}: {kind} {visible(name)} is for region {visible(region)}, "
            f"profile {profile.environment} checks {profile.region} (--region to override)"
        )
    return problems


def destroyed_in(
    manifests: list[Manifest],
    profile: Profile,
    names: list[str],
    found: dict[str, Workload],
    unread: dict[str, str],
    notes: list[str],
) -> dict[str, Destroyed]:
    """The workloads of the run (`names`) the plans destroy, for the profile's project and
    region, that no manifest deploys again: each is `service.missing` once applied (SPEC:
    `--manifest` is the gate between rendering a deploy and running it). One deployed again by
    name at another address (a move without a `moved` block: Terraform deletes the workload
    and creates it anew, or the create fails with ALREADY_EXISTS) is checked as deployed, and
    one line names both addresses; every other destroy is noted."""
    out: dict[str, Destroyed] = {}
    for d in (d for m in manifests for d in m.destroyed):
        key, what = workload_key(d.kind, d.name), f"{d.kind} {visible(d.name)}"
        if key not in profile.services:
            notes.append(
                f"{d.where} is destroyed by this plan{d.detail}: not checked (not in the profile)"
            )
        elif placed := placement(d.where, d.kind, d.name, d.project, d.region, profile):
            notes += [f"destroyed by this plan, not checked: {p}" for p in placed]
        elif d.protected and (key in found or key in names):  # fails at the delete
            _blocked(d, key, what, found, unread)
        elif key in found:
            other = found[key].where.removeprefix(f"{d.file}: ")
            notes.append(
                f"{d.where} is destroyed and {other} creates {what} again: a move without a "
                f"`moved` block (Terraform deletes the {d.kind.noun} and creates it anew, losing "
                f"its revisions, or the create fails with ALREADY_EXISTS); {other} is checked"
            )
        elif key in unread and _again(manifests, d):
            notes.append(
                f"{d.where} is destroyed by this plan{d.detail}; {what} deployed again: "
                f"{unread[key]}"
            )
        elif key not in names:
            notes.append(
                f"{d.where} is destroyed by this plan{d.detail}: not checked (not asked for)"
            )
        else:
            if key in unread:  # deployed by a deferred change: none of this apply
                notes.append(
                    f"{d.where} is destroyed by this plan{d.detail}; {what} is deployed again "
                    f"only in a later round: {unread[key]}"
                )
            out.setdefault(key, d)
    return out


def _blocked(
    d: Destroyed, key: str, what: str, found: dict[str, Workload], unread: dict[str, str]
) -> None:
    """A workload the plan deletes while its `deletion_protection` is not false in Terraform
    state: the provider refuses the delete, so the apply fails and it keeps running as it is
    (helper-600 F3). Not missing, and not what another address creates again under its name
    (a move without a `moved` block: that create is refused too, the name being in use): not
    verified, as `refused.created_first` says of a create refused."""
    why = (
        f"{d.where} destroys {what}{d.detail}, whose deletion_protection is not false in "
        "Terraform state: the apply fails at the delete, and it keeps running as it is"
    )
    if key in found:
        w = found[key]
        other = w.where.removeprefix(f"{d.file}: ")
        why += f"; {other} does not create it again"
        found[key] = replace(w, unknown=(*w.unknown, Unknown("*", why)))
    else:
        unread[key] = why


def _again(manifests: list[Manifest], d: Destroyed) -> bool:
    """Whether a workload the manifests deploy in a form drift does not read, in this round
    (not a change Terraform defers: `Unread.later`), is (or, nameless, may be) the one `d`
    destroys: once applied it runs again, not verified; else it is missing."""
    return any(
        not u.later and u.kind is d.kind and u.name in (d.name, "")
        for m in manifests
        for u in m.unread
    )


def destroys(manifest: Manifest, profile: Profile) -> bool:
    """Whether the plan destroys one of the profile's workloads, for its project and region."""
    return any(
        workload_key(d.kind, d.name) in profile.services
        and not placement(d.where, d.kind, d.name, d.project, d.region, profile)
        for d in manifest.destroyed
    )
