"""`operator_app.py --demo` as a newcomer sees it (issue 3 item 9): the window comes up
labelled DEMO, connects to the built-in demo PBX, and within seconds a popup shows a
recorded caller identified from the demo directory."""
from __future__ import annotations

import operator_app
from tests.gui.conftest import wait_until


def test_demo_shows_a_labelled_popup_within_seconds(root, tmp_path):
    args = operator_app._parse_app_args(["--demo"])
    session = operator_app.start_operator(args, root, demo_folder=tmp_path)
    try:
        assert wait_until(root, lambda: session.app.connection.status == "connected", timeout=10)
        assert wait_until(root, lambda: bool(session.ui.popups), timeout=15)
        popup = next(iter(session.ui.popups.values()))
        assert "DEMO" in popup.title()
        assert "Μανουσάκης Γιώργος" in popup.title()
        assert root.title().startswith("[DEMO]")
        assert session.ui.window.demo_badge.winfo_ismapped()
    finally:
        session.ui.close()
        session.close()
