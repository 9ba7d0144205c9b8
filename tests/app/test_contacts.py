"""ContactsFeature (DIR-1..3, POP-3, CON-5) over real stores: save/validate/delete, adding
a caller's number (replace or keep both), a contact's calls over all its phones, search
with a type filter in Greek/Cyrillic/Czech, and an edit on one workstation found by search
on another after sync (two real stores on one shared folder)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from callcore.app import AppMode, build_app
from callcore.records import CallRecord, Contact, Phone, RecordError
from callcore.settings import settings_from_dict


def make_settings(tmp_path, station: str, extension: str, shared=None):
    return settings_from_dict({
        "ami": {"host": "127.0.0.1", "port": 1},
        "station": {"id": station, "extension": extension, "user": "Μαρία"},
        "store": {"shared_folder": str(shared or tmp_path / "shared"),
                  "local_folder": str(tmp_path / station)},
    })


@pytest.fixture
def app(tmp_path):
    made = build_app(make_settings(tmp_path, "ws-201", "201"), AppMode.WINDOW)
    made.directory.ready.wait(10)
    yield made
    made.close()


def test_save_validates_and_the_directory_finds_it_at_once(app):
    contacts = app.contacts
    with pytest.raises(RecordError) as refused:
        contacts.save(Contact(name="   ", type="customer"))
    assert refused.value.field == "name"
    with pytest.raises(RecordError) as refused:
        contacts.save(Contact(name="Jiří Dvořák", phones=[Phone("tel. --", "work")]))
    assert refused.value.field == "phones[0].number"
    assert len(app.store.contacts) == 0                      # nothing half-valid written

    saved = contacts.save(Contact(name=" Jiří Dvořák ", type="supplier", city="Brno",
                                  phones=[Phone("+420 602 111 222", "mobile"), Phone("  ", "work")]))
    assert saved.name == "Jiří Dvořák" and [p.number for p in saved.phones] == ["+420 602 111 222"]
    assert contacts.get(saved.id).city == "Brno"
    assert [c.id for c in contacts.search("jiri dvorak")] == [saved.id]   # accents/case ignored
    assert [m.contact.id for m in app.directory.lookup("00420602111222")] == [saved.id]

    contacts.delete(saved.id)
    assert contacts.get(saved.id) is None and contacts.search("dvorak") == []


@pytest.mark.parametrize("small_kind", [5000, 0], ids=["scan-the-type", "walk-the-ranked-hits"])
def test_search_with_a_type_filter_in_every_script(app, monkeypatch, small_kind):
    """Both ways a type filter searches give the same answers."""
    import callcore.app.contacts as feature_module
    monkeypatch.setattr(feature_module, "_SMALL_KIND", small_kind)
    contacts = app.contacts
    people = [Contact(name="Γιώργος Παπαδόπουλος", type="customer"),
              Contact(name="Γεώργιος Παπαδάκης", type="supplier"),
              Contact(name="Мария Иванова", type="contact_person", company="Έπιπλα Α.Ε."),
              Contact(name="Мария Петрова", type="other"),
              Contact(name="Růžena Nováková", type="internal", phones=[Phone("204", "work")]),
              Contact(name="Ruzena Novak", type="customer")]
    for person in people:
        contacts.save(person)
    names = lambda found: sorted(c.name for c in found)  # noqa: E731
    assert names(contacts.search("ΠΑΠΑΔ")) == ["Γεώργιος Παπαδάκης", "Γιώργος Παπαδόπουλος"]
    assert names(contacts.search("παπαδ", "supplier")) == ["Γεώργιος Παπαδάκης"]
    assert names(contacts.search("мария", "other")) == ["Мария Петрова"]
    assert names(contacts.search("ruzena", "internal")) == ["Růžena Nováková"]
    assert names(contacts.search("204", "internal")) == ["Růžena Nováková"]       # a phone
    assert names(contacts.search("έπιπλα", "contact_person")) == ["Мария Иванова"]  # company
    assert names(contacts.search("", "internal")) == ["Růžena Nováková"]    # list one type
    assert contacts.search("") == []
    with pytest.raises(ValueError):
        contacts.search("x", "friends")


@pytest.mark.parametrize("small_kind", [5000, 0], ids=["scan-the-type", "walk-the-ranked-hits"])
def test_type_filter_finds_a_rare_type_behind_many_others(app, monkeypatch, small_kind):
    """The filter keeps asking the directory for more until it has enough (not the first 50
    hits only)."""
    import callcore.app.contacts as feature_module
    monkeypatch.setattr(feature_module, "_SMALL_KIND", small_kind)
    for i in range(300):
        app.contacts.save(Contact(name=f"Novák {i:03d}", type="customer"))
    wanted = app.contacts.save(Contact(name="Novák Zdeněk", type="supplier"))
    assert [c.id for c in app.contacts.search("novak", "supplier")] == [wanted.id]


def test_add_phone_keeps_both_or_replaces_the_chosen_one(app):
    contacts = app.contacts
    person = contacts.save(Contact(name="Анна Смирнова", type="other",
                                   phones=[Phone("+7 495 765 4321", "mobile"), Phone("2101111111", "work")]))
    both = contacts.add_phone(person.id, "6945 123 456", "mobile")
    assert [(p.number, p.label) for p in both.phones] == [
        ("+7 495 765 4321", "mobile"), ("2101111111", "work"), ("6945 123 456", "mobile")]
    replaced = contacts.add_phone(person.id, "6977000000", "work", replace_number="2101111111")
    assert [(p.number, p.label) for p in replaced.phones] == [
        ("+7 495 765 4321", "mobile"), ("6977000000", "work"), ("6945 123 456", "mobile")]
    again = contacts.add_phone(person.id, "6945123456", "home")     # already there: no copy
    assert [(p.number, p.label) for p in again.phones][-1] == ("6945 123 456", "home")
    assert len(again.phones) == 3
    assert [m.contact.id for m in app.directory.lookup("6977000000")] == [person.id]
    with pytest.raises(RecordError):
        contacts.add_phone(person.id, "6900000000", "pager")
    with pytest.raises(RecordError):
        contacts.add_phone("no-such-id", "6900000000", "work")


def test_recent_calls_over_all_phones_newest_first(app):
    person = app.contacts.save(Contact(name="Γιώργος Μανουσάκης", type="customer",
                                       phones=[Phone("+30 210 123 4567", "work"),
                                               Phone("6945123456", "mobile")]))
    colleague = app.contacts.save(Contact(name="Петра", type="internal", phones=[Phone("204", "work")]))
    now = datetime.now(timezone.utc)

    def call(i, **kw):
        base = dict(id=f"c{i}", linkedid=f"l{i}", direction="in", status="answered",
                    started_at=(now - timedelta(hours=i)).isoformat(), extension="201")
        base.update(kw)
        app.store.calls.add(CallRecord(**base))
    call(1, caller_number="6945123456")
    call(2, direction="out", called_number="00302101234567", status="unanswered")
    call(3, caller_number="2101234567", status="missed")
    call(4, caller_number="2109999999")                       # someone else
    call(5, direction="internal", caller_number="204")
    call(6, caller_number="2105550204")                       # ends in 204 but is not 204
    assert [r.id for r in app.contacts.recent_calls(person.id)] == ["c1", "c2", "c3"]
    assert [r.id for r in app.contacts.recent_calls(person.id, limit=2)] == ["c1", "c2"]
    assert [r.id for r in app.contacts.recent_calls(colleague.id)] == ["c5"]
    assert app.contacts.recent_calls("gone") == []


def test_a_contact_saved_on_one_station_is_found_on_another_after_sync(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    one = build_app(make_settings(tmp_path, "ws-201", "201", shared), AppMode.WINDOW)
    two = build_app(make_settings(tmp_path, "ws-202", "202", shared), AppMode.WINDOW)
    try:
        one.directory.ready.wait(10)
        two.directory.ready.wait(10)
        assert two.contacts.search("", "supplier") == []          # the type list is built now
        saved = one.contacts.save(Contact(name="Ελένη Κωνσταντίνου", type="supplier",
                                          phones=[Phone("2310 555 123", "work")]))
        one.store.sync_now()
        two.store.sync_now()
        assert [c.id for c in two.contacts.search("ελενη", "supplier")] == [saved.id]
        assert [m.contact.id for m in two.directory.lookup("2310555123")] == [saved.id]
        assert [c.id for c in two.contacts.search("", "supplier")] == [saved.id]   # followed the merge
        # an edit on the second station reaches the first one the same way
        edited = two.contacts.get(saved.id)
        edited.name = "Ελένη Κωνσταντινίδου"
        two.contacts.save(edited)
        two.store.sync_now()
        one.store.sync_now()
        assert [c.name for c in one.contacts.search("κωνσταντινιδ")] == ["Ελένη Κωνσταντινίδου"]
        two.contacts.delete(saved.id)
        two.store.sync_now()
        one.store.sync_now()
        assert one.contacts.search("ελενη") == []
    finally:
        two.close()
        one.close()


def test_listing_a_type_follows_every_change(app):
    """A type listed with nothing typed (name order, accents ignored) stays right after
    adds, renames, type changes and deletes."""
    contacts = app.contacts
    ela = contacts.save(Contact(name="Ελένη Αλεξίου", type="supplier"))
    contacts.save(Contact(name="Άγγελος Βλάχος", type="supplier"))
    contacts.save(Contact(name="Jiří Dvořák", type="customer"))
    names = lambda: [c.name for c in contacts.search("", "supplier")]  # noqa: E731
    assert names() == ["Άγγελος Βλάχος", "Ελένη Αλεξίου"]           # Ά sorts as Α
    zeta = contacts.save(Contact(name="Ζωή Ζαχαρίου", type="supplier"))
    assert names() == ["Άγγελος Βλάχος", "Ελένη Αλεξίου", "Ζωή Ζαχαρίου"]
    ela.name = "Ωραιοζήλη Αλεξίου"
    contacts.save(ela)
    assert names() == ["Άγγελος Βλάχος", "Ζωή Ζαχαρίου", "Ωραιοζήλη Αλεξίου"]
    zeta.type = "customer"
    contacts.save(zeta)
    assert names() == ["Άγγελος Βλάχος", "Ωραιοζήλη Αλεξίου"]
    assert [c.name for c in contacts.search("", "customer")] == ["Jiří Dvořák", "Ζωή Ζαχαρίου"]
    contacts.delete(ela.id)
    assert names() == ["Άγγελος Βλάχος"]
    assert [c.name for c in contacts.search("", "supplier", limit=0)] == []
