"""Presence (XFER-2): every extension with the users and directory colleagues on it and
the state the PBX reports, searchable by number or name, following the store and the hub.
Built by the real composition root on a real store; events published on its real hub."""
from __future__ import annotations

import threading

import pytest

from callcore.app import AppMode, build_app
from callcore.app.presence import matching, shown_state
from callcore.events import ConnectionStateChanged, ExtensionStateChanged
from callcore.records import Contact, Phone, User
from callcore.settings import settings_from_dict


@pytest.fixture
def app(tmp_path):
    settings = settings_from_dict({
        "ami": {"host": "127.0.0.1", "port": 1},
        "station": {"id": "ws-201", "extension": "201", "user": "Άννα"},
        "store": {"shared_folder": str(tmp_path / "shared"), "local_folder": str(tmp_path / "local")},
    })
    app = build_app(settings, AppMode.WINDOW)
    app.store.users.put(User(name="Μαρία Παπαδάκη", extension="202"))
    app.store.users.put(User(name="Без линии"))                       # no extension: no row
    app.store.contacts.put(Contact(name="Петра Новакова", type="internal",
                                   phones=[Phone("203"), Phone("+420 602 111 222", "mobile")]))
    app.store.contacts.put(Contact(name="Customer 204", type="customer", phones=[Phone("204")]))
    yield app
    app.close()


def states(app, query=""):
    return [(p.extension, p.name, p.state) for p in app.presence.entries(query)]


def test_every_extension_with_names_and_live_state(app):
    hub = app.hub
    for ext, state in (("201", "free"), ("202", "busy"), ("203", "ringing"), ("209", "offline"),
                       ("205", "onhold")):
        hub.publish(ExtensionStateChanged(ext, state))
    # not connected yet: nobody knows what the phones do
    assert {s for _e, _n, s in states(app)} == {"unknown"}
    hub.publish(ConnectionStateChanged("connected"))
    assert states(app) == [("201", "", "free"), ("202", "Μαρία Παπαδάκη", "busy"),
                           ("203", "Петра Новакова", "ringing"), ("205", "", "busy"),
                           ("209", "", "offline")]
    hub.publish(ExtensionStateChanged("202", "free"))
    hub.publish(ExtensionStateChanged("201", "free", paused=True))
    assert states(app)[:2] == [("201", "", "paused"), ("202", "Μαρία Παπαδάκη", "free")]
    hub.publish(ConnectionStateChanged("failing", "cut"))
    assert {s for _e, _n, s in states(app)} == {"unknown"}


def test_search_by_number_or_name_without_accents(app):
    app.hub.publish(ConnectionStateChanged("connected"))
    for ext in ("201", "202", "203", "220"):
        app.hub.publish(ExtensionStateChanged(ext, "free"))
    assert [e for e, _n, _s in states(app, "20")] == ["201", "202", "203"]
    assert [e for e, _n, _s in states(app, "202")] == ["202"]
    assert [e for e, _n, _s in states(app, "μαρια")] == ["202"]       # no tonos, lower case
    assert [e for e, _n, _s in states(app, "ПАП")] == []
    assert [e for e, _n, _s in states(app, "пет нов")] == ["203"]
    assert states(app, "nobody") == []


def test_store_changes_follow(app):
    app.presence.entries()                                  # names loaded
    user = next(u for u in app.store.users.all() if u.extension == "202")
    user.extension = "206"
    app.store.users.put(user)
    app.store.contacts.put(Contact(name="Jiří Dvořák", type="internal", phones=[Phone("207")]))
    assert app.presence.entries("jiri")[0].extension == "207"
    rows = {p.extension: p.name for p in app.presence.entries()}
    assert rows.get("206") == "Μαρία Παπαδάκη" and "202" not in rows
    app.store.users.delete(user.id)
    assert "206" not in {p.extension for p in app.presence.entries()}


def test_snapshot_is_safe_while_the_ami_thread_publishes(app):
    app.hub.publish(ConnectionStateChanged("connected"))
    stop = threading.Event()

    def ami_thread():
        n = 0
        while not stop.is_set():
            app.hub.publish(ExtensionStateChanged(str(300 + n % 200), ("free", "busy")[n % 2]))
            n += 1
    worker = threading.Thread(target=ami_thread)
    worker.start()
    try:
        for _ in range(200):
            rows = app.presence.entries()
            assert all(p.state in ("free", "busy", "unknown") for p in rows)
    finally:
        stop.set()
        worker.join()


def test_state_rules():
    assert shown_state("onhold", False, True) == "busy"
    assert shown_state("busy", True, True) == "busy"          # paused but on a call
    assert shown_state("free", True, True) == "paused"
    assert shown_state("", False, True) == "unknown"           # no hint: not a phone we know
    assert matching([], "x") == []
