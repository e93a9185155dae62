"""CRC-32C (Castagnoli), as Secret Manager stamps `data_crc32c` on a payload (SecretPayload:
"the CRC32C checksum of the secret data"): the sandbox's own, not drift's (`drift.live.crc32c`,
which verifies it; one function on both sides would agree with its own mistake). RFC 3720
(iSCSI) section 12.1 and appendix B.4: the polynomial 0x1EDC6F41, reflected input and output,
initial value and final XOR all ones."""

from __future__ import annotations

POLYNOMIAL = 0x1EDC6F41


def _reflect(value: int, bits: int) -> int:
    return int(f"{value:0{bits}b}"[::-1], 2)


_REFLECTED = _reflect(POLYNOMIAL, 32)
_TABLE = []
for _byte in range(256):
    _crc = _byte
    for _ in range(8):
        _crc = (_crc >> 1) ^ (_REFLECTED if _crc & 1 else 0)
    _TABLE.append(_crc)


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc ^ 0xFFFFFFFF
