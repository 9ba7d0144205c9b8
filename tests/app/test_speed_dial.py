"""Speed dial (OUT-5) over real stores: nine slots per user group, the station's group
from its user, a default group without one, refused numbers, and an entry set on one
workstation shown on another of the same group after sync."""
from __future__ import annotations

import pytest

from callcore.app import AppMode, build_app
from callcore.app.speed_dial import DEFAULT_GROUP, SpeedDialFeature
from callcore.records import Group, RecordError, User
from callcore.settings import settings_from_dict


def make_app(tmp_path, station: str, extension: str, user: str):
    return build_app(settings_from_dict({
        "ami": {"host": "127.0.0.1", "port": 1},
        "station": {"id": station, "extension": extension, "user": user},
        "store": {"shared_folder": str(tmp_path / "shared"), "local_folder": str(tmp_path / station)},
    }), AppMode.WINDOW)


@pytest.fixture
def app(tmp_path):
    made = make_app(tmp_path, "ws-201", "201", "Μαρία")
    yield made
    made.close()


def test_nine_slots_for_the_default_group_without_a_user(app):
    feature = app.speed_dial
    assert feature.group() == DEFAULT_GROUP
    assert [e.slot for e in feature.entries()] == list(range(1, 10))
    assert all(e.empty for e in feature.entries())
    feature.set_entry(3, "Αποθήκη Θεσσαλονίκης", "+30 2310 555 123")
    assert feature.number(3) == "+30 2310 555 123"
    assert feature.entries()[2].name == "Αποθήκη Θεσσαλονίκης"
    feature.set_entry(3, "", "")                                  # cleared
    assert feature.entries()[2].empty


def test_group_of_the_station_user_by_name_then_extension(app):
    store = app.store
    sales = store.groups.put(Group(name="Πωλήσεις"))
    support = store.groups.put(Group(name="Поддержка"))
    store.users.put(User(name="Μαρία", group_id=sales.id, extension="299"))
    store.users.put(User(name="Олег", group_id=support.id, extension="202"))
    assert app.speed_dial.group() == sales.id and app.speed_dial.group_name() == "Πωλήσεις"
    by_extension = SpeedDialFeature(store, user_name="", extension="202")
    assert by_extension.group() == support.id

    app.speed_dial.set_entry(1, "Κεντρικό", "2101234567")
    by_extension.set_entry(1, "Склад", "+7 495 765 4321")
    assert app.speed_dial.entries()[0].name == "Κεντρικό"         # each group its own
    assert by_extension.entries()[0].name == "Склад"
    assert store.office_settings.get(f"speed_dial:{sales.id}") is not None


def test_refused_entries(app):
    with pytest.raises(RecordError) as refused:
        app.speed_dial.set_entry(2, "Bad", "21O 555")
    assert refused.value.field == "number" and "letters" in str(refused.value)
    with pytest.raises(RecordError):
        app.speed_dial.set_entry(10, "Ten", "210")
    assert app.speed_dial.entries()[1].empty


def test_entries_reach_the_other_workstation_of_the_group(tmp_path):
    (tmp_path / "shared").mkdir()
    one = make_app(tmp_path, "ws-201", "201", "Μαρία")
    two = make_app(tmp_path, "ws-202", "202", "Jiří")
    try:
        one.speed_dial.set_entry(9, "Jiří Dvořák", "+420 602 111 222")
        one.store.sync_now()
        two.store.sync_now()
        assert two.speed_dial.entries()[8].number == "+420 602 111 222"
    finally:
        two.close()
        one.close()
