"""A Knative manifest is read as gcloud reads it: a file mode written as Google documents it
(`defaultMode: 0440`, "chmod numeric notation with a leading zero", SecretVolumeSource's
default_mode field doc; gcloud's YAML 1.1 reads it as octal) or as YAML 1.2 octal (`0o440`)
is the mode 0o440 — not refused as a profile's non-canonical integer is, and not 440."""

from __future__ import annotations

import pytest

from tests.manifest.conftest import MINIMAL, read

MANIFEST = (
    MINIMAL
    + """\
        volumeMounts:
        - name: tls
          mountPath: /etc/tls
      volumes:
      - name: tls
        secret:
          secretName: tls-cert
          defaultMode: MODE
          items:
          - key: latest
            path: cert.pem
            mode: ITEM
"""
)


@pytest.mark.parametrize(("mode", "item"), [("0440", "0400"), ("0o440", "256"), ("288", "0o400")])
def test_a_documented_octal_file_mode_is_read_as_gcloud_reads_it(mode: str, item: str) -> None:
    (workload,) = read(MANIFEST.replace("MODE", mode).replace("ITEM", item)).workloads
    secret = workload.resource.template.volumes[0].secret
    assert secret.default_mode == 0o440
    assert secret.items[0].mode == 0o400


def test_both_yaml_paths_read_integers_as_gcloud_does() -> None:
    from drift import yamlfast, yamlruamel

    text = "a: 0440\nb: 0o17\nc: 010\nd: 8080\ne: -0755\nf: 0x1F\n"
    expected = {"a": 0o440, "b": 0o17, "c": 8, "d": 8080, "e": -0o755, "f": 31}
    assert yamlruamel.parse(text, "m.yaml", "gcloud").data == expected
    assert yamlfast.parse(text, "m.yaml", "gcloud").data == expected
