"""A Knative manifest whose value has a wrong shape where the conversion reads it (revman85 F2):
the shape check let it through, and the conversion failed on it, reported at the `kind` line
as Python's words ("cannot read this Service: 'int' object has no attribute 'get'", "Value out
of range: …"), or read it wrong in silence (network tags "chat" read as c, h, a, t). gcloud
refuses such a file; drift now refuses it where the value is, saying what is expected. Each
case failed before the fix."""

from __future__ import annotations

import pytest

from tests.manifest.conftest import ANNOTATED, JOB_MINIMAL, problems_of, read

BASE = (
    ANNOTATED
    + """\
        {ann}
    spec:
      containers:
      - image: gcr.io/acme/api:1
{extra}"""
)
OK_ANN = "autoscaling.knative.dev/maxScale: '3'"
NI = "run.googleapis.com/network-interfaces"
CASES = {
    "interface not an object": (f"{NI}: '[1]'", "", 9, "an object"),
    "interface tags a string": (f"""{NI}: '[{{"network":"n","tags":"chat"}}]'""", "", 9, "list"),
    "interface network a number": (f"""{NI}: '[{{"network":5}}]'""", "", 9, "string"),
    "dependencies not lists": (
        """run.googleapis.com/container-dependencies: '{"app":"sidecar"}'""", "", 9, "list"
    ),
    "base image not text": ("""run.googleapis.com/base-images: '{"app": 5}'""", "", 9, "string"),
    "audience not text": ("""run.googleapis.com/custom-audiences: '[1]'""", "", 9, "string"),
    "max scale over int32": ("autoscaling.knative.dev/maxScale: '99999999999999999999'", "", 9,
                             "at most 2147483647"),
    "shutdown hours over int32": (
        "run.googleapis.com/encryption-key-shutdown-hours: '99999999999999999999'", "", 9,
        "at most 2147483647",
    ),
    "node selector a string": (OK_ANN, "      nodeSelector: gpu\n", 13, "nodeSelector"),
    "emptyDir a number": (
        OK_ANN, "      volumes:\n      - name: v\n        emptyDir: 3\n", 15, "emptyDir"
    ),
    "csi attributes a number": (
        OK_ANN,
        "      volumes:\n      - name: v\n        csi:\n          volumeAttributes: 5\n",
        16,
        "volumeAttributes",
    ),
    "nfs server a number": (
        OK_ANN, "      volumes:\n      - name: v\n        nfs:\n          server: 5\n", 16, "server"
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_a_value_of_the_wrong_shape_is_refused_where_it_is(case: str) -> None:
    ann, extra, line, says = CASES[case]
    [problem] = problems_of(BASE.format(ann=ann, extra=extra))
    assert problem.startswith(f"m.yaml:{line}: "), problem
    assert says in problem, problem
    assert "cannot read this" not in problem and "object has no attribute" not in problem


def test_the_shapes_gcloud_writes_are_read() -> None:
    """What `--format export` writes for each stays readable (no false refusal)."""
    ann = "\n        ".join(
        [
            f"""{NI}: '[{{"network":"n","subnetwork":"s","tags":["chat"]}}]'""",
            """run.googleapis.com/container-dependencies: '{"app":["agent"]}'""",
            """run.googleapis.com/base-images: '{"app":"us-docker.pkg.dev/x/y"}'""",
            """run.googleapis.com/custom-audiences: '["https://a.example"]'""",
            "autoscaling.knative.dev/maxScale: '2147483647'",
        ]
    )
    extra = (
        "      nodeSelector:\n        run.googleapis.com/accelerator: nvidia-l4\n"
        "      volumes:\n      - name: v\n        emptyDir: {medium: Memory, sizeLimit: 64Mi}\n"
        "      - name: g\n        csi:\n          driver: gcsfuse.run.googleapis.com\n"
        "          readOnly: true\n          volumeAttributes: {bucketName: b}\n"
        "      - name: f\n        nfs: {server: 10.0.0.2, path: /share, readOnly: false}\n"
    )
    # the order names containers the template has (test_container_order)
    two = (
        "      - name: app\n        image: gcr.io/acme/api:1\n"
        "      - name: agent\n        image: gcr.io/acme/agent:1\n"
    )
    text = BASE.format(ann=ann, extra=extra).replace("      - image: gcr.io/acme/api:1\n", two)
    (workload,) = read(text).workloads
    template = workload.resource.template
    assert list(template.containers[0].depends_on) == ["agent"]
    assert list(template.vpc_access.network_interfaces[0].tags) == ["chat"]
    assert template.scaling.max_instance_count == 2**31 - 1
    assert [v.name for v in template.volumes] == ["v", "g", "f"]


JOB = JOB_MINIMAL.replace(
    "    spec:\n      template:", "    spec:\n      {field}: 99999999999\n      template:"
).replace("          containers:", "          {task}\n          containers:")
"""JOB_MINIMAL with `{field}` in its execution's spec and `{task}` in its task's."""


@pytest.mark.parametrize(
    ("field", "task", "line"),
    [
        ("taskCount", "maxRetries: 3", 8),
        ("parallelism", "maxRetries: 3", 8),
        # the execution's spec holds only v1 keys (gcloud refuses another): a comment fills in
        ("taskCount: 1\n      #", "maxRetries: 99999999999", 12),
    ],
    ids=["taskCount", "parallelism", "maxRetries"],
)
def test_a_job_count_over_int32_is_refused_where_it_is(field: str, task: str, line: int) -> None:
    [problem] = problems_of(JOB.format(field=field, task=task))
    assert problem.startswith(f"m.yaml:{line}: "), problem
    assert "cannot read this" not in problem and "out of range" not in problem, problem


def test_a_traffic_percent_over_int32_is_refused_where_it_is() -> None:
    text = BASE.format(ann=OK_ANN, extra="")
    text += "  traffic:\n  - latestRevision: true\n    percent: 99999999999\n"
    [problem] = problems_of(text)
    assert problem.startswith("m.yaml:15: spec.traffic.0.percent"), problem
