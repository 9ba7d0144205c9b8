"""The queue panel window (issue 11) driven by the real test Asterisk: what each role sees
(supervisors their group's queues, agents theirs and the joinable ones), the operator
joins, pauses with a reason and sees a caller wait with the seconds going up. A screenshot
is written (``QUEUE_SCREENSHOT=path`` keeps it)."""
from __future__ import annotations

import os
import shutil
import subprocess
import types
import uuid

import pytest

from callcore.app import AppMode, build_app
from callcore.records import Group, User
from tests.e2e.test_queue_panel import PANEL_DID, leave_panel, settings
from tests.gui.conftest import wait_until
from tests.pbx import scenarios
from tests.pbx.extras import ensure_current_config

pytestmark = pytest.mark.pbx


def rows(window) -> dict[str, list[tuple[str, str, str]]]:
    """Queue row text → its children as (text, state, wait), as the operator reads them."""
    out = {}
    for item in window.tree.get_children():
        out[window.tree.item(item, "text")] = [
            (window.tree.item(child, "text"), *window.tree.item(child, "values"))
            for child in window.tree.get_children(item)]
    return out


def test_queue_panel_window_on_the_real_pbx(pbx, ami, root, tmp_path, monkeypatch):
    from ui.pump import EventPump
    from ui.queues import QueuesWindow
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    ensure_current_config(ami)
    leave_panel(ami)
    conf = settings(tmp_path)
    conf.data["users"]["passwords"] = False
    app = build_app(conf, AppMode.WINDOW)
    group, other = Group(name="Υποστήριξη"), Group(name="Sales")
    for record in (group, other,
                   User(name="Μαρία Supervisor", role="supervisor", group_id=group.id, extension="205"),
                   User(name="Petra", role="agent", group_id=group.id, extension="202"),
                   User(name="Ivan Agent", role="agent", group_id=other.id, extension="205")):
        (app.store.groups if isinstance(record, Group) else app.store.users).put(record)
    pump = EventPump(root, lambda event: None)
    pump.start()
    window = None
    caller = None
    try:
        app.start()
        app.session.sign_in("Ivan Agent")
        ports = types.SimpleNamespace(queues=app.queues, events=app.hub)
        window = QueuesWindow(root, ports, call_soon=pump.call_soon)
        # an agent: only the queue they may join (not "support", where nobody is theirs)
        assert wait_until(root, lambda: "panel" in rows(window), timeout=20, pump=pump), rows(window)
        assert "support" not in rows(window)
        assert rows(window)["panel"] == [("Unplugged 209", "offline", "")]
        # a supervisor also sees every queue where someone of their group is a member
        app.session.sign_in("Μαρία Supervisor")
        assert wait_until(root, lambda: "support" in rows(window), timeout=10, pump=pump), rows(window)
        assert any(text.startswith("Petra") for text, *_ in rows(window)["support"])

        # join from the window, pause with a typed reason
        panel_item = [i for i in window.tree.get_children() if window.tree.item(i, "text") == "panel"][0]
        window.tree.selection_set(panel_item)
        root.update()
        assert str(window.join_button.cget("state")) == "normal"
        assert str(window.leave_button.cget("state")) == "disabled"
        window.join_button.invoke()
        assert wait_until(root, lambda: ("Μαρία Supervisor (205) — you", "free", "")
                          in rows(window).get("panel", []), timeout=15, pump=pump), rows(window)
        window.reason.set("Обед")
        assert wait_until(root, lambda: str(window.pause_button.cget("state")) == "normal", pump=pump)
        window.pause_button.invoke()
        assert wait_until(root, lambda: any(s.startswith("paused (Обед)") for _t, s, _w in rows(window)["panel"]),
                          timeout=15, pump=pump), rows(window)
        assert str(window.leave_button.cget("state")) == "normal"

        # a caller waits: listed first, their wait time counts up
        caller = scenarios.outside_call(ami, PANEL_DID, scenarios.CYRILLIC, talk=1, give_up=60)
        assert wait_until(root, lambda: rows(window)["panel"][0][0] == "1. Иван Петров 4957654321",
                          timeout=15, pump=pump), rows(window)
        assert wait_until(root, lambda: rows(window)["panel"][0][2] not in ("", "0:00"), timeout=5, pump=pump)
        panel_row = [i for i in window.tree.get_children() if window.tree.item(i, "text") == "panel"][0]
        assert window.tree.item(panel_row, "values")[0].startswith("1 waiting · 2 members · 1 paused"), rows(window)
        assert "1 waiting" in window.summary.cget("text")

        shot = tmp_path / "queues.png"
        window.geometry("760x440")
        wait_until(root, lambda: False, timeout=0.3, pump=pump)
        if shutil.which("import"):
            subprocess.run(["import", "-window", window.wm_frame(), str(shot)], check=True)
            if os.environ.get("QUEUE_SCREENSHOT"):
                shutil.copyfile(shot, os.environ["QUEUE_SCREENSHOT"])
    finally:
        if caller:
            for channel in ami.channels():
                if channel.get("Linkedid") == caller:
                    ami.action("Hangup", {"Channel": channel["Channel"]})
        leave_panel(ami)
        if window is not None:
            window.destroy()
        pump.stop()
        app.close()


def test_queues_menu_item_and_shortcut_open_the_panel(make_ui, root, tmp_path, monkeypatch):
    """Calls › Queues… (Ctrl+Shift+Q) opens the one queue panel; without a PBX it says why
    it is empty."""
    from operator_app import ui_ports_for
    from callcore.settings import settings_from_dict
    from ui.ports import QueuesPort
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    app = build_app(settings_from_dict({"ami": {"host": "127.0.0.1", "port": 1},
                                        "station": {"id": "ws-q", "extension": "201"},
                                        "store": {"local_folder": str(tmp_path / "local")}}), AppMode.WINDOW)
    try:
        ports = ui_ports_for(app)
        assert isinstance(ports.queues, QueuesPort)
        ui = make_ui(ports)
        ui.start()
        entry = next(i for i in ui.window.menu_items("calls") if i["label"] == "Queues…")
        assert entry["accelerator"] == "Ctrl+Shift+Q"
        menu = ui.window.menus["calls"]
        menu.invoke(next(i for i in range(menu.index("end") + 1)
                         if menu.type(i) == "command" and menu.entrycget(i, "label") == "Queues…"))
        window = ui.queues.window
        assert window is not None and window.winfo_exists()
        assert window.summary.cget("text") == "No queues to show (none on the PBX, or none you may see)"
        window.destroy()
        root.focus_force()
        root.event_generate("<Control-Shift-Q>")
        assert wait_until(root, lambda: ui.queues.window is not None and ui.queues.window is not window
                          and ui.queues.window.winfo_exists(), 5, ui.pump)
        ui.queues.window.destroy()
    finally:
        app.close()
