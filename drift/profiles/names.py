"""Which names a profile may give Cloud Run resources and traffic tags: only names Cloud Run
can hold, so a profile never describes something no service can have (and a check never ends
clean having looked for it)."""

from __future__ import annotations

import re

DNS_LABEL = re.compile(r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?")
"""RFC 1035: a lowercase letter, then letters, digits and '-', not ending with '-'; 1–63."""

WORKLOAD_NAME = dict.fromkeys(("services", "worker_pools", "jobs"), DNS_LABEL)
"""A DNS label (RFC 1035) of at most 63 characters. The v2 API creates services and worker
pools with fewer than 50 (CreateServiceRequest.service_id, CreateWorkerPoolRequest
.worker_pool_id: "must begin with letter, and cannot end with hyphen; must contain fewer
than 50 characters"), but a profile describes workloads that exist, and the v1 API created
services with up to 63 (its refusal: "Maximum length is 63 characters", quoted in
terraform-google-modules/terraform-docs-samples#171; compute v1
NetworkEndpointGroupCloudRun.service: "The service must be 1-63 characters long, and comply
with RFC1035"). A job's name is a DNS label ("The sum of job name and token length must be
fewer than 63 characters", Job.start_execution_token)."""

TAG = DNS_LABEL
"""A traffic tag is the first part of its URL's DNS label (`https://TAG---SERVICE-…run.app`,
TrafficTargetStatus.uri); compute v1 NetworkEndpointGroupCloudRun.tag: "The tag must be 1-63
characters long, and comply with RFC1035" (lowercase letters, digits and hyphens, starting
with a letter). Upper case is no tag a revision can have: `check_tags: [E2E]` would check
nothing and end clean."""


def check_tag(tag: str) -> str:
    """`tag` if Cloud Run can give a revision that tag, else ValueError saying what to write."""
    if TAG.fullmatch(tag):
        return tag
    hint = f"; did you mean {tag.lower()!r}?" if TAG.fullmatch(tag.lower()) else ""
    raise ValueError(
        f"{tag!r} is no traffic tag Cloud Run has (a tag is part of its URL's DNS label: "
        f"lowercase letters, digits and '-', starting with a letter){hint}"
    )
