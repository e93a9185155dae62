"""A write drift sent whose answer was lost (DEADLINE_EXCEEDED, UNAVAILABLE, CANCELLED, INTERNAL:
anything but the server's refusal on every attempt, `ApiError.refused_each`) and whose workload
reads back unchanged, at the generation the write was built on: not proof that nothing will
change (note68 §9 Q1, task 831). Nothing documented lets a client know such a request can no
longer be carried out:

- google/rpc/code.proto, DEADLINE_EXCEEDED: "For operations that change the state of the
  system, this error may be returned even if the operation has completed successfully";
- grpc.io "Deadlines": "the client giving up on a particular RPC does not mean that the server
  will stop processing the request"; a server "should" check the deadline and stop, and
  "Cancellation": the gRPC library "does not have a mechanism to interrupt the
  application-provided server handler" — what a server does is its own, and Cloud Run's is
  not documented;
- run v2's UpdateServiceRequest, UpdateJobRequest and UpdateWorkerPoolRequest carry no
  `request_id` (AIP-155) to ask after, and a lost answer gives no operation name to poll;
- the request carries the very etag the workload still has, so no etag check refuses it when
  it lands late (and drift relies on none: run v2's etag "May be used to detect modification
  conflict").

So one read back that shows nothing changed is "not known": exit 3, the entry left as begun,
the lock kept, and `drift rollback CHANGE` named — which reads the workload again and ends the
change when it is as before. So is one read back written since by someone else without drift's
write in it, once (`theirs_alone`, task 841) or more (`theirs_since`, task 847): their writes
moved the etag drift's request carries, which proves no refusal of it. Not a lost answer: each
attempt refused by the server, NOT_FOUND, or the error of an operation once done (`lost`)."""

from __future__ import annotations

from typing import Any, TypeGuard

from drift.errors import ApiError
from drift.fix.update import REFUSED, deleted, refusal
from drift.live.api import written_since


def lost(error: BaseException | None) -> TypeGuard[ApiError]:
    """Whether a write answered `error` (an ApiError: its last attempt's) was sent and may yet
    be carried out: not refused on each attempt by the server (`ApiError.refused_each`), nor
    answered NOT_FOUND (`update.deleted`: drift never sets allow_missing), nor the error of its
    operation once done (`ApiError.done`: "the operation is completed")."""
    return (
        isinstance(error, ApiError)
        and not error.refused_each
        and not deleted(error)
        and not error.done
    )


def may_still_land(error: BaseException | None, now: Any, generation_before: int) -> bool:
    """Whether a write answered `error` (`lost`), read back `now` unchanged at
    `generation_before`, may still land. A write that landed moves the generation
    ("monotonically increases every time the user modifies the desired state"): one that did
    is judged by what it holds, never here."""
    return lost(error) and int(now.generation) == generation_before


def theirs_alone(error: BaseException | None, now: Any, generation_before: int) -> bool:
    """Whether a write answered `error` (`lost`), read back `now` one
    generation past `generation_before` with a write that is not drift's (the caller judged
    it so: someone else's alone), may still land over theirs (task 841). Their write changed
    the etag drift's request carries, but nothing documented says such a request is refused:
    run v2's Service.etag (Job's, WorkerPool's) "May be used to detect modification conflict
    during updates", and UpdateServiceRequest has no precondition of its own (update_mask,
    validate_only, allow_missing: "If set to true, and if the Service does not exist, it will
    create a new one"); drift relies on no etag check (`drift.fix.overwrote`)."""
    return lost(error) and int(now.generation) == generation_before + 1


def theirs_since(error: BaseException | None, now: Any, generation_before: int) -> bool:
    """Whether a write answered `error` (`lost`), read back `now` two or more generations past
    `generation_before` with drift's write not in it (the caller judged it so: the canary's
    revision not there, the configuration sent not held), may still land over theirs (task
    847): what `theirs_alone` says of one write of theirs holds of two — nothing documented
    refuses a request carrying an etag two writes old either, nor one naming a revision never
    created: `RevisionTemplate.revision` is "The unique name for the revision", a name a
    revision holds refused (ALREADY_EXISTS), none said to be spent before that — and drift's
    may as well have landed before theirs, which replaced it."""
    return lost(error) and int(now.generation) > generation_before + 1


def theirs_words(noun: str, before: int, now: Any) -> str:
    """How such a read back is said (`theirs_alone`, `theirs_since`)."""
    since = written_since(before, now)
    if int(now.generation) > before + 1:
        return (
            f"the {noun} reads back written since by someone else ({since}), drift's write "
            "not in it: drift's may have landed before theirs, or may land over them yet (it "
            "carries the etag drift read, and run v2 promises no refusal of a stale one)"
        )
    return (
        f"the {noun} reads back with someone else's write alone ({since}), "
        "which does not prove drift's will not land over it: it carries the etag drift read, "
        "and run v2 promises no refusal of a stale one"
    )


def unchanged_words(noun: str, now: Any) -> str:
    """How such a read back is said: `noun` (service, job, worker pool) and its generation."""
    return (
        f"the {noun} reads back unchanged (generation {now.generation}), which does not prove "
        "it will not land: a server may still carry out a request whose answer was lost"
    )


def read_words(noun: str, before: int, now: Any) -> str:
    """How a lost write's read back `now` is said, drift's write not in it: unchanged
    (`may_still_land`), or written by someone else one generation on or more (`theirs_alone`,
    `theirs_since`)."""
    if int(now.generation) == before:
        return unchanged_words(noun, now)
    return theirs_words(noun, before, now)


def lost_words(exc: ApiError) -> str:
    """How the answer of such a write is said: lost, or (a retry's refusal after an attempt
    whose answer was lost: `ApiError.refused_each` false) refused only on its retry."""
    if refusal(exc):
        return f"its retry was refused ({exc.reason}) after an attempt whose answer was lost"
    return f"its answer was lost ({exc.reason})"


def refused_write(error: BaseException | None, now: Any, generation_before: int) -> bool:
    """Whether a write answered `error` wrote nothing: a refusal (`REFUSED`), and the workload
    read back once settled still at the generation the write was built on ("A number that
    monotonically increases every time the user modifies the desired state")."""
    return (
        isinstance(error, ApiError)
        and error.status in REFUSED
        and int(now.generation) == generation_before
    )
