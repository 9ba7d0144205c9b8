"""Shared pytest setup: markers, and the real-PBX fixtures (tests/pbx/fixture.py)."""
from tests.pbx.fixture import ami, pbx  # noqa: F401  (fixtures for every test module)


def pytest_configure(config):
    config.addinivalue_line("markers", "pbx: needs the real test PBX (Asterisk 22 + sipp), see docs/pbx.md")
    config.addinivalue_line("markers", "gui: needs a display (Xvfb in CI)")
    config.addinivalue_line("markers", "slow: takes more than 20 s")
