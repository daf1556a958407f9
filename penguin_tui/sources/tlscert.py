"""Certificate expiry, for ``[CERTIFICATE_EXPIRATION]`` and for "expired 3 days ago".

The ssl module only decodes a peer certificate it has verified. For unverified checks and to
say how long ago an expired certificate ran out, we read ``notAfter`` straight from the DER
bytes: a few lines of ASN.1 walking instead of a dependency on ``cryptography``.
"""

from __future__ import annotations

import asyncio
import calendar
import ssl
from typing import Any


def _read_tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER element at ``pos``."""
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        if n == 0 or n > 4:
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[pos : pos + n], "big")
        pos += n
    end = pos + length
    if end > len(data):
        raise ValueError("truncated DER")
    return tag, pos, end


def _parse_time(tag: int, raw: bytes) -> float:
    text = raw.decode("ascii").rstrip("Z")
    if tag == 0x17:  # UTCTime: YYMMDDHHMMSS, years 50-99 are 19xx (RFC 5280)
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    elif tag != 0x18:  # GeneralizedTime: YYYYMMDDHHMMSS
        raise ValueError("not an ASN.1 time")
    parts = (text[0:4], text[4:6], text[6:8], text[8:10], text[10:12], text[12:14] or "0")
    y, mo, d, h, mi, s = (int(p) for p in parts)
    return float(calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)))


def not_after_from_der(der: bytes) -> float | None:
    """Expiry (epoch seconds) of a DER-encoded X.509 certificate, or None if unreadable."""
    try:
        _, cert_start, _ = _read_tlv(der, 0)  # Certificate
        tag, pos, _ = _read_tlv(der, cert_start)  # tbsCertificate
        if der[pos] == 0xA0:  # [0] version, optional
            pos = _read_tlv(der, pos)[2]
        for _ in range(3):  # serialNumber, signature algorithm, issuer
            pos = _read_tlv(der, pos)[2]
        tag, vpos, _ = _read_tlv(der, pos)  # validity
        if tag != 0x30:
            return None
        vpos = _read_tlv(der, vpos)[2]  # skip notBefore
        tag, start, end = _read_tlv(der, vpos)
        return _parse_time(tag, der[start:end])
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def not_after_from_ssl_object(ssl_object: Any) -> float | None:
    """Expiry of the peer certificate on an established TLS connection, verified or not."""
    if ssl_object is None:
        return None
    try:
        decoded = ssl_object.getpeercert()
        if decoded and decoded.get("notAfter"):
            return float(ssl.cert_time_to_seconds(decoded["notAfter"]))
        der = ssl_object.getpeercert(binary_form=True)
    except (ValueError, ssl.SSLError):
        return None
    return not_after_from_der(der) if der else None


async def fetch_not_after(host: str, port: int, timeout_s: float) -> float | None:
    """Handshake without verification just to read the peer certificate's expiry.

    Used only after a verified handshake failed, to tell the operator *when* the certificate
    expired; nothing is sent and the connection is closed straight away.
    """
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    writer = None
    try:
        async with asyncio.timeout(timeout_s):
            _, writer = await asyncio.open_connection(host, port, ssl=ctx, server_hostname=host)
            return not_after_from_ssl_object(writer.get_extra_info("ssl_object"))
    except (OSError, TimeoutError, ssl.SSLError):
        return None
    finally:
        if writer is not None:
            writer.close()
