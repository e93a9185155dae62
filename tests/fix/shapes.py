"""Cloud Run v2 services, jobs and worker pools shaped as teams really run them (facts §12's
export, the Terraform plan of §13): sidecars, secret volumes, secrets of other projects, Direct
VPC, a fixed revision name, service-level scaling, Cloud SQL, probes, every volume kind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from google.api import launch_stage_pb2
from google.cloud import run_v2

LATEST = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
NAME = "projects/acme-prod/locations/europe-west1/services/api"


def secret_env(name: str, secret: str, version: str = "latest") -> run_v2.EnvVar:
    return run_v2.EnvVar(
        name=name,
        value_source=run_v2.EnvVarSource(
            secret_key_ref=run_v2.SecretKeySelector(secret=secret, version=version)
        ),
    )


def app(**extra: Any) -> run_v2.Container:
    fields: dict[str, Any] = {
        "name": "app",
        "image": "europe-west1-docker.pkg.dev/acme-prod/app/api@sha256:4f0de9",
        "env": [
            run_v2.EnvVar(name="LOG_LEVEL", value="info"),
            run_v2.EnvVar(name="TESTING", value="true"),
            secret_env("JWT_SECRET", "jwt-secret"),
        ],
        "resources": run_v2.ResourceRequirements(
            limits={"cpu": "1000m", "memory": "512Mi"}, cpu_idle=True, startup_cpu_boost=True
        ),
        "ports": [run_v2.ContainerPort(name="http1", container_port=8080)],
        "startup_probe": run_v2.Probe(
            tcp_socket=run_v2.TCPSocketAction(port=8080),
            period_seconds=240,
            timeout_seconds=240,
            failure_threshold=1,
        ),
    }
    fields.update(extra)
    return run_v2.Container(**fields)


def service(template: run_v2.RevisionTemplate, **extra: Any) -> run_v2.Service:
    fields: dict[str, Any] = {
        "name": NAME,
        "uid": "0d5c1f9e",
        "generation": 42,
        "etag": '"abc"',
        "creator": "deployer@acme-prod.iam.gserviceaccount.com",
        "client": "gcloud",
        "client_version": "502.0.0",
        "labels": {"team": "payments"},
        "annotations": {"run.googleapis.com/operation-id": "6f1c2a7e", "acme.dev/owner": "pay"},
        "ingress": run_v2.IngressTraffic.INGRESS_TRAFFIC_ALL,
        "template": template,
        "traffic": [run_v2.TrafficTarget(type_=LATEST, percent=100)],
        "latest_ready_revision": f"{NAME}/revisions/api-00041-xqz",
        "uri": "https://api-x7k2pq3ria-ew.a.run.app",
    }
    fields.update(extra)
    return run_v2.Service(**fields)


def template(*containers: run_v2.Container, **extra: Any) -> run_v2.RevisionTemplate:
    fields: dict[str, Any] = {
        "labels": {"team": "payments"},
        "annotations": {"run.googleapis.com/client-name": "gcloud"},
        "service_account": "api-runtime@acme-prod.iam.gserviceaccount.com",
        "timeout": timedelta(seconds=300),
        "max_instance_request_concurrency": 80,
        "scaling": run_v2.RevisionScaling(max_instance_count=20),
        "execution_environment": run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN2,
        "containers": list(containers) or [app()],
    }
    fields.update(extra)
    return run_v2.RevisionTemplate(**fields)


def sidecar() -> run_v2.Service:
    otel = run_v2.Container(
        name="otel",
        image="otel/opentelemetry-collector-contrib:0.104.0",
        args=["--config=/etc/otel/config.yaml"],
        env=[run_v2.EnvVar(name="OTEL_LEVEL", value="warn"), secret_env("OTEL_TOKEN", "otel")],
        resources=run_v2.ResourceRequirements(
            limits={"cpu": "500m", "memory": "256Mi"}, cpu_idle=True, startup_cpu_boost=True
        ),
        liveness_probe=run_v2.Probe(
            http_get=run_v2.HTTPGetAction(
                path="/healthz",
                port=13133,
                http_headers=[run_v2.HTTPHeader(name="X-Probe", value="1")],
            ),
            period_seconds=30,
        ),
    )
    return service(
        template(app(depends_on=["otel"], command=["node"], args=["dist/server.js"]), otel)
    )


def secret_volume() -> run_v2.Service:
    mounts = [run_v2.VolumeMount(name="api-config", mount_path="/etc/api")]
    volume = run_v2.Volume(
        name="api-config",
        secret=run_v2.SecretVolumeSource(
            secret="api-config",
            default_mode=0o440,
            items=[
                run_v2.VersionToPath(path="config.json", version="3", mode=0o400),
                run_v2.VersionToPath(path="previous.json", version="2"),
            ],
        ),
    )
    return service(template(app(volume_mounts=mounts), volumes=[volume]))


def cross_project() -> run_v2.Service:
    shared = "projects/987654321098/secrets/shared-db-password"
    container = app(volume_mounts=[run_v2.VolumeMount(name="certs", mount_path="/etc/certs")])
    container.env.append(secret_env("DB_PASSWORD", shared, "7"))
    volume = run_v2.Volume(
        name="certs",
        secret=run_v2.SecretVolumeSource(secret="projects/987654321098/secrets/shared-tls"),
    )
    return service(template(container, volumes=[volume]))


def direct_vpc() -> run_v2.Service:
    vpc = run_v2.VpcAccess(
        egress=run_v2.VpcAccess.VpcEgress.ALL_TRAFFIC,
        network_interfaces=[
            run_v2.VpcAccess.NetworkInterface(
                network="prod-vpc", subnetwork="run-ew1", tags=["run", "api"]
            )
        ],
    )
    return service(template(vpc_access=vpc))


def fixed_revision_name() -> run_v2.Service:
    return service(template(revision="api-release-42"))


def service_scaling() -> run_v2.Service:
    return service(
        template(scaling=run_v2.RevisionScaling(min_instance_count=1, max_instance_count=40)),
        description="orders API",
        launch_stage=3,  # google.api.LaunchStage.BETA
        invoker_iam_disabled=True,
        default_uri_disabled=True,
        iap_enabled=True,
        custom_audiences=["https://api.acme.dev"],
        ingress=run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER,
        binary_authorization=run_v2.BinaryAuthorization(
            policy="projects/acme-prod/platforms/cloudRun/policies/strict",
            breakglass_justification="INC-1234",
        ),
        scaling=run_v2.ServiceScaling(
            min_instance_count=2,
            max_instance_count=30,
            scaling_mode=run_v2.ServiceScaling.ScalingMode.AUTOMATIC,
        ),
        traffic=[
            run_v2.TrafficTarget(type_=REVISION, revision="api-00040-abc", percent=90),
            run_v2.TrafficTarget(type_=LATEST, percent=10, tag="next"),
            run_v2.TrafficTarget(type_=REVISION, revision="api-00039-pof", percent=0, tag="e2e"),
        ],
    )


def cloud_sql() -> run_v2.Service:
    mounts = [run_v2.VolumeMount(name="cloudsql", mount_path="/cloudsql")]
    volume = run_v2.Volume(
        name="cloudsql",
        cloud_sql_instance=run_v2.CloudSqlInstance(
            instances=["acme-prod:europe-west1:orders", "acme-prod:europe-west1:audit"]
        ),
    )
    return service(
        template(
            app(volume_mounts=mounts),
            volumes=[volume],
            vpc_access=run_v2.VpcAccess(
                connector="projects/acme-prod/locations/europe-west1/connectors/run",
                egress=run_v2.VpcAccess.VpcEgress.PRIVATE_RANGES_ONLY,
            ),
            execution_environment=run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN1,
            session_affinity=True,
            encryption_key="projects/acme-prod/locations/europe-west1/keyRings/r/cryptoKeys/k",
            encryption_key_revocation_action=run_v2.EncryptionKeyRevocationAction.SHUTDOWN,
            encryption_key_shutdown_duration=timedelta(hours=4),
        )
    )


def every_volume() -> run_v2.Service:
    mounts = [
        run_v2.VolumeMount(name="scratch", mount_path="/tmp/scratch"),
        run_v2.VolumeMount(name="assets", mount_path="/assets", sub_path="v2"),
        run_v2.VolumeMount(name="shared", mount_path="/mnt/shared"),
    ]
    volumes = [
        run_v2.Volume(
            name="scratch",
            empty_dir=run_v2.EmptyDirVolumeSource(
                medium=run_v2.EmptyDirVolumeSource.Medium.MEMORY, size_limit="1Gi"
            ),
        ),
        run_v2.Volume(
            name="assets",
            gcs=run_v2.GCSVolumeSource(
                bucket="acme-assets", read_only=True, mount_options=["implicit-dirs", "uid=1000"]
            ),
        ),
        run_v2.Volume(
            name="shared", nfs=run_v2.NFSVolumeSource(server="10.0.0.2", path="/exports/shared")
        ),
    ]
    container = app(
        volume_mounts=mounts,
        working_dir="/srv",
        base_image_uri="us-central1-docker.pkg.dev/serverless-runtimes/google-22/runtimes/nodejs22",
        readiness_probe=run_v2.Probe(grpc=run_v2.GRPCAction(port=8081, service="health")),
    )
    return service(
        template(
            container,
            volumes=volumes,
            node_selector=run_v2.NodeSelector(accelerator="nvidia-l4"),
            gpu_zonal_redundancy_disabled=True,
            health_check_disabled=False,
            service_mesh=run_v2.ServiceMesh(mesh="projects/acme-prod/locations/global/meshes/main"),
        )
    )


def plain_credential() -> run_v2.Service:
    container = app()
    container.env.append(
        run_v2.EnvVar(name="DATABASE_URL", value="postgres://app:hunter2-0x5e7a@10.0.0.5/orders")
    )
    return service(template(container))


REALISTIC = {
    "sidecar": sidecar,
    "secret_volume": secret_volume,
    "cross_project": cross_project,
    "direct_vpc": direct_vpc,
    "fixed_revision_name": fixed_revision_name,
    "service_scaling": service_scaling,
    "cloud_sql": cloud_sql,
    "every_volume": every_volume,
}


def job() -> run_v2.Job:
    task = run_v2.TaskTemplate(
        containers=[
            run_v2.Container(
                image="europe-west1-docker.pkg.dev/acme-prod/jobs/export@sha256:91ab",
                env=[
                    secret_env("API_KEY", "export-api-key"),
                    run_v2.EnvVar(name="TESTING", value="true"),
                ],
                resources=run_v2.ResourceRequirements(limits={"cpu": "1000m", "memory": "512Mi"}),
            )
        ],
        max_retries=3,
        timeout=timedelta(seconds=600),
        service_account="export@acme-prod.iam.gserviceaccount.com",
        execution_environment=run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN2,
        vpc_access=run_v2.VpcAccess(
            connector="projects/acme-prod/locations/europe-west1/connectors/run",
            egress=run_v2.VpcAccess.VpcEgress.PRIVATE_RANGES_ONLY,
        ),
    )
    return run_v2.Job(
        name="projects/acme-prod/locations/europe-west1/jobs/nightly-export",
        labels={"team": "data"},
        client="gcloud",
        template=run_v2.ExecutionTemplate(
            parallelism=5, task_count=10, labels={"team": "data"}, template=task
        ),
    )


def worker_pool() -> run_v2.WorkerPool:
    """A pull worker as `gcloud run worker-pools deploy` leaves one: a Cloud SQL proxy sidecar
    it depends on, a secret volume, a secret of another project, Direct VPC, three instances
    by hand, its split moved back to a named revision after a bad release."""
    worker = run_v2.Container(
        name="worker",
        image="europe-west1-docker.pkg.dev/acme-prod/jobs/worker@sha256:77c1",
        env=[
            secret_env("QUEUE_TOKEN", "queue-token", "4"),
            secret_env("SHARED_KEY", "projects/987654321098/secrets/shared-key"),
            run_v2.EnvVar(name="CONCURRENCY", value="8"),
        ],
        depends_on=["cloud-sql-proxy"],
        volume_mounts=[run_v2.VolumeMount(name="worker-config", mount_path="/etc/worker")],
        resources=run_v2.ResourceRequirements(limits={"cpu": "2", "memory": "1Gi"}),
    )
    proxy = run_v2.Container(
        name="cloud-sql-proxy",
        image="gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0",
        args=["--port=5432", "acme-prod:europe-west1:main"],
    )
    volume = run_v2.Volume(
        name="worker-config",
        secret=run_v2.SecretVolumeSource(
            secret="worker-config", items=[run_v2.VersionToPath(path="config.yaml", version="2")]
        ),
    )
    splits = run_v2.InstanceSplitAllocationType
    return run_v2.WorkerPool(
        name="projects/acme-prod/locations/europe-west1/workerPools/ingest",
        labels={"team": "data"},
        description="pulls the ingest queue",
        launch_stage=launch_stage_pb2.LaunchStage.BETA,
        scaling=run_v2.WorkerPoolScaling(manual_instance_count=3),
        template=run_v2.WorkerPoolRevisionTemplate(
            labels={"team": "data"},
            containers=[worker, proxy],
            volumes=[volume],
            service_account="ingest@acme-prod.iam.gserviceaccount.com",
            vpc_access=run_v2.VpcAccess(
                network_interfaces=[run_v2.VpcAccess.NetworkInterface(network="default")],
                egress=run_v2.VpcAccess.VpcEgress.PRIVATE_RANGES_ONLY,
            ),
        ),
        instance_splits=[
            run_v2.InstanceSplit(
                type_=splits.INSTANCE_SPLIT_ALLOCATION_TYPE_REVISION,
                revision="ingest-00007-abc",
                percent=100,
            ),
        ],
    )
