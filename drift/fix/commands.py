"""The gcloud commands a manual step gives (`drift.fix.manual`), for one workload: its update,
its traffic, and the Secret Manager commands for the secrets it references (`gcloud` argv,
shell-quoted; values to fill in are `<ANGLE_BRACKETS>`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from drift.blanks import Arg, blank, word
from drift.fields import default_account, unnamed_default
from drift.fix.formats.gcloud_keep import kept
from drift.fix.formats.text import gcloud_list, shell_line
from drift.gcloud_tracks import ALPHA_POOL_FLAGS as ALPHA_POOL_FLAGS
from drift.gcloud_tracks import ALPHA_SERVICE_FLAGS as ALPHA_SERVICE_FLAGS
from drift.gcloud_tracks import BETA_FLAGS as BETA_FLAGS
from drift.gcloud_tracks import flag_name, update_argv
from drift.gcloud_tracks import update_command as update_command
from drift.kinds import Kind
from drift.refs import SecretRef

CONTAINER_FLAGS = frozenset(
    {
        *("image", "port", "use-http2", "memory", "cpu", "gpu", "command", "args"),
        *("update-env-vars", "remove-env-vars", "set-env-vars", "clear-env-vars"),
        *("env-vars-file", "update-secrets", "remove-secrets", "set-secrets", "clear-secrets"),
        *("depends-on", "add-volume-mount", "remove-volume-mount", "clear-volume-mounts"),
        *("startup-probe", "liveness-probe", "readiness-probe"),
    }
)
"""gcloud's container flags (`ContainerArgGroup` of surface/run/services|jobs|worker-pools
update.py: "If the --container or --remove-containers flag is specified the following
arguments may only be specified after a --container flag"). Every other flag is the
revision's: command_lib/run/container_parser.py `ContainerParser.ParseKnownArgs` parses what
follows `--container NAME` with the container group's flags alone, so a revision flag there
(`--gpu-type`, `--[no-]cpu-throttling`, `--concurrency`) is "unrecognized arguments"."""


def is_container_flag(arg: Arg) -> bool:
    """Whether a gcloud argument (`--cpu=2`, `--no-use-http2`) is a container's flag."""
    return flag_name(arg) in CONTAINER_FLAGS


VALUE, VERSION, SECRET = blank("VALUE"), blank("VERSION"), blank("SECRET")
PROJECT_NUMBER = blank("PROJECT_NUMBER")
"""What a manual step leaves to fill in (`drift.fix.formats.text.Blank`)."""


@dataclass(frozen=True)
class Commands:
    """Command templates for one service (`gcloud` argv, shell-quoted)."""

    project: str
    region: str
    service: str
    container: str = ""
    """`--container NAME` for a service with several containers."""
    kind: Kind = Kind.SERVICE
    number: str = ""
    """The project's number, when read (GetProject): the address of its default account."""
    numbers: Callable[[str], str] | None = field(default=None, compare=False)
    """The number of a project an id names ("" when the read did not learn it:
    `LiveState.number_of`), for another project's secret (`secret`)."""
    breakglass: Arg = ""
    """The workload's Binary Authorization breakglass justification, which its every update
    gives again (`gcloud_keep.kept`; a blank when not printed, "" when it holds none)."""
    fixed_revision: bool = False
    """A worker pool whose template fixes its revision name: an update making a revision
    clears it (`gcloud_keep.kept`)."""
    hidden: frozenset[str] = field(default=frozenset(), compare=False)
    """The workload's values never shown (`Context.hidden`: a password moved from a
    variable): a command holding one is never printed (`Field.lacks_flag`)."""

    def _where(self) -> list[str]:
        return [f"--project={self.project}", f"--region={self.region}"]

    def update(self, *flags: Arg) -> str:
        """The update with `flags`; with several containers, the revision's flags first, then
        `--container NAME` and the container's (`CONTAINER_FLAGS`: gcloud's parse rule)."""
        argv = update_argv(self.kind, self.service, self.project, self.region, *flags)
        flags = (*flags, *kept(flags, self.breakglass, self.fixed_revision))
        if not self.container:
            return shell_line([*argv, *flags])
        own = [f for f in flags if is_container_flag(f)]
        revision = [f for f in flags if not is_container_flag(f)]
        within = ["--container", self.container, *own] if own else []
        return shell_line([*argv, *revision, *within])

    def describe_revision(self, revision: str) -> str:
        """gcloud's describe of one revision: a service's (`gcloud run revisions describe`)
        or a worker pool's (`gcloud beta run worker-pools revisions describe`, SDK
        surface/run/worker_pools/revisions/describe.py)."""
        group = (
            ["gcloud", "beta", "run", "worker-pools", "revisions"]
            if self.kind is Kind.WORKER_POOL
            else ["gcloud", "run", "revisions"]
        )
        return shell_line([*group, "describe", revision, *self._where()])

    def to_latest(self, *flags: str) -> str:
        """Everything to the latest ready revision: a service's traffic (`gcloud run services
        update-traffic --to-latest`) or a worker pool's instances (`gcloud beta run
        worker-pools update-instance-split --to-latest`, its reference page) — never a
        service's traffic for a pool (a service of the pool's name would move, revown44 F1)."""
        move = (
            ["gcloud", "beta", "run", "worker-pools", "update-instance-split"]
            if self.kind is Kind.WORKER_POOL
            else ["gcloud", "run", "services", "update-traffic"]
        )
        return shell_line([*move, self.service, "--to-latest", *flags, *self._where()])

    def instance_split(self, to_revisions: Arg) -> str:
        """A worker pool's instances set to `to_revisions` (`REVISION=PERCENT,…`, LATEST
        included): `gcloud beta run worker-pools update-instance-split --to-revisions`
        (gcloud 528's parser and help: "--to-revisions=[REVISION-NAME=PERCENTAGE,...]")."""
        move = ["gcloud", "beta", "run", "worker-pools", "update-instance-split", self.service]
        words = [word("--to-revisions=", to_revisions), *self._where()]
        return shell_line([*move, *words])

    def all_to(self, revision: Arg) -> str:
        """All of a service's traffic (a worker pool's instances) to `revision` by name (or a
        placeholder for one: `<CANARY>`)."""
        to = word(revision, "=100")
        if self.kind is Kind.WORKER_POOL:
            return self.instance_split(to)
        return self.traffic(word("--to-revisions=", to))

    def secret_project(self, ref: SecretRef) -> str:
        return ref.project or self.project

    def add_version(self, ref: SecretRef) -> str:
        return "printf %s <NEW_VALUE> | " + shell_line(
            ["gcloud", "secrets", "versions", "add", ref.secret, "--data-file=-"]
            + [f"--project={self.secret_project(ref)}"]
        )

    def create_secret(self, ref: SecretRef) -> tuple[str, ...]:
        create = ["gcloud", "secrets", "create", ref.secret, "--replication-policy=automatic"]
        return (
            shell_line([*create, f"--project={self.secret_project(ref)}"]),
            self.add_version(ref),
        )

    def enable(self, ref: SecretRef, version: str) -> str:
        return shell_line(
            ["gcloud", "secrets", "versions", "enable", version, f"--secret={ref.secret}"]
            + [f"--project={self.secret_project(ref)}"]
        )

    def grant(self, ref: SecretRef, account: str) -> str:
        """The binding that lets `account` read the secret. A workload naming no account runs
        as its project's default compute one ("By default, Cloud Run services or jobs run as
        the default Compute Engine service account",
        https://cloud.google.com/run/docs/configuring/service-accounts): IAM takes it only by
        its address, NUMBER-compute@developer.gserviceaccount.com, the number left for the
        user to fill in when it was not read (revfirst62 F2)."""
        if unnamed_default(account):
            account = default_account(self.number or "<PROJECT_NUMBER>")
        return shell_line(
            ["gcloud", "secrets", "add-iam-policy-binding", ref.secret]
            + [f"--member=serviceAccount:{account}", "--role=roles/secretmanager.secretAccessor"]
            + [f"--project={self.secret_project(ref)}"]
        )

    def secret(self, ref: SecretRef, version: Arg | None = None) -> Arg:
        """SECRET:VERSION as `--update-secrets` takes it: another project's by its path, the
        project by number only (gcloud's `secrets_mapping.ReachableSecret`,
        `projects/[0-9]{1,19}/secrets/…`; an id there is "not a valid secret name", helper-557
        G1; Cloud Run's secrets page: `projects/PROJECT_NUMBER/secrets/SECRET_NAME:VERSION`),
        a blank where the number was not read."""
        version = version or ref.version
        if not ref.project:
            return word(ref.secret, ":", version)
        number = ref.project if ref.project.isdigit() else ""
        if not number and self.numbers is not None:
            number = self.numbers(ref.project)
        return word("projects/", number or PROJECT_NUMBER, f"/secrets/{ref.secret}:", version)

    def repoint(self, name: str, ref: SecretRef, version: Arg) -> str:
        return self.update(
            gcloud_list("--update-secrets", [word(name, "=", self.secret(ref, version))])
        )

    def remove_env(self, name: str) -> str:
        return self.update(gcloud_list("--remove-env-vars", [name]))

    def move_to_secret(self, name: str, ref: SecretRef | None = None) -> tuple[str, ...]:
        """A plain variable moved to Secret Manager: the variable swapped for a reference to
        the secret and version the profile names (`ref`: made, where missing, by the plan's
        own step for it; a second `secrets create` of it failed, and `:latest` was not the
        version the step says is expected, helper-557 G7) — else its value made a new secret
        to name, then the swap."""
        if ref is not None:  # its version made where the plan makes it (`create_secret`)
            swap = gcloud_list("--update-secrets", [word(name, "=", self.secret(ref))])
            return (self.update(gcloud_list("--remove-env-vars", [name]), swap),)
        create = [
            "gcloud",
            "secrets",
            "create",
            SECRET,
            "--data-file=-",
            f"--project={self.project}",
        ]
        swap = self.update(
            gcloud_list("--remove-env-vars", [name]),
            gcloud_list("--update-secrets", [word(name, "=", SECRET, ":latest")]),
        )
        return "printf %s <VALUE> | " + shell_line(create), swap

    def set_plain(self, name: str) -> str:
        return self.update(gcloud_list("--update-env-vars", [word(name, "=", VALUE)]))

    def traffic(self, *flags: Arg) -> str:
        """`gcloud run services update-traffic SERVICE` (no `--container`: traffic is the
        service's)."""
        argv: list[Arg] = ["gcloud", "run", "services", "update-traffic", self.service]
        return shell_line([*argv, *self._where(), *flags])
