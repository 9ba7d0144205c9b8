"""The contact card and "add this number to a contact" (DIR-1..3, POP-3, CON-5) under Xvfb
with a fake ContactsPort: every field shown and saved, validation next to the field with
nothing lost, phones added/removed and called, recent calls loaded off the Tk thread with
Call back on missed ones, Esc asking about unsaved changes, and the replace-or-keep rule."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from callcore.app.hub import EventHub
from callcore.events import StoreChanged
from callcore.records import RecordError
from tests.gui.conftest import wait_until
from tests.gui.contacts_fake import FakeContacts, FakeDial, contact_calls, directory_people
from ui.contact_card import AddNumberDialog, ContactCard
from ui.pump import EventPump


def xdotool(*args: str) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    subprocess.run(["xdotool", *args], check=True)


@pytest.fixture
def people():
    return directory_people()


@pytest.fixture
def port(people):
    return FakeContacts(people, calls={people[0].id: contact_calls()})


@pytest.fixture
def dial():
    return FakeDial()


@pytest.fixture
def pump(root):
    made = EventPump(root, lambda _e: None)
    yield made
    made.drain()


@pytest.fixture
def answers():
    return []


@pytest.fixture
def make_card(root, port, dial, pump, answers):
    made = []

    def confirm(_master, title, message):
        answers.append((title, message))
        return answers_to_give.pop(0) if answers_to_give else True
    answers_to_give: list[bool] = []

    def make(**kwargs):
        card = ContactCard(root, contacts=port, dial=dial, confirm=confirm,
                           background=lambda work, done: pump.run_in_background(work, done, name="card-calls"),
                           **kwargs)
        card.geometry("+30+30")
        card.answers_to_give = answers_to_give
        made.append(card)
        return card
    yield make
    for card in made:
        card.close()


def test_existing_contact_shows_every_field_phones_and_recent_calls(make_card, root, people, port, pump, dial):
    person = people[0]
    card = make_card(contact_id=person.id)
    assert card.title() == "Contact — Γιώργος Παπαδόπουλος"
    values = {name: var.get() for name, var in card.field_vars.items()}
    assert values == {"name": "Γιώργος Παπαδόπουλος", "short_name": "", "first_name": "Γιώργος",
                      "last_name": "Παπαδόπουλος", "company": "Παπαδόπουλος & Υιοί Ο.Ε.",
                      "email": "g.papadopoulos@example.gr", "address": "Λεωφ. Κηφισίας 124",
                      "area": "", "city": "Αθήνα", "postcode": "115 26"}
    assert card.type_var.get() == "Customer" and card.popup_var.get() is True
    assert [(r.label, r.number) for r in card.phone_rows] == [("work", "+30 210 123 4567"),
                                                              ("mobile", "+30 694 512 3456")]
    assert wait_until(root, lambda: root.focus_get() is card.field_entries["name"])
    assert wait_until(root, lambda: len(card.recent_rows) == 4, pump=pump)
    assert port.recent_threads == ["card-calls"]                  # read off the Tk thread
    buttons = [str(button.cget("text")) for _record, button in card.recent_rows]
    assert buttons == ["Call", "Call back", "Call back", "Call"]   # missed/unanswered: call back
    card.recent_rows[1][1].invoke()
    card.recent_rows[2][1].invoke()                               # outgoing: the number dialled
    card.phone_rows[1].call_button.invoke()
    assert dial.dialled == ["6945123456", "00302101234567", "+30 694 512 3456"]


def test_new_contact_from_a_number_saved_with_ctrl_s(make_card, root, port, pump):
    card = make_card(number="6977 123 456", label="mobile")
    assert card.title() == "New contact"
    assert [(r.label, r.number) for r in card.phone_rows] == [("mobile", "6977 123 456")]
    assert not card.delete_button.winfo_manager() and card.recent_text == "No calls yet"
    card.field_vars["name"].set("Jiří Novotný")
    card.field_vars["city"].set("Praha")
    card.type_var.set("Supplier")
    card.comments.insert("1.0", "Dodává kancelářské židle")
    card.popup_var.set(False)
    card.field_entries["name"].focus_force()
    xdotool("key", "ctrl+s")
    assert wait_until(root, lambda: card.title() == "Contact — Jiří Novotný")
    saved = next(c for c in port.contacts.values() if c.name == "Jiří Novotný")
    assert (saved.type, saved.city, saved.comments, saved.popup_priority) == (
        "supplier", "Praha", "Dodává kancelářské židle", 0)
    assert [(p.number, p.label) for p in saved.phones] == [("6977 123 456", "mobile")]
    assert card.delete_button.winfo_manager() and "Saved" in card.message_text
    assert [c.name for c in port.search("novotny")] == ["Jiří Novotný"]


def test_validation_is_shown_next_to_the_field_and_nothing_is_lost(make_card, root, port):
    card = make_card(number="2101234567")
    card.field_vars["city"].set("Θεσσαλονίκη")
    assert card.save() is False
    assert card.field_error("name") == "is required"
    assert wait_until(root, lambda: root.focus_get() is card.field_entries["name"])
    assert card.field_vars["city"].get() == "Θεσσαλονίκη" and card.title() == "New contact"
    card.field_vars["name"].set("Σοφία Αλεξίου")
    row = card.add_phone("ext. --", "work")
    assert card.save() is False
    assert str(row.error.cget("text")).startswith("has no digits")
    assert card.field_error("name") == ""
    assert wait_until(root, lambda: root.focus_get() is row.entry)
    row.number_var.set("2310 222 333")
    assert card.save() is True
    port.refuse_with = OSError("No space left on device")
    card.field_vars["area"].set("Καλαμαριά")
    assert card.save() is False
    assert "No space left on device" in card.message_text and card.field_vars["area"].get() == "Καλαμαριά"


def test_phone_rows_added_and_removed(make_card, root, people, port):
    card = make_card(contact_id=people[3].id)
    assert wait_until(root, lambda: root.focus_get() is card.field_entries["name"])
    xdotool("key", "ctrl+p")
    assert wait_until(root, lambda: len(card.phone_rows) == 2)
    assert card.phone_rows[1].label == "work"                    # mobile taken: next free label
    assert wait_until(root, lambda: root.focus_get() is card.phone_rows[1].entry)
    xdotool("type", "--delay", "15", "2105550100")
    assert wait_until(root, lambda: card.phone_rows[1].number == "2105550100")
    card.phone_rows[0].remove_button.invoke()
    assert card.save()
    assert [(p.number, p.label) for p in port.contacts[people[3].id].phones] == [("2105550100", "work")]


def test_escape_asks_when_unsaved_and_keeps_the_card_when_told_no(make_card, root, answers):
    card = make_card(number="2101234567")
    assert wait_until(root, lambda: root.focus_get() is card.field_entries["name"])
    xdotool("key", "Escape")                                     # nothing typed: just closes
    assert wait_until(root, lambda: card.closed) and answers == []
    card = make_card(number="2101234567")
    card.field_vars["name"].set("Ελένη")
    card.answers_to_give.append(False)
    assert wait_until(root, lambda: root.focus_get() is card.field_entries["name"])
    xdotool("key", "Escape")
    assert wait_until(root, lambda: len(answers) == 1)
    assert answers[0][0] == "Unsaved changes" and not card.closed
    card.answers_to_give.append(True)
    card.escape()
    assert card.closed


def test_delete_asks_then_deletes(make_card, root, people, port, answers):
    card = make_card(contact_id=people[4].id)
    card.answers_to_give.append(False)
    assert wait_until(root, lambda: root.focus_get() is card.field_entries["name"])
    xdotool("key", "ctrl+Delete")
    assert wait_until(root, lambda: len(answers) == 1)
    assert "Jiří Dvořák" in answers[0][1] and not card.closed
    assert not any(a[0] == "delete" for a in port.asked)
    card.answers_to_give.append(True)
    card.delete_button.invoke()
    assert ("delete", people[4].id) in port.asked and card.closed


def test_edit_from_another_workstation_is_shown_unless_editing(root, port, people, dial, pump):
    hub = EventHub()
    card = ContactCard(root, contacts=port, dial=dial, contact_id=people[1].id,
                       subscribe=lambda kind, handler: hub.subscribe(kind, handler))
    try:
        changed = port.get(people[1].id)
        changed.city = "Πάτρα"
        port.save(changed)
        hub.publish(StoreChanged("contacts", frozenset({people[1].id}), "remote"))
        assert card.field_vars["city"].get() == "Πάτρα" and not card.dirty
        card.field_vars["area"].set("Κέντρο")
        hub.publish(StoreChanged("contacts", frozenset({people[1].id}), "remote"))
        assert card.field_vars["area"].get() == "Κέντρο" and "another workstation" in card.message_text
    finally:
        card.close()


def test_add_number_keeps_both_unless_a_phone_is_chosen_to_replace(root, port, people):
    person = people[0]                                           # has a work and a mobile phone
    added = []
    dialog = AddNumberDialog(root, contacts=port, contact=person, number="6999 000 111",
                             on_added=added.append)
    assert dialog.title() == "Add 6999 000 111 to Γιώργος Παπαδόπουλος"
    assert dialog.label == "home"                                # a free label first
    assert dialog.same_label() == []
    dialog.label_var.set("mobile")                               # taken: ask
    texts = [str(w.cget("text")) for w in dialog.choices.winfo_children()]
    assert texts == ["Γιώργος Παπαδόπουλος already has a mobile number:", "Keep both",
                     "Replace +30 694 512 3456"]
    assert dialog.keep_var.get() == ""                           # keep both preselected
    dialog.keep_var.set("+30 694 512 3456")
    dialog.add()
    assert port.asked[-2] == ("add_phone", person.id, "6999 000 111", "mobile", "+30 694 512 3456")
    assert [p.number for p in added[0].phones] == ["+30 210 123 4567", "6999 000 111"]

    again = AddNumberDialog(root, contacts=port, contact=port.get(person.id), number="2100000000")
    again.label_var.set("work")
    assert wait_until(root, lambda: root.focus_get() is again.label_box)
    xdotool("key", "Return")
    assert wait_until(root, lambda: again.closed)
    assert [p.number for p in port.get(person.id).phones] == ["+30 210 123 4567", "6999 000 111",
                                                              "2100000000"]


def test_add_number_refused_is_shown(root, port, people):
    port.refuse_with = RecordError("Contact", "phones[2].number", "has no digits: '--'")
    dialog = AddNumberDialog(root, contacts=port, contact=people[3], number="--")
    try:
        assert dialog.add() is None and not dialog.closed
        assert "has no digits" in str(dialog.error_label.cget("text"))
    finally:
        dialog.close()


def test_real_store_card_saves_and_the_directory_and_popup_find_it(make_ui, root, tmp_path):
    """The window wired to the real application (real store, real directory and features
    through operator_app.ui_ports_for): a contact made in the card is found by the
    directory window, rings up by name in a popup, and its Call goes to the dial feature."""
    from callcore.app import AppMode, build_app
    from callcore.settings import settings_from_dict
    from operator_app import ui_ports_for
    from tests.gui.fakes import ringing
    from ui.ports import ContactsPort, DialPadPort, SpeedDialPort

    settings = settings_from_dict({
        "ami": {"host": "127.0.0.1", "port": 1},
        "station": {"id": "ws-201", "extension": "201", "user": "Μαρία"},
        "store": {"shared_folder": str(tmp_path / "shared"), "local_folder": str(tmp_path / "local")},
    })
    app = build_app(settings, AppMode.WINDOW)
    try:
        app.directory.ready.wait(10)
        ports = ui_ports_for(app)
        assert isinstance(ports.contacts, ContactsPort) and isinstance(ports.speed_dial, SpeedDialPort)
        assert isinstance(ports.dial_pad, DialPadPort)
        dialled = []
        app.dialling.commands = type("Recording", (), {"dial": lambda _s, n: dialled.append(n)})()
        ui = make_ui(ports)
        ui.start()
        card = ui.dialling.open_card(None, number="+420 602 999 888")
        card.field_vars["name"].set("Zdeňka Šťastná")
        card.type_var.set("Supplier")
        assert card.save()
        assert [c.name for c in app.store.contacts.all()] == ["Zdeňka Šťastná"]
        card.phone_rows[0].call_button.invoke()
        assert dialled == ["+420 602 999 888"]
        card.close()
        directory = ui.dialling.open_directory(text="zdenka stastna")
        assert wait_until(root, lambda: [r["name"] for r in directory.rows()] == ["Zdeňka Šťastná"],
                          pump=ui.pump)
        directory.choose_type(1)                                 # Customers: not there
        assert directory.rows() == []
        directory.close()
        ui.ui_event(ringing("L1", "00420602999888"))
        assert ui.popups["L1"].caller_title == "00420602999888 — Zdeňka Šťastná"
    finally:
        app.close()
