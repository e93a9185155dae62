"""A certificate from an authority the runner does not trust (a private CA, a TLS-inspecting
proxy's) said only "TLS certificate of HOST rejected: self-signed certificate", with no word
of how the probe is told to trust it (helper-837 F6): `SSL_CERT_FILE` or `SSL_CERT_DIR`
(OpenSSL's defaults, which the probe's TLS uses). A scripted TLS server: the sandbox serves
plain ws:// on loopback."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.asyncio.server import ServerConnection, serve

from drift.findings import ProbeOutcome, ProbeResult
from drift.probe.client import probe
from tests.probe.helpers import run, target


def _self_signed(folder: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (folder / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "k.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "c.pem", folder / "k.pem")
    return context


def test_an_untrusted_certificate_says_how_to_trust_its_authority(tmp_path: Path) -> None:
    async def scenario() -> ProbeResult:
        async def handler(ws: ServerConnection) -> None:
            await ws.wait_closed()

        async with serve(handler, "localhost", 0, ssl=_self_signed(tmp_path)) as server:
            port = server.sockets[0].getsockname()[1]
            return await probe(target(f"https://localhost:{port}", "/ws"), environ={})

    result = run(scenario())
    assert result.outcome is ProbeOutcome.UNREACHABLE, result.detail
    assert "rejected" in result.detail, result.detail
    assert "SSL_CERT_FILE" in result.detail, result.detail
