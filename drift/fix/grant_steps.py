"""The steps for a secret the runtime account may not be able to read: denied (the grant the
revision needs to start), or undecided (`Grant.UNKNOWN`: a policy not read, a group not
expanded, the default compute account of a project whose number GetProject refused), which
a plan never reads as granted. One judgement: `LiveState.grant`."""

from __future__ import annotations

from drift.fix.changes import After
from drift.fix.commands import Commands
from drift.fix.manual import same_subject
from drift.fix.model import ManualStep
from drift.live.iam_policy import Grant
from drift.live.state import LiveState
from drift.refs import SecretRef
from drift.secret_target import secret_key, secret_target


def readable(state: LiveState, account: str, ref: SecretRef) -> bool:
    """Not denied by IAM (the secret's, its project's or their parents' policies)."""
    return state.grant(account, ref) is not Grant.DENIED


def doubt(state: LiveState, account: str, ref: SecretRef) -> str:
    """Why drift cannot tell whether `account` can read `ref` (IAM's detail, when decided)."""
    found = state.verdict(account, ref)
    return found.detail if found is not None and found.detail else "its policies were not read"


def unverified_grant(
    state: LiveState, ref: SecretRef, account: str, cmd: Commands
) -> ManualStep | None:
    """A reference the patch sets whose access drift could not decide (None: granted, or
    denied, which `manual.secret_blocker` withholds): the change stays, and its step gives
    the grant (`<PROJECT_NUMBER>` to fill in when the number was not read)."""
    if state.grant(account, ref) is not Grant.UNKNOWN:
        return None
    return ManualStep(
        secret_target(ref, state, cmd.project),
        f"drift cannot verify that {account} can access {ref.key} ({doubt(state, account, ref)})"
        ": grant it before drift fix sets the reference (the command below; `drift plan` then "
        "verifies it)",
        (cmd.grant(ref, account),),
    )


def account_step(
    state: LiveState, cmd: Commands, own: str, after: After, account: str
) -> ManualStep:
    """The service account the profile wants cannot read a secret the revision needs
    (setting it would make a revision that cannot start), or drift cannot tell."""
    refs = sorted({r for _, _, r in after.uses if not readable(state, account, r)})
    # each version judged, each secret said once however its references spell it
    named = {
        same_subject(f"secret.{r.key}", state, own).partition(".")[2]: r
        for r in reversed(refs)  # the first spelling (sorted) names the grant
    }
    if named:
        return ManualStep(
            "setting.service_account",
            f"{account} cannot access {', '.join(sorted(named))}: grant it, then "
            "run drift fix again to set the service account",
            tuple(cmd.grant(named[k], account) for k in sorted(named)),
        )
    unsure = sorted({r for _, _, r in after.uses if state.grant(account, r) is not Grant.GRANTED})
    first = unsure[0]
    check = (  # Policy Troubleshooter reads every policy, groups and deny rules included
        "gcloud policy-troubleshoot iam //secretmanager.googleapis.com/projects/"
        f"{cmd.secret_project(first)}/secrets/{first.secret} "
        f"--principal-email={account} --permission=secretmanager.versions.access"
    )
    return ManualStep(
        "setting.service_account",
        f"drift cannot verify that {account} can access "
        f"{', '.join(dict.fromkeys(secret_key(r, state, own) for r in unsure))} "
        f"({doubt(state, account, first)}): grant it directly "
        f"(the grant commands below; `drift plan` then verifies it), or check that it can "
        f"(`{check}`), then set the service account",
        (
            *dict.fromkeys(cmd.grant(r, account) for r in unsure),
            cmd.update(f"--service-account={account}"),
        ),
    )
