"""A Knative manifest whose container requests reach has no name (Container.name is optional:
"Name of the container specified as a DNS_LABEL"; exports of one container often leave it
out) beside a named sidecar: a finding about it said "(container )" (helper-551 F4)."""

from __future__ import annotations

from pathlib import Path

from tests.cliutil import drift

MANIFEST = """\
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: api
spec:
  template:
    spec:
      containers:
      - image: gcr.io/acme/api:1
        ports:
        - containerPort: 8080
        volumeMounts:
        - name: tls
          mountPath: /etc/tls
      - name: otel
        image: gcr.io/acme/otel:1
      volumes:
      - name: tls
        secret:
          secretName: tls-cert
          items:
          - key: "1"
            path: cert.pem
"""


def test_an_unnamed_container_is_said_to_have_no_name(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(
        "project: acme\nregion: us-central1\nservices:\n  api:\n    mounts:\n"
        '      /etc/tls/cert.pem: {secret: tls-cert, version: "1", mode: "0400"}\n'
    )
    (tmp_path / "svc.yaml").write_text(MANIFEST)
    done = drift(
        "check", "prod", "--profiles", str(tmp_path / "profiles"), "-m", "svc.yaml",
        "--offline", cwd=tmp_path,
    )  # fmt: skip
    assert "mount.mode" in done.stdout, done.stdout + done.stderr
    assert "on manifest:svc.yaml (container with no name) is created with mode 0444" in (
        done.stdout
    ), done.stdout
