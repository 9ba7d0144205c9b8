"""Why the AMI connection is not up, as a sentence for the person at the desk.

These are the ``reason`` of :class:`~callcore.events.ConnectionStateChanged`: the window shows
them next to the connection dot and the recorder prints them, so they say what happened in
words ("Cannot reach the PBX at 10.0.0.5:5038 — connection refused"), never a raw
exception ("[Errno 111] Connect call failed ('10.0.0.5', 5038)").
"""
from __future__ import annotations

import asyncio
import errno
import re
import socket
import ssl
from typing import Any, Mapping

from ..i18n import _
from ..settings_labels import setting_label


def where(host: str, port: int) -> str:
    """``host:port`` (``[::1]:5038`` for an IPv6 address)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _errno_of(exc: BaseException) -> int | None:
    """The errno, also from asyncio's 'Multiple exceptions: [Errno 111] …' (a name with
    several addresses, e.g. localhost = ::1 and 127.0.0.1)."""
    number = getattr(exc, "errno", None)
    if isinstance(number, int):
        return number
    found = re.search(r"\[Errno (\d+)\]", str(exc))
    return int(found.group(1)) if found else None


def _os_problem(exc: BaseException) -> str:
    """What an OSError means, in words."""
    number = _errno_of(exc)
    known = {
        errno.ECONNREFUSED: _("connection refused"),
        errno.ECONNRESET: _("the connection was reset"),
        errno.ECONNABORTED: _("the connection was aborted"),
        errno.EHOSTUNREACH: _("no route to the host"),
        errno.ENETUNREACH: _("the network is unreachable"),
        errno.ETIMEDOUT: _("no answer (timed out)"),
        errno.EPIPE: _("the connection was closed"),
        errno.EADDRNOTAVAIL: _("the address is not available on this computer"),
    }
    if number in known:
        return known[number]
    text = getattr(exc, "strerror", None) or ""
    return text[:1].lower() + text[1:] if text else _("network error ({kind})").format(
        kind=type(exc).__name__)


def _tls_problem(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = exc.verify_message or exc.reason or ""
        hint = _("name the certificate in “{label}” ({key})").format(
            label=setting_label("ami.tls_ca"), key="ami.tls_ca")
        if detail:
            return _("its TLS certificate is not trusted ({detail}); {hint}").format(
                detail=detail, hint=hint)
        return _("its TLS certificate is not trusted; {hint}").format(hint=hint)
    reason = (exc.reason or "").upper()
    if reason in ("WRONG_VERSION_NUMBER", "UNKNOWN_PROTOCOL", "RECORD_LAYER_FAILURE",
                  "PACKET_LENGTH_TOO_LONG", "HTTP_REQUEST"):
        return _("the TLS handshake failed: this port does not speak TLS")
    return _("the TLS handshake failed ({detail})").format(detail=exc.reason or type(exc).__name__)


def cannot_connect(exc: BaseException, host: str, port: int, timeout: float) -> str:
    """Reason for a failed TCP (and TLS) connection attempt."""
    at = where(host, port)
    if isinstance(exc, ssl.SSLError):
        return _("Cannot connect securely to the PBX at {where} — {problem}").format(
            where=at, problem=_tls_problem(exc))
    if isinstance(exc, socket.gaierror):
        return _("Cannot reach the PBX at {where} — the host name “{host}” is not known").format(
            where=at, host=host)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)) and _errno_of(exc) is None:
        return _("Cannot reach the PBX at {where} — no answer within {seconds:g} s").format(
            where=at, seconds=timeout)
    return _("Cannot reach the PBX at {where} — {problem}").format(where=at, problem=_os_problem(exc))


def auth_failed(host: str, port: int, retry_in: float | None = None) -> str:
    """Reason for a refused Login (wrong username or secret)."""
    text = _("The PBX at {where} refused the login (authentication failed) — check the AMI "
             "username and secret").format(where=where(host, port))
    if retry_in is not None:
        text += " " + _("(trying again in {seconds:g} s)").format(seconds=retry_in)
    return text


def login_incomplete(exc: BaseException, host: str, port: int, timeout: float) -> str:
    """Reason when the TCP connection was made but the login never finished."""
    at = where(host, port)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return _("The PBX at {where} did not complete the login — no answer within {seconds:g} s"
                 ).format(where=at, seconds=timeout)
    return _("The PBX at {where} did not complete the login — it closed the connection").format(
        where=at)


def connection_lost(exc: Any, host: str, port: int) -> str:
    """Reason when an established connection ends (``exc`` from the protocol: None for a
    clean close, an exception, or the ``Shutdown`` event)."""
    at = where(host, port)
    if isinstance(exc, Mapping) or (exc is not None and hasattr(exc, "event")
                                    and str(getattr(exc, "event", "")).lower() == "shutdown"):
        return _("The PBX at {where} is restarting").format(where=at)
    if isinstance(exc, ssl.SSLError):
        return _("Lost the connection to the PBX at {where} — {problem}").format(
            where=at, problem=_tls_problem(exc))
    if isinstance(exc, OSError):
        return _("Lost the connection to the PBX at {where} — {problem}").format(
            where=at, problem=_os_problem(exc))
    if isinstance(exc, BaseException):
        return _("Lost the connection to the PBX at {where}").format(where=at)
    return _("The PBX at {where} closed the connection").format(where=at)


def stopped_answering(host: str, port: int, seconds: float) -> str:
    """Reason when the watchdog's Ping got no answer (a half-open connection)."""
    return _("The PBX at {where} stopped answering (no reply to a ping within {seconds:g} s)"
             ).format(where=where(host, port), seconds=seconds)
