"""Shared pytest setup: markers, and the real-PBX fixtures (tests/pbx/fixture.py)."""
from tests.pbx.fixture import ami, pbx, pbx2  # noqa: F401  (fixtures for every test module)


def pytest_configure(config):
    config.addinivalue_line("markers", "pbx: needs the real test PBX (Asterisk 22 + sipp), see docs/pbx.md")
    config.addinivalue_line("markers", "gui: needs a display (Xvfb in CI)")
    config.addinivalue_line("markers", "slow: takes more than 20 s")


import os  # noqa: E402

import pytest  # noqa: E402

_REQUIRED = {"pbx": "PBX_REQUIRED", "gui": "GUI_REQUIRED"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (PBX_REQUIRED=1 / GUI_REQUIRED=1) a skipped PBX or GUI test is a failure:
    whatever the reason it skipped, the proof it stands for did not run."""
    outcome = yield
    report = outcome.get_result()
    if not report.skipped:
        return
    for marker, env in _REQUIRED.items():
        if os.environ.get(env) == "1" and item.get_closest_marker(marker) is not None:
            report.outcome = "failed"
            report.longrepr = f"skipped, but {env}=1: {report.longrepr}"
            return


@pytest.fixture(autouse=True, scope="session")
def _collect_garbage_on_the_main_thread_only():
    """Tk objects freed by the cyclic GC in a background thread (an AMI or store thread
    left by a test) call into Tcl from there and abort the run. As in the app
    (ui/tk_gc.py), automatic collection is off and collection happens on this thread."""
    import gc
    was = gc.isenabled()
    gc.disable()
    yield
    gc.collect()
    if was:
        gc.enable()


@pytest.fixture(autouse=True)
def _collect_after_each_test():
    yield
    import gc
    gc.collect()
