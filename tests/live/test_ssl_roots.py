"""GRPC_DEFAULT_SSL_ROOTS_FILE_PATH as gRPC core takes it: every PEM form of a roots bundle it
loads is taken, and the file is read only when it is a regular one of a sane size (the E5
check, `drift.live.googleenv.check_ssl_roots`; the CLI's messages for a directory and a file
of no certificate: tests/live/test_credential_messages.py)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

# revown33 F3: OpenSSL's TRUSTED CERTIFICATE form (`openssl x509 -addtrust`; RHEL/Fedora's
# /etc/pki/ca-trust/extracted/openssl/ca-bundle.trust.crt), which gRPC core loads (a TLS call
# with only such a root succeeds: /work/notes/repro/revown33/grpc_trusted_roots.py), and the
# old X509 CERTIFICATE label were refused as "holds no PEM certificate".
TRUSTED_ROOTS = Path(__file__).with_name("trusted_roots.pem")


@pytest.mark.parametrize("label", ["TRUSTED CERTIFICATE", "X509 CERTIFICATE", "CERTIFICATE"])
def test_ssl_roots_in_every_pem_form_grpc_loads_are_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, label: str
) -> None:
    from drift.live.googleenv import check_ssl_roots

    pem = TRUSTED_ROOTS.read_text().replace("TRUSTED CERTIFICATE", label)
    (roots := tmp_path / "roots.pem").write_text(f"# a bundle\r\n{pem}")
    monkeypatch.setenv("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", str(roots))
    check_ssl_roots()


def _ssl_roots_refusal(monkeypatch: pytest.MonkeyPatch, path: Path) -> str:
    """What check_ssl_roots says of `path`, within 10 s (a named pipe blocked main's open() for
    ever: unblocked here by opening its other end, should it wait)."""
    from drift.errors import UsageError
    from drift.live.googleenv import check_ssl_roots

    monkeypatch.setenv("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", str(path))
    said: list[str] = []

    def check() -> None:
        try:
            check_ssl_roots()
            said.append("taken")
        except UsageError as exc:
            said.append(str(exc))

    worker = threading.Thread(target=check, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive() and path.is_fifo():
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))  # its reader gets end of file
        worker.join(10)
        pytest.fail(f"waited on the named pipe {path}: {said}")
    return said[0]


# revown33 F4: the whole file was read with no limit and no check of what it is: a named pipe
# (`/dev/stdin` in CI) blocked drift for ever before any call, /dev/zero read until memory ran
# out. Read only as a regular file, of at most 16 MiB (drift.files.regular_bytes).
def test_ssl_roots_variable_naming_a_pipe_or_a_device_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.mkfifo(fifo := tmp_path / "roots.pem")
    said = _ssl_roots_refusal(monkeypatch, fifo)
    assert said == (
        f"GRPC_DEFAULT_SSL_ROOTS_FILE_PATH names {fifo}, which is not a regular file (a named "
        "pipe): gRPC takes one PEM file of root certificates there"
    )
    said = _ssl_roots_refusal(monkeypatch, Path(os.devnull))
    assert "which is not a regular file (a character device)" in said, said


def test_ssl_roots_file_of_no_sane_size_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roots = tmp_path / "roots.pem"
    with roots.open("wb") as handle:
        handle.write(TRUSTED_ROOTS.read_bytes())
        handle.truncate(16 * 1024 * 1024 + 1)  # sparse: no disk taken
    said = _ssl_roots_refusal(monkeypatch, roots)
    assert "which is larger than 16 MiB" in said, said
    roots.write_bytes(TRUSTED_ROOTS.read_bytes().ljust(16 * 1024 * 1024))
    assert _ssl_roots_refusal(monkeypatch, roots) == "taken"
