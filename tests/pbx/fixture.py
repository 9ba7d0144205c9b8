"""pytest fixtures for tests against the real test PBX.

`pbx` (session): starts the PBX once (or reuses one already running, which it then leaves
running) and stops it at the end. If it cannot start, tests using it are SKIPPED with the
reason, unless PBX_REQUIRED=1 (CI), where that is a FAILURE.
`ami` (function): a logged-in AmiClient (events on) for one test, closed afterwards.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterator

import pytest

from tests.pbx import plan
from tests.pbx.ami import AmiClient


@dataclass(frozen=True)
class Pbx:
    """Where the running test PBX answers; `client()` gives a logged-in AMI client."""

    host: str = plan.AMI_HOST
    port: int = plan.AMI_PORT
    tls_port: int = plan.AMI_TLS_PORT
    username: str = plan.AMI_USER
    secret: str = plan.AMI_SECRET
    version: str = ""

    def client(self, tls: bool = False, events: bool = True) -> AmiClient:
        port = self.tls_port if tls else self.port
        return AmiClient(self.host, port, self.username, self.secret, tls=tls).connect(events=events)


def _unavailable(reason: str) -> None:
    message = f"test PBX unavailable: {reason}"
    if os.environ.get("PBX_REQUIRED") == "1":
        pytest.fail(message + " (PBX_REQUIRED=1)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pbx() -> Iterator[Pbx]:
    from tests.pbx import pbx as control

    if os.name != "posix" or not hasattr(os, "geteuid"):
        _unavailable("needs Linux (chroot + sipp)")
    already_running, _ = control.status()
    try:
        state = control.start()
    except Exception as exc:  # any failure to start is a skip (or a CI failure)
        _unavailable(str(exc))
    yield Pbx(version=state.version)
    if not already_running:
        control.stop()


@pytest.fixture
def ami(pbx: Pbx) -> Iterator[AmiClient]:
    client = pbx.client()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(scope="session")
def pbx2(pbx: Pbx) -> Iterator[Pbx]:
    """The second test PBX (tests/pbx/pbx2.py: AMI 5048, SIP 5070, phones 301-303), only
    for tests that ask for it (AMI-4); stopped at the end if this session started it."""
    from tests.pbx import pbx2 as control

    already_running, _ = control.status()
    try:
        state = control.start()
    except Exception as exc:
        _unavailable(f"second PBX: {exc}")
    yield Pbx(port=control.AMI_PORT, tls_port=control.AMI_TLS_PORT, secret=control.SECRET,
              version=state.version)
    if not already_running:
        control.stop()
