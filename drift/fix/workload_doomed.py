"""Whether putting back what a job or a worker pool ran would fail as drift's update did: Cloud
Run failed the update on something drift's patch did not change and what ran names too — a
Direct VPC egress subnet or a connector that is gone (VPC_NETWORK_NOT_FOUND), a CMEK key Cloud
Run may not use (ENCRYPTION_KEY_PERMISSION_DENIED, ENCRYPTION_KEY_CHECK_FAILED: "If a CMEK key
is disabled, deploying a new Cloud Run revision will fail unless a new valid key is used",
run/docs/securing/using-cmek), an image that is missing, unreadable or that Binary
Authorization denies (every new revision imports its images, run/docs/deploying; a policy is
checked "each time you deploy a new revision", binary-authorization/docs/run/overview). That
write would only add a failed update (a pool: a failed revision), so drift does not send it
(as the cleanup of a service's canary does not: `drift.fix.startable`, which judges its
canary by the same rules). A refusal by Binary Authorization under the binary authorization
drift's update wrote is not one (`drift.fix.binauthz_own`)."""

from __future__ import annotations

import re
from typing import Any

from drift.fields.access import template_of
from drift.fix.binauthz_own import changed, may_admit, not_judged
from drift.fix.reasons import reason_name

IMAGE = ("CONTAINER_MISSING", "CONTAINER_PERMISSION_DENIED", "CONTAINER_IMAGE_UNAUTHORIZED")
NETWORK = "VPC_NETWORK_NOT_FOUND"
KEY = ("ENCRYPTION_KEY_PERMISSION_DENIED", "ENCRYPTION_KEY_CHECK_FAILED")


def names_image(message: str, image: str) -> bool:
    """Whether Cloud Run's `message` names `image` as a whole (`app:v1`, not `app:v10`)."""
    return re.search(rf"(?<![\w./:@-]){re.escape(image)}(?![\w/:@-]|\.\w)", message) is not None


def _subnet(interface: Any, project: str, region: str) -> str:
    """The subnet an interface names, in full: "If subnetwork is not specified, the
    subnetwork with the same name with the network will be used" (vendor.proto)."""
    named = str(interface.subnetwork or interface.network)
    if "/" in str(interface.subnetwork):
        return named
    return f"projects/{project}/regions/{region}/subnetworks/{named.rsplit('/', 1)[-1]}"


def same_outside(reason: str, ran: Any, failed: Any, project: str, region: str) -> str:
    """The connector, subnet or key (by `reason`) that the template which `ran` names as the
    `failed` one does, "" when the write changed it: a connector or network interfaces the
    same whatever else of the VPC access changed (an egress alone does not make a gone
    connector exist)."""
    if reason == NETWORK:
        connector = str(ran.vpc_access.connector)
        if connector and str(failed.vpc_access.connector) == connector:
            return connector
        interfaces = list(ran.vpc_access.network_interfaces)
        if interfaces and list(failed.vpc_access.network_interfaces) == interfaces:
            return _subnet(interfaces[0], project, region)
    if reason in KEY and ran.encryption_key and ran.encryption_key == failed.encryption_key:
        return str(ran.encryption_key)
    return ""


def names_too(ready: Any, ran: Any, failed: Any, full_name: str, new: str, instead: Any) -> str:
    """Why drift does not put back what the job or pool `ran` (as read before drift's update,
    `full_name`), where it names what Cloud Run failed the update on (its Ready condition
    `ready`) as drift's `failed` one (its revision `new`) does — a subnet, a connector, a key,
    an image: it would fail the same way; or, where Binary Authorization refused it under
    another policy than the enforced one that ran, it may (`may_admit`: that policy may still
    allow the image; helper-642 F1). "" when the patch changed it, or the reason is another: a
    Binary Authorization refusal of a workload whose policy did not check what it ran
    (`drift.fix.binauthz_own`: what ran is put back with its own). `instead`: the template it
    ran in place of its own, where that one's revision failed (`drift.fix.recorded.ran_before`;
    None: its own)."""
    reason, message = reason_name(ready), str(getattr(ready, "message", ""))
    if not_judged(reason, ran):
        return ""
    _, project, _, region = (full_name.split("/") + [""] * 4)[:4]
    was, now = (instead if instead is not None else template_of(ran)), template_of(failed)
    if reason in IMAGE:
        images = dict.fromkeys(str(c.image) for c in was.containers)
        what = next((i for i in images if names_image(message, i)), "")
    else:
        what = same_outside(reason, was, now, project, region)
    if what and (maybe := may_admit(reason, ran, other=changed(ran, failed), new=new)):
        return f"that names {what} too, so it may fail the same way: it was {maybe}"
    return what and f"that names {what} too, so it would fail the same way"
