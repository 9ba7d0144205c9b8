"""Several PBXs in the operator window (AMI-4): the first PBX keeps the connection
indicator, every further PBX has its own state in the status bar; the branch PBX
restarting shows there (⚠ not connected, then connected again) while the indicator of the
first PBX stays connected. Two real Asterisk instances (tests/pbx/pbx2.py), Xvfb."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from callcore.app import AppMode, build_app
from callcore.settings import settings_from_dict
from tests.e2e.test_two_pbx import office
from tests.gui.conftest import display, make_ui, root, wait_until  # noqa: F401  (fixtures)
from tests.pbx import pbx2 as second

pytestmark = [pytest.mark.pbx, pytest.mark.gui]


def test_each_pbx_has_its_state_in_the_window(pbx, pbx2, make_ui, root, tmp_path, monkeypatch):
    from operator_app import ui_ports_for
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    app = build_app(settings_from_dict(office(tmp_path)), AppMode.WINDOW,
                    connection_options={"backoff_max": 1.0})
    try:
        ui = make_ui(ui_ports_for(app))
        ui.start()
        app.start()
        window = ui.window
        branch = lambda: str(window.pbx_labels["branch"].cget("text")) if "branch" in window.pbx_labels else ""  # noqa: E731
        assert wait_until(root, lambda: window.connection_status == "connected"
                          and branch() == "PBX branch: connected", 20, ui.pump), (window.connection_status, branch())
        # the transfer dialog's presence knows the phones of both PBXs
        assert wait_until(root, lambda: app.presence.state_of("302") == "free"
                          and app.presence.state_of("205") == "free", 10, ui.pump)

        second.stop_asterisk()
        assert wait_until(root, lambda: branch().startswith("⚠ PBX branch: not connected — "), 20, ui.pump), branch()
        assert window.connection_status == "connected"          # the first PBX is not affected
        # the branch's phones are unknown now; the first PBX's are still known
        assert wait_until(root, lambda: app.presence.state_of("302") == "unknown", 10, ui.pump)
        assert app.presence.state_of("205") == "free"
        if os.environ.get("TWO_PBX_SCREENSHOT") and shutil.which("import"):
            root.update()
            subprocess.run(["import", "-window", root.wm_frame(), os.environ["TWO_PBX_SCREENSHOT"]], check=True)
        second.start_asterisk(second.Pbx2State.load())
        assert wait_until(root, lambda: branch() == "PBX branch: connected", 30, ui.pump), branch()
        assert window.connection_status == "connected"
        assert wait_until(root, lambda: app.presence.state_of("302") == "free", 10, ui.pump)
    finally:
        app.close()
