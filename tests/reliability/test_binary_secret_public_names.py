"""revown27 (fixleak, f461f54): `redact.register_payload` remembers every readable run of 8+
characters of a binary secret as a secret of its own. A keystore / DER certificate (the
usual binary secret: a JKS or PKCS#12 mounted for mTLS) holds its names in clear, each after
a tag and a length byte: `api.partner.example.com`, `Google Trust Services`,
`http://crl.pki.goog/...`. Those are public names, not the secret, yet every occurrence in any
text is now masked: a plain, non-secret variable holding the partner's host is shown as `***`
in its own finding, so the user cannot see what drifted. Expected to FAIL on main."""

from __future__ import annotations

import json
from pathlib import Path

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.reliability.test_quoted_secret_parts import PROFILE as QUOTED
from tests.reliability.test_quoted_secret_parts import _world, add_version, bin_profiles

HOST = "api.partner.example.com"
# DER-ish: two SAN dNSNames [2] IMPLICIT IA5String (0x82, length), issuer O (UTF8String)
KEYSTORE = (
    b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x30\x82\x03\x1f\xa0\x03\x02\x01\x02"
    + b"\x82\x17"
    + HOST.encode()
    + b"\x82\x0f"
    + b"www.example.com"
    + b"\x31\x1e\x30\x1c\x06\x03\x55\x04\x0a\x0c\x15"
    + b"Google Trust Services"
    + b"\x04\x20"
    + bytes(range(0xA0, 0xC0))  # key bytes
)
PROFILE = QUOTED + "      UPSTREAM_HOST: api.partner.example.org\n"


def test_a_public_name_inside_a_binary_secret_does_not_hide_a_plain_value(
    tmp_path: Path,
) -> None:
    profiles = bin_profiles(tmp_path, PROFILE)
    data = _world()
    data["projects"]["rel-project"]["services"]["api"]["template"]["env"]["UPSTREAM_HOST"] = HOST
    with Sandbox(data) as sandbox:
        add_version(sandbox, "projects/rel-project/secrets/bin", KEYSTORE)
        done = drift(
            "check", "bin", "--profiles", str(profiles), "-f", "json",
            env=sandbox.environ(), cwd=tmp_path,
        )  # fmt: skip
    report = json.loads(done.stdout)
    [finding] = [f for f in report["findings"] if f["target"] == "env.UPSTREAM_HOST"]
    # a plain value that looks like no credential: shown as it is (README "What drift never
    # shows" masks secrets and credential-looking values, not public host names)
    assert HOST in json.dumps(finding), finding
