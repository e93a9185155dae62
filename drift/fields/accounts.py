"""A workload's runtime service account as drift reads, compares and writes it: the default
compute account (unset, or named by its project's number) and a profile's spelling of one."""

from __future__ import annotations

import re

from drift.fields.base import SettingValue

DEFAULT_SERVICE_ACCOUNT = "default compute service account"


DEFAULT_ACCOUNT_SUFFIX = "-compute@developer.gserviceaccount.com"
"""Default compute service accounts are `PROJECT_NUMBER-compute@developer.gserviceaccount.com`
(RevisionTemplate.service_account: "If not provided, the revision will use the project's
default service account")."""


def normalise_account(account: str) -> str:
    """An empty account is the project's default one, whose number is not known without
    another call; an account named by its address (`NUMBER-compute@…` included: the number
    says which project's) stays that account."""
    return account or DEFAULT_SERVICE_ACCOUNT


def default_account(number: str) -> str:
    """The default compute account of the project numbered `number`, by its address."""
    return f"{number}{DEFAULT_ACCOUNT_SUFFIX}"


def unnamed_default(account: str) -> bool:
    """An account left unset (or as drift shows one): its project's default, number unknown."""
    return account in ("", DEFAULT_SERVICE_ACCOUNT)


def named_default(account: str) -> bool:
    """A default compute account named by its address (`NUMBER-compute@…`; an IAM member
    `serviceAccount:NUMBER-compute@…` too): the number says which project's."""
    return account.endswith(DEFAULT_ACCOUNT_SUFFIX)


def account_project(account: str) -> str:
    """The project a service account's address names (an IAM member's `serviceAccount:` prefix
    left out): the number of a default compute account (`NUMBER-compute@developer.gserviceaccount
    .com`), the id of a user-managed one (`NAME@PROJECT_ID.iam.gserviceaccount.com`:
    cloud.google.com/iam/docs/service-account-types); "" for any other."""
    local, _, domain = account.removeprefix("serviceAccount:").partition("@")
    if domain == "developer.gserviceaccount.com" and local.endswith("-compute"):
        number = local.removesuffix("-compute")
        return number if number.isdigit() else ""
    return domain.removesuffix(USER_MANAGED) if domain.endswith(USER_MANAGED) else ""


USER_MANAGED = ".iam.gserviceaccount.com"
"""The domain of a user-managed service account's address, after its project's id."""


def is_default_account(account: str) -> bool:
    """The default compute account of a project, unnamed or by its address."""
    return unnamed_default(account) or named_default(account)


ACCOUNT_EMAIL = re.compile(r"[a-z0-9][a-z0-9._+-]*@[a-z0-9][a-z0-9.-]*")
"""A service account's email as Cloud Run holds it (lower case, no `projects/…/` prefix)."""


def profile_account(value: SettingValue) -> str:
    """A profile's service account, by its email: RevisionTemplate.service_account is the
    "Email address of the IAM service account associated with the revision" (run v2
    revision_template.proto), which `fix` writes as the profile gives it. So another spelling
    of one account is refused, not read as that account: IAM's resource name
    `projects/-/serviceAccounts/EMAIL`, an IAM member `serviceAccount:EMAIL`, upper case
    (an account id matches "`[a-z]([-a-z0-9]*[a-z0-9])`", iam v1
    CreateServiceAccountRequest.account_id) — a write would deploy that string as the
    account, and IAM grants would be checked for an account that does not exist. "" and
    the words drift shows for an account left unset are no write either."""
    account = str(value).strip()
    if unnamed_default(account):
        raise ValueError(
            f"name the account by its address (the default one is PROJECT_NUMBER"
            f"{DEFAULT_ACCOUNT_SUFFIX}); {DEFAULT_SERVICE_ACCOUNT!r} is how drift shows an "
            "account left unset"
        )
    if not ACCOUNT_EMAIL.fullmatch(account):
        email = account.rsplit("/", 1)[-1].removeprefix("serviceAccount:").lower()
        hint = f"write {email!r}" if ACCOUNT_EMAIL.fullmatch(email) else "write its email"
        raise ValueError(
            f"{account!r} is not a service account's email as Cloud Run holds it "
            f"(RevisionTemplate.service_account, in lower case): {hint}"
        )
    return account


def same_account(a: SettingValue, b: SettingValue) -> bool:
    """Two accounts of one workload are the same when their addresses are, and the unnamed
    default account is the same as a default account by its address: a template that names
    no account against its revision, which names the one Cloud Run gave it (its project's).
    Against a profile, where the address may be another project's default account, the
    unnamed one is compared by its address when the project's number is known, else not
    judged (`drift.diff.settings.as_compared`)."""
    a, b = normalise_account(str(a)), normalise_account(str(b))
    if a == b:
        return True
    unnamed = DEFAULT_SERVICE_ACCOUNT in (a, b)
    return unnamed and is_default_account(a) and is_default_account(b)
