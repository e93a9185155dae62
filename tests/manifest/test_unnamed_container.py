"""A Knative manifest whose container requests reach has no name (Container.name is optional:
"Name of the container specified as a DNS_LABEL"; exports of one container often leave it
out) beside a named sidecar: a finding about it said "(container )" (helper-551 F4)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.manifest.conftest import MINIMAL, check_offline

MANIFEST = (
    MINIMAL
    + """\
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
)


def test_an_unnamed_container_is_said_to_have_no_name(tmp_path: Path) -> None:
    profile = (
        "project: acme\nregion: us-central1\nservices:\n  api:\n    mounts:\n"
        '      /etc/tls/cert.pem: {secret: tls-cert, version: "1", mode: "0400"}\n'
    )
    done = check_offline(tmp_path, profile, ("svc.yaml", MANIFEST))
    (finding,) = json.loads(done.stdout)["findings"]
    assert finding["rule"] == "mount.mode", finding
    assert (
        "on service api (container with no name) is created with mode 0444" in (finding["message"])
    ), finding
