"""Two checks kept from the tests of the `$(NAME)` expansion model drift no longer has
(tests/check/test_literal_values.py): an older journal's digests of a template that mounts a
secret file still match (helper-566 F4), and the failed-template note names a manual instance
count of 0 (helper-570 F4)."""

from __future__ import annotations


def test_older_journal_digests_still_match() -> None:
    """`Write.template_key` / a job's `config_key`, as the drift before 9c67aef6 journaled them
    for a template mounting secret s (default mode 0444): `routing.carries`, `landed_before`,
    `restored.carries_kind` compare them with the live workload. a6184965 (`Field.sparse`)
    keeps older digests matching for exactly this reason."""
    from google.cloud import run_v2

    from drift.fix.routing import template_key
    from drift.kinds import Kind
    from drift.live.normalize import config_key

    mount = run_v2.VolumeMount(name="v", mount_path="/etc/v")
    item = run_v2.VersionToPath(path="f", version="1")
    volume = run_v2.Volume(name="v", secret=run_v2.SecretVolumeSource(secret="s", items=[item]))
    port = run_v2.ContainerPort(container_port=8080)
    app = run_v2.Container(name="app", image="gcr.io/p1/app:1", volume_mounts=[mount])
    svc = run_v2.Service(
        name="projects/p1/locations/us-central1/services/svc",
        template=run_v2.RevisionTemplate(
            containers=[
                run_v2.Container(
                    name="app", image="gcr.io/p1/app:1", ports=[port], volume_mounts=[mount]
                )
            ],
            volumes=[volume],
        ),
    )
    job = run_v2.Job(
        name="projects/p1/locations/us-central1/jobs/j",
        template=run_v2.ExecutionTemplate(
            template=run_v2.TaskTemplate(containers=[app], volumes=[volume])
        ),
    )
    assert template_key(svc) == "23f21ad46230cf6278b6104173e3ac05"
    assert config_key(job, Kind.JOB) == "919366894bc7533e068b47ef535315dd"


def test_manual_instances_zero_is_named_in_the_failed_template_note() -> None:
    """F4: `sent_as_read` leaves out values `in ("", False, None, "auto")`; `0 == False`, so
    manual_instances 0 (manual scaling at zero instances: the service serves nothing, a
    value of its own, unlike auto) is left out of the note, though the failed write may have
    asked for it and the fix sends it as read."""
    from types import SimpleNamespace as NS

    from drift.fix.formats.table import sent_as_read
    from drift.kinds import Kind

    sp = NS(settings=(), held={"manual_instances": 0, "ingress": "all"}, kind=Kind.SERVICE)
    (line,) = sent_as_read(sp)  # type: ignore[arg-type]
    assert "manual_instances 0" in line, line


OLDER = ("b53f3d4dfa7b0f8b2c263e9054d2d8b1", "f587f9964585fcebd850ecb00c21a5d8")
"""`template_key` and a job's `config_key` of the workloads below as f753cd92^ computed them
(plain values expanded: `$(HOST)`, `$$`, a reference to a secret's variable left as text)."""


def _with_references() -> tuple[object, object]:
    from google.cloud import run_v2

    sec = run_v2.EnvVarSource(secret_key_ref=run_v2.SecretKeySelector(secret="s", version="1"))
    env = [
        run_v2.EnvVar(name="HOST", value="db"),
        run_v2.EnvVar(name="URL", value="postgres://$(HOST)/x"),
        run_v2.EnvVar(name="P", value="a$$b"),
        run_v2.EnvVar(name="S", value_source=sec),
        run_v2.EnvVar(name="D", value="$(S)-$(URL)"),
    ]
    app = run_v2.Container(name="app", image="gcr.io/p1/app:1", env=env)
    port = run_v2.ContainerPort(container_port=8080)
    svc = run_v2.Service(
        name="projects/p1/locations/us-central1/services/svc",
        template=run_v2.RevisionTemplate(
            containers=[run_v2.Container(name="app", image=app.image, ports=[port], env=env)]
        ),
    )
    job = run_v2.Job(
        name="projects/p1/locations/us-central1/jobs/j",
        template=run_v2.ExecutionTemplate(template=run_v2.TaskTemplate(containers=[app])),
    )
    return svc, job


def test_a_journal_of_the_drift_before_literal_values_still_matches() -> None:
    """f753cd92 digests values as written: a change the drift before it journaled for a
    template with `$(…)` or `$$` looked changed by someone else (rollback exit 4, no lock
    takeover: helper-578 F1). The stored digests match still, and only their own template;
    this drift's own digests are matched only as written (helper-579 F1: a teammate's
    `B=$(A)` after drift wrote `B=x` counted as drift's write)."""
    from drift.fix.journal import Write
    from drift.fix.restored import holds
    from drift.fix.routing import carries, template_holds, template_key, traffic_key
    from drift.kinds import Kind
    from drift.live.normalize import config_key

    svc, job = _with_references()
    service_key, job_key = OLDER
    assert template_key(svc) != service_key and config_key(job, Kind.JOB) != job_key
    traffic = traffic_key(svc.traffic)  # type: ignore[attr-defined]
    older = Write.read(
        {"step": "canary", "etag_before": "e", "generation_before": 1, "revision": "",
         "template_key": service_key, "traffic": traffic}
    )  # fmt: skip
    assert not older.literal and template_holds(svc, older) and carries(svc, older)
    ours = Write("canary", "e", 1, "", service_key, traffic)
    assert ours.literal and not template_holds(svc, ours) and not carries(svc, ours)
    assert template_holds(svc, Write("canary", "e", 1, "", template_key(svc), traffic))
    older_job = Write.read(
        {"step": "update", "etag_before": "e", "generation_before": 1, "revision": "",
         "template_key": job_key, "traffic": []}
    )  # fmt: skip
    assert holds(job, older_job, Kind.JOB)
    assert not holds(job, Write("update", "e", 1, "", job_key, []), Kind.JOB)
    svc.template.containers[0].env[0].value = "elsewhere"  # type: ignore[attr-defined]
    assert not template_holds(svc, older) and not carries(svc, older)
