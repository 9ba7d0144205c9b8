"""Password hashes for users (ROLE-1): salted and slow, never the password itself.

Stored as ``scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>`` (stdlib :func:`hashlib.scrypt`), so
the cost can be raised later without breaking old hashes. Checked in constant time
(:func:`hmac.compare_digest`). The older form ``scrypt$<salt>$<hash>`` (n=2**14, r=8, p=1)
from ``records.hash_password`` is still accepted.
"""
from __future__ import annotations

import hashlib
import hmac
import os

N, R, P = 2 ** 14, 8, 1          # ~16 MiB, ~50 ms per check on an office PC
SALT_BYTES, HASH_BYTES = 16, 32


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen,
                          maxmem=max(64 * 1024 * 1024, 130 * n * r * p))


def hash_password(password: str, *, n: int = N, r: int = R, p: int = P,
                  salt: bytes | None = None) -> str:
    """A new salted hash of ``password`` (a fresh random salt each time)."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    digest = _scrypt(password, salt, n, r, p, HASH_BYTES)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``; False for a wrong password or a hash that
    is not one of ours (never raises)."""
    parts = stored.split("$")
    try:
        if len(parts) == 6 and parts[0] == "scrypt":
            n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            salt, expected = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
        elif len(parts) == 3 and parts[0] == "scrypt":
            n, r, p = 2 ** 14, 8, 1
            salt, expected = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
        else:
            return False
        if not (1 < n <= 2 ** 20 and 0 < r <= 32 and 0 < p <= 16 and expected):
            return False
        digest = _scrypt(password, salt, n, r, p, len(expected))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(digest, expected)
