"""The e2e tests need the live test PBX (tests/pbx). They use the session fixture ``pbx``
from tests/pbx/fixture.py when it is there; until then a fallback that only checks a PBX
is already running (and skips with the reason otherwise)."""
from __future__ import annotations

import subprocess
import sys

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "pbx: needs the live test PBX (tests/pbx)")


try:  # the PBX helper's session fixture (starts the PBX once per session)
    from tests.pbx.fixture import pbx  # noqa: F401
except ImportError:  # pragma: no cover - until tests/pbx/fixture.py exists
    @pytest.fixture(scope="session")
    def pbx():
        probe = subprocess.run([sys.executable, "-m", "tests.pbx.pbx", "status"],
                               capture_output=True, text=True, timeout=30)
        if probe.returncode != 0:
            pytest.skip("test PBX not running: python -m tests.pbx.pbx start")
        return None
