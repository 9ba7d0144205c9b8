"""SessionFeature / UsersFeature (ROLE-1) in a real window-mode app: sign in and out with
events, wrong passwords refused, users.passwords off, the last user remembered in the
per-user config folder (not the shared folder), the call log stamped with who is signed in,
and the users screen acting as the signed-in user."""
from __future__ import annotations

import json

import pytest

from callcore.app import AppMode, build_app
from callcore.app.session import SignInError
from callcore.events import UserSignedIn, UserSignedOut
from callcore.roles import PermissionDenied
from callcore.settings import settings_from_dict
from callcore.users import UserAdmin


def make_settings(tmp_path, passwords=True):
    return settings_from_dict({
        "ami": {"host": "127.0.0.1", "port": 1},
        "station": {"id": "ws-201", "extension": "201", "user": "desk"},
        "store": {"shared_folder": str(tmp_path / "shared"), "local_folder": str(tmp_path / "local")},
        "users": {"passwords": passwords},
    })


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def open_app(tmp_path, passwords=True):
    (tmp_path / "shared").mkdir(exist_ok=True)
    return build_app(make_settings(tmp_path, passwords), AppMode.WINDOW)


def add_people(app):
    admin = UserAdmin(app.store)
    admin.add_user(None, "Dora", "director", "Board", "200", password="dora-pw")
    admin.add_user(None, "Sue", "supervisor", "Sales", "202", password="sue-pw")
    admin.add_user(None, "Anna", "agent", "Sales", "201", password="anna-pw")


def test_without_users_nobody_signs_in_and_nothing_is_restricted(tmp_path, config_home):
    app = open_app(tmp_path)
    try:
        assert not app.session.has_users()
        assert app.session.current is None and app.session.actor() is None
        assert app.call_log.user == "desk"
        app.users.add_user("Dora", "director", "Board")       # the first user needs nobody
    finally:
        app.close()


def test_sign_in_out_events_password_and_call_log_user(tmp_path, config_home):
    app = open_app(tmp_path)
    seen = []
    app.hub.subscribe(UserSignedIn, seen.append)
    app.hub.subscribe(UserSignedOut, seen.append)
    try:
        add_people(app)
        with pytest.raises(PermissionDenied, match="sign in first"):
            app.session.actor()
        with pytest.raises(SignInError, match="Wrong password for Anna"):
            app.session.sign_in("Anna", "nope")
        with pytest.raises(SignInError, match="no user called Zoe"):
            app.session.sign_in("Zoe", "x")
        assert app.session.current is None and seen == []
        user = app.session.sign_in(" anna ", "anna-pw")
        assert app.session.current.name == "Anna" and seen == [UserSignedIn(user.id, "Anna")]
        assert app.call_log.user == "Anna" and app.transfer.user_name == "Anna"
        assert app.session.scope() == "own" and app.session.group_name() == "Sales"
        app.session.sign_in("Dora", "dora-pw")                   # switch user
        assert seen[1:] == [UserSignedOut(), UserSignedIn(app.session.current.id, "Dora")]
        app.session.sign_out()
        assert seen[-1] == UserSignedOut() and app.session.current is None
        assert app.call_log.user == "desk"
    finally:
        app.close()


def test_passwords_off_only_picks_the_user(tmp_path, config_home):
    app = open_app(tmp_path, passwords=False)
    try:
        add_people(app)
        assert app.session.sign_in("Anna").name == "Anna"
        assert app.session.sign_in("Sue", "wrong").name == "Sue"
    finally:
        app.close()


def test_last_user_is_remembered_per_workstation_not_in_the_shared_folder(tmp_path, config_home):
    app = open_app(tmp_path)
    try:
        add_people(app)
        assert app.session.last_user() == ""
        app.session.sign_in("Sue", "sue-pw")
    finally:
        app.close()
    found = list(config_home.rglob("session.json"))
    assert len(found) == 1, found
    assert json.loads(found[0].read_text(encoding="utf-8"))["last_user"] == "Sue"
    assert not [p for p in (tmp_path / "shared").rglob("*") if "session" in p.name]
    assert "sue-pw" not in found[0].read_text(encoding="utf-8")
    again = open_app(tmp_path)
    try:
        assert again.session.last_user() == "Sue" and again.session.current is None
        assert again.session.first_time("no_users") and not again.session.first_time("no_users")
        assert again.session.last_user() == "Sue"
    finally:
        again.close()


def test_users_screen_acts_as_the_signed_in_user(tmp_path, config_home):
    app = open_app(tmp_path)
    try:
        add_people(app)
        app.session.sign_in("Anna", "anna-pw")
        assert not app.users.may_manage()
        with pytest.raises(PermissionDenied, match="Anna .agent. may not add"):
            app.users.add_user("Bob", "agent", "Sales")
        app.session.sign_in("Sue", "sue-pw")
        assert app.users.may_manage()
        app.users.add_user("Bob", "agent", "", "203", "bob-pw")
        rows = {r["name"]: r for r in app.users.rows()}
        assert rows["Bob"] == {"id": rows["Bob"]["id"], "name": "Bob", "role": "agent", "group": "Sales",
                               "extension": "203"}
        with pytest.raises(PermissionDenied):
            app.users.update_user(rows["Dora"]["id"], extension="209")
        app.session.sign_in("Bob", "bob-pw")                     # the new user can sign in
    finally:
        app.close()


def test_a_role_change_applies_to_the_signed_in_user_at_once(tmp_path, config_home):
    app = open_app(tmp_path)
    try:
        add_people(app)
        app.session.sign_in("Anna", "anna-pw")
        anna = app.session.current
        UserAdmin(app.store).update_user(None, anna.id, role="supervisor")
        assert app.session.current.role == "supervisor" and app.session.scope() == "group"
    finally:
        app.close()


def _call(n: int, extension: str):
    from callcore.records import CallRecord
    return CallRecord(id=f"call-{n}", linkedid=f"1700000000.{n}", direction="in", status="missed",
                      started_at="2026-11-29T10:00:00+00:00", caller_number="2101234567", extension=extension)


def test_a_line_set_not_to_log_while_signed_out_is_logged_only_when_signed_in(tmp_path, config_home):
    """ROLE-3. Barrier: the writer is one FIFO thread and the decision is taken when the
    call is published, so once a later wanted call is written, an earlier one was dropped."""
    import threading
    from callcore.events import CallLogged
    from callcore.users import LineOptions
    (tmp_path / "shared").mkdir(exist_ok=True)
    written = []
    done = threading.Condition()

    def on_written(record, ok):
        with done:
            written.append(record.id)
            done.notify_all()

    def publish_and_wait(hub, *records):
        for record in records:
            hub.publish(CallLogged(record))
        with done:
            assert done.wait_for(lambda: records[-1].id in written, timeout=20)

    app = build_app(make_settings(tmp_path), AppMode.WINDOW, on_call_written=on_written)
    try:
        add_people(app)
        admin = UserAdmin(app.store)
        admin.set_line_options(None, "201", LineOptions(log_when_signed_out=False))
        admin.set_line_options(None, "202", LineOptions(log_when_signed_out=False))
        # nobody signed in: this line's call is dropped; a line with default options is logged
        publish_and_wait(app.hub, _call(1, "201"), _call(2, "203"))
        app.session.sign_in("Anna", "anna-pw")
        # signed in: logged, stamped with her; 202's own workstation decides for 202, not us
        publish_and_wait(app.hub, _call(3, "202"), _call(4, "201"))
        assert written == ["call-2", "call-4"]
        assert app.store.calls.get("call-1") is None and app.store.calls.get("call-3") is None
        assert app.store.calls.get("call-4").user == "Anna"
    finally:
        app.close()


def test_only_a_director_switches_passwords_off_in_the_settings_dialog(tmp_path, config_home):
    """Else an agent could turn passwords off and sign in as a director at the next start."""
    from operator_app import ui_ports_for
    app = open_app(tmp_path)
    try:
        add_people(app)
        port = ui_ports_for(app).settings
        values = port.settings_values()
        values["users"]["passwords"] = False
        app.session.sign_in("Anna", "anna-pw")
        with pytest.raises(ValueError, match=r"^Anna \(agent\) may not switch passwords off: only a director may\.$"):
            port.save_settings(values)
        assert not list(config_home.rglob("settings.json"))            # nothing written
        values["users"]["passwords"] = True
        values["popup"]["auto_close_seconds"] = 45                       # other settings: anyone
        port.save_settings(values)
        values["users"]["passwords"] = False
        app.session.sign_in("Dora", "dora-pw")
        port.save_settings(values)
        saved = json.loads(next(config_home.rglob("settings.json")).read_text(encoding="utf-8"))
        assert saved["users"]["passwords"] is False
    finally:
        app.close()


def test_private_notes_follow_the_role_rules_in_recent_calls(tmp_path, config_home):
    """ROLE-2 with users.private_notes on: the popup's and the contact card's recent calls
    show another user's notes only to who may change that user's calls."""
    from operator_app import ui_ports_for
    from callcore.records import CallRecord
    (tmp_path / "shared").mkdir(exist_ok=True)
    settings = make_settings(tmp_path)
    settings.data["users"]["private_notes"] = True
    app = build_app(settings, AppMode.WINDOW)
    try:
        add_people(app)
        UserAdmin(app.store).add_user(None, "Carl", "agent", "Support", "301")
        for n, user in enumerate(("Anna", "Sue", "Carl", "")):
            app.store.calls.add(CallRecord(
                id=f"c{n}", linkedid=f"1700000000.{n}", direction="in", status="answered",
                started_at=f"2026-11-29T10:0{n}:00+00:00", caller_number="2101234567", user=user,
                notes=f"notes by {user or 'nobody'}"))
        calls = ui_ports_for(app).calls

        def notes_seen():
            return {r.user: r.notes for r in calls.recent_calls("2101234567", 10)}
        app.session.sign_in("Anna", "anna-pw")
        assert notes_seen() == {"Anna": "notes by Anna", "Sue": "", "Carl": "", "": "notes by nobody"}
        app.session.sign_in("Sue", "sue-pw")
        assert notes_seen() == {"Anna": "notes by Anna", "Sue": "notes by Sue", "Carl": "", "": "notes by nobody"}
        app.session.sign_in("Dora", "dora-pw")
        assert set(notes_seen().values()) == {"notes by Anna", "notes by Sue", "notes by Carl", "notes by nobody"}
        app.session.sign_out()
        assert notes_seen()["Anna"] == ""                       # signed out: nobody's but the unowned
        settings.data["users"]["private_notes"] = False          # the setting off: everyone sees all
        app.session.sign_in("Anna", "anna-pw")
        assert notes_seen()["Carl"] == "notes by Carl"
    finally:
        app.close()
