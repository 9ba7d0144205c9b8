"""Signing in at the window (ROLE-1) and the line options it honours (ROLE-3), under Xvfb,
with a real store and the real SessionFeature behind the window's ports (the PBX is the
usual fake). Screenshots go to $SCREENSHOTS (default: the test's tmp folder)."""
from __future__ import annotations

import dataclasses
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from callcore.app.hub import EventHub
from callcore.app.session import SessionFeature, UsersFeature
from callcore.events import LegEnded
from callcore.settings import settings_from_dict
from callcore.store import Store
from callcore.users import LineOptions, UserAdmin
from tests.gui.conftest import wait_until
from tests.gui.fakes import Clock, FakeServices, ringing, sample_contacts
from ui.ports import PopupSettings, UiPorts


def shoot(root, name: str, tmp_path: Path) -> Path:
    """The whole screen (dialogs included) as the user would see it."""
    out = Path(os.environ.get("SCREENSHOTS") or tmp_path) / name
    out.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(5):
        root.update()
    subprocess.run(["import", "-window", "root", str(out)], check=True, timeout=30)
    return out


class Connection:
    def __init__(self):
        self.connects = 0

    def connect(self):
        self.connects += 1

    def disconnect(self):
        pass


@pytest.fixture
def office(tmp_path):
    (tmp_path / "shared").mkdir()
    store = Store.open(tmp_path / "local", tmp_path / "shared", "ws-201", background_sync=False)
    yield store
    store.close()


def make_session(store, tmp_path, passwords=True):
    settings = settings_from_dict({"station": {"extension": "201"}, "users": {"passwords": passwords}})
    return SessionFeature(store, EventHub(), settings, tmp_path / "config" / "session.json", extension="201")


def add_people(store):
    admin = UserAdmin(store)
    admin.add_user(None, "Δώρα Παπαδάκη", "director", "Διοίκηση", "200", password="dora-pw")
    admin.add_user(None, "Sue", "supervisor", "Sales", "202", password="sue-pw")
    admin.add_user(None, "Anna", "agent", "Sales", "201", password="anna-pw")


def window(make_ui, store, session, clock=None, seconds=30):
    services = FakeServices(extension="201", contacts=sample_contacts(),
                            popup_settings=PopupSettings(auto_close_seconds=seconds))
    connection = Connection()
    ports = dataclasses.replace(UiPorts.of(services), session=session, users=UsersFeature(store, session),
                                connection=connection)
    ui = make_ui(ports, notify_backend=None, **({"clock": clock} if clock else {}))   # toasts: visible
    quits = []
    ui.session_ui._on_quit = lambda: quits.append(True)     # the module's root must survive
    return ui, connection, quits


def test_without_users_the_window_works_as_before_and_says_so_once(make_ui, root, office, tmp_path):
    session = make_session(office, tmp_path)
    ui, connection, _quits = window(make_ui, office, session)
    ui.session_ui.begin()
    ui.session_ui.begin()
    assert ui.session_ui.dialog is None
    assert root.title() == "Operator console — extension 201"
    said = [t for t in ui.notifier.toasts if "No users defined" in t.title_text]
    assert len(said) == 1
    items = {i["label"]: i["state"] for i in ui.window.menu_items("user")}
    assert items["Sign out"] == "disabled" and items["Users…"] == "normal"


def test_sign_in_at_start_last_user_preselected_wrong_then_right_password(make_ui, root, office, tmp_path):
    add_people(office)
    make_session(office, tmp_path).sign_in("Sue", "sue-pw")          # remembered from last time
    session = make_session(office, tmp_path)
    ui, connection, quits = window(make_ui, office, session)
    ui.session_ui.begin()
    dialog = ui.session_ui.dialog
    assert dialog is not None and dialog.winfo_viewable()
    assert dialog.user_var.get() == "Sue"                              # last user preselected
    assert "nobody signed in" in root.title()
    assert connection.connects == 0                                   # not before sign-in
    dialog.password_var.set("wrong")
    dialog.sign_in_button.invoke()
    assert dialog.message.cget("text") == "Wrong password for Sue."
    assert dialog.password_var.get() == ""
    shoot(root, "sign-in-wrong-password.png", tmp_path)
    dialog.password_var.set("sue-pw")
    dialog.event_generate("<Return>")
    wait_until(root, lambda: dialog.closed)
    assert dialog.closed and session.current.name == "Sue"
    assert root.title() == "Operator console — extension 201 — Sue (supervisor, Sales)"
    assert "Sue (supervisor, Sales)" in ui.window.extension_label.cget("text")
    assert connection.connects == 1                                   # connect at sign-in (default on)
    assert quits == []
    shoot(root, "signed-in.png", tmp_path)


def test_user_option_signs_in_at_once_without_passwords(make_ui, root, office, tmp_path):
    add_people(office)
    UserAdmin(office).set_line_options(None, "201", LineOptions(connect_at_sign_in=False))
    session = make_session(office, tmp_path, passwords=False)
    ui, connection, _quits = window(make_ui, office, session)
    ui.session_ui.begin(preselect="anna")
    assert ui.session_ui.dialog is None
    assert session.current.name == "Anna"
    assert "Anna (agent, Sales)" in root.title()
    assert connection.connects == 0                                   # line set not to connect
    items = {i["label"]: i["state"] for i in ui.window.menu_items("user")}
    assert items["Users…"] == "disabled"                              # agents get no users screen


def test_user_option_with_passwords_only_preselects(make_ui, root, office, tmp_path):
    add_people(office)
    session = make_session(office, tmp_path)
    ui, _connection, _quits = window(make_ui, office, session)
    ui.session_ui.begin(preselect="Anna")
    assert ui.session_ui.dialog.user_var.get() == "Anna" and session.current is None
    assert "Password" in [w.cget("text") for w in ui.session_ui.dialog.winfo_children()[0].winfo_children()
                          if w.winfo_class() == "TLabel"]


def test_sign_out_asks_again_and_quit_without_anyone_closes(make_ui, root, office, tmp_path):
    add_people(office)
    session = make_session(office, tmp_path)
    session.sign_in("Anna", "anna-pw")
    ui, _connection, quits = window(make_ui, office, session)
    ui.session_ui.begin()
    ui.session_ui.dialog.password_var.set("anna-pw")
    ui.session_ui.dialog.submit()
    menu = ui.window.menus["user"]
    menu.invoke(0)                                                    # User › Sign out
    assert session.current is None and "nobody signed in" in root.title()
    dialog = ui.session_ui.dialog
    assert not dialog.closed and dialog.user_var.get() == "Anna"
    dialog.event_generate("<Escape>")
    wait_until(root, lambda: quits)
    assert quits == [True]                                           # nobody may use it signed out


def test_switch_user_keeps_the_window_when_cancelled(make_ui, root, office, tmp_path):
    add_people(office)
    session = make_session(office, tmp_path, passwords=False)
    ui, _connection, quits = window(make_ui, office, session)
    ui.session_ui.begin(preselect="Anna")
    ui.window.menus["user"].invoke(1)                                # Switch user…
    dialog = ui.session_ui.dialog
    dialog.cancel()
    assert quits == [] and session.current.name == "Anna"
    ui.window.menus["user"].invoke(1)
    ui.session_ui.dialog.user_var.set("Δώρα Παπαδάκη")
    ui.session_ui.dialog.submit()
    assert "Δώρα Παπαδάκη (director, Διοίκηση)" in root.title()


def _missed_call(ui, clock, leg_id):
    event = ringing(leg_id, "2101234567", at=clock.now)
    ui.ui_event(event)
    popup = ui.popups[leg_id]
    clock.now += timedelta(seconds=20)
    ui.ui_event(LegEnded(leg_id, event.call_id, "201", clock.now, "missed"))
    return popup


def test_line_options_missed_popups_stay_and_no_missed_notification(make_ui, root, office, tmp_path):
    add_people(office)
    session = make_session(office, tmp_path, passwords=False)
    clock = Clock()
    ui, _connection, _quits = window(make_ui, office, session, clock=clock, seconds=30)
    ui.session_ui.begin(preselect="Anna")
    # defaults: a missed call's popup closes by itself and the user is notified
    popup = _missed_call(ui, clock, "L1")
    assert popup.auto_close_text.startswith("Closes by itself in 30 s")
    assert any("Missed" in t.title_text for t in ui.notifier.toasts)
    clock.now += timedelta(seconds=30)
    ui.refresh_counters()
    assert "L1" not in ui.popups
    for toast in list(ui.notifier.toasts):
        toast.dismiss()
    # the line set to keep missed popups and not to notify
    UserAdmin(office).set_line_options(None, "201", LineOptions(auto_close_missed=False, notify_missed=False))
    popup = _missed_call(ui, clock, "L2")
    assert popup.auto_close_text == ""
    assert not [t for t in ui.notifier.toasts if "Missed" in t.title_text]
    clock.now += timedelta(seconds=600)
    ui.refresh_counters()
    assert "L2" in ui.popups and popup.winfo_exists()


# ---------------------------------------------------------------- the real program

def _window_names(display: str) -> list[str]:
    found = subprocess.run(["xdotool", "search", "--name", "."], capture_output=True, text=True,
                           env={**os.environ, "DISPLAY": display})
    names = []
    for wid in found.stdout.split():
        name = subprocess.run(["xdotool", "getwindowname", wid], capture_output=True, text=True,
                              env={**os.environ, "DISPLAY": display}).stdout.strip()
        names.append(name)
    return names


def _start_program(tmp_path: Path, display: str, passwords: bool, *args: str):
    import json
    import sys
    import time
    root_dir = Path(__file__).resolve().parents[2]
    (tmp_path / "shared").mkdir(exist_ok=True)
    settings = tmp_path / "office.json"
    settings.write_text(json.dumps({
        "ami": {"host": "127.0.0.1", "port": 1, "username": "x"},
        "station": {"id": "ws-201", "extension": "201"},
        "store": {"local_folder": "local", "shared_folder": "shared"},
        "users": {"passwords": passwords}}), encoding="utf-8")
    env = {**os.environ, "DISPLAY": display, "OPERATOR_APP_INSTANCE_DIR": str(tmp_path / "instance"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    program = [sys.executable, str(root_dir / "operator_app.py"), "--settings", str(settings)]
    for name, role in (("Anna", "agent"), ("Δώρα", "director")):
        added = subprocess.run([*program, "users", "add", "--name", name, "--role", role, "--group", "Sales",
                                "--password-stdin"], input=f"{name}-pw\n", capture_output=True, text=True,
                               env=env, timeout=60)
        assert added.returncode == 0, added.stderr
    proc = subprocess.Popen([*program, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def wait_for(predicate, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            names = _window_names(display)
            if predicate(names):
                return names
            if proc.poll() is not None:
                break
            time.sleep(0.2)
        return _window_names(display)
    return proc, wait_for


def _stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_program_with_user_and_passwords_off_signs_in_without_a_dialog(display, tmp_path):
    proc, wait_for = _start_program(tmp_path, display, False, "--user", "Anna")
    try:
        names = wait_for(lambda ns: any("Anna (agent, Sales)" in n for n in ns))
        assert "Operator console — extension 201 — Anna (agent, Sales)" in names, names
        assert "Sign in" not in names
    finally:
        _stop(proc)


def test_program_with_passwords_asks_first_and_preselects_the_user(display, tmp_path):
    proc, wait_for = _start_program(tmp_path, display, True, "--user", "Δώρα")
    try:
        names = wait_for(lambda ns: "Sign in" in ns)
        assert "Sign in" in names, names
        assert "Operator console — extension 201 — nobody signed in" in names
    finally:
        _stop(proc)
