"""The directory window (OUT-1, DIR-3) under Xvfb with a fake ContactsPort backed by the
product's Directory: search as you type in Greek/Cyrillic/Czech however typed, the type
selector, Enter/Ctrl+Enter/Ctrl+Shift+N/Delete with real X key events, the picker mode,
and results that follow a StoreChanged."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from callcore.app.hub import EventHub
from callcore.events import StoreChanged
from callcore.records import Contact, Phone
from tests.gui.conftest import wait_until
from tests.gui.contacts_fake import FakeContacts, FakeDial, directory_people
from ui.directory_window import DirectoryWindow


def xdotool(*args: str) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    subprocess.run(["xdotool", *args], check=True)


@pytest.fixture
def port():
    return FakeContacts(directory_people())


@pytest.fixture
def dial():
    return FakeDial()


@pytest.fixture
def hub():
    return EventHub()


@pytest.fixture
def opened():
    return []


@pytest.fixture
def confirm_answers():
    return []


@pytest.fixture
def window(root, port, dial, hub, opened, confirm_answers):
    def confirm(_master, _title, message):
        confirm_answers.append(message)
        return confirm_answers[0] != "no" if confirm_answers[:1] == ["no"] else True
    made = DirectoryWindow(root, contacts=port, dial=dial, open_card=opened.append,
                           subscribe=lambda kind, handler: hub.subscribe(kind, handler),
                           confirm=confirm)
    made.geometry("+40+40")
    assert wait_until(root, lambda: root.focus_get() is made.search_entry)
    yield made
    made.close()


def names(window):
    return [row["name"] for row in window.rows()]


def type_text(root, window, text):
    """Real key events for Latin text; Greek/Cyrillic go in as the input method would put
    them (xdotool cannot type them on Xvfb's US keymap)."""
    window.search_entry.focus_force()
    root.update()
    if text.isascii():
        xdotool("type", "--delay", "15", text)
    else:
        for char in text:
            window.search_entry.insert("insert", char)
            root.update()
    assert wait_until(root, lambda: window.search_var.get() == text)
    assert wait_until(root, lambda: window._search_after is None)


def test_title_and_search_as_you_type_ignores_accents_and_case(window, root):
    assert window.title() == "Directory"
    assert window.rows() == [] and str(window.empty_label.cget("text")) == "Type to search the directory"
    type_text(root, window, "παπαδοπ")                 # typed without the accent
    assert names(window) == ["Γιώργος Παπαδόπουλος"]
    row = window.rows()[0]
    assert (row["type"], row["company"], row["phones"]) == (
        "Customer", "Παπαδόπουλος & Υιοί Ο.Ε.", "+30 210 123 4567, +30 694 512 3456")
    window.search_var.set("JIRI DVORAK")
    assert wait_until(root, lambda: names(window) == ["Jiří Dvořák"])
    window.search_var.set("мария")
    assert wait_until(root, lambda: names(window) == ["Мария Иванова"])
    window.search_var.set("zzzz")
    assert wait_until(root, lambda: window.rows() == [])
    assert str(window.empty_label.cget("text")) == "Nobody matches"


def test_type_selector_with_alt_digits(window, root):
    xdotool("key", "alt+6")                              # Colleagues/extensions
    assert wait_until(root, lambda: names(window) == ["Růžena Nováková", "Петра Новакова"])
    assert window.kind == "internal"
    window.search_var.set("ruz")
    assert wait_until(root, lambda: names(window) == ["Růžena Nováková"])
    window.search_var.set("")
    xdotool("key", "alt+3")                              # Suppliers
    assert wait_until(root, lambda: names(window) == ["Ελληνικά Έπιπλα Α.Ε."])
    window.type_buttons[0].invoke()                      # All: an empty text lists nothing
    assert window.kind is None and window.rows() == []


def test_enter_opens_the_card_and_ctrl_shift_n_a_new_one(window, root, opened):
    type_text(root, window, "dvorak s.r.o")
    assert names(window) == ["Jiří Dvořák"]
    xdotool("key", "Return")
    assert wait_until(root, lambda: opened == [window.rows()[0]["id"]])
    xdotool("key", "ctrl+shift+n")
    assert wait_until(root, lambda: opened[-1:] == [None])


def test_ctrl_enter_calls_the_only_phone_or_asks_which(window, root, dial):
    type_text(root, window, "dvorak")
    xdotool("key", "ctrl+Return")
    assert wait_until(root, lambda: dial.dialled == ["+420 602 111 222"])
    window.search_var.set("γιωργος")
    assert wait_until(root, lambda: names(window) == ["Γιώργος Παπαδόπουλος"])
    window.search_entry.focus_force()
    xdotool("key", "ctrl+Return")
    assert wait_until(root, lambda: window.chooser is not None and window.chooser.winfo_exists())
    chooser = window.chooser
    assert chooser.numbers == ["+30 210 123 4567", "+30 694 512 3456"]
    assert wait_until(root, lambda: root.focus_get() is chooser.listbox)
    xdotool("key", "Down")
    xdotool("key", "Return")
    assert wait_until(root, lambda: dial.dialled[-1] == "+30 694 512 3456")


def test_delete_key_in_the_results_asks_then_deletes(window, root, port, confirm_answers):
    type_text(root, window, "смирнова")
    victim = window.rows()[0]["id"]
    xdotool("key", "Down")                               # from the field into the results
    assert wait_until(root, lambda: root.focus_get() is window.tree)
    xdotool("key", "Delete")
    assert wait_until(root, lambda: ("delete", victim) in port.asked)
    assert "Анна Смирнова" in confirm_answers[-1]
    assert window.rows() == []


def test_delete_refused_in_the_confirmation_keeps_it(window, root, port, confirm_answers):
    confirm_answers.append("no")
    window.search_var.set("dvorak")
    assert wait_until(root, lambda: names(window) == ["Jiří Dvořák"])
    assert window.delete_selected() is False
    assert not any(a[0] == "delete" for a in port.asked) and names(window) == ["Jiří Dvořák"]


def test_results_follow_a_contact_saved_elsewhere(window, root, port, hub):
    window.search_var.set("Ελένη")
    assert wait_until(root, lambda: window._search_after is None and window.rows() == [])
    saved = port.save(Contact(name="Ελένη Κωνσταντίνου", type="supplier",
                              phones=[Phone("2310 555 999", "work")]))
    hub.publish(StoreChanged("contacts", frozenset({saved.id}), "remote"))
    assert names(window) == ["Ελένη Κωνσταντίνου"]


def test_as_a_picker_enter_hands_back_the_number(root, port):
    picked = []
    picker = DirectoryWindow(root, contacts=port, on_pick_number=picked.append,
                             purpose="Pick a number for the dial pad")
    try:
        assert wait_until(root, lambda: root.focus_get() is picker.search_entry)
        type_text(root, picker, "мария")
        assert str(picker.open_button.cget("text")) == "Choose"
        assert not picker.delete_button.winfo_manager()
        xdotool("key", "Return")
        assert wait_until(root, lambda: picked == ["2310 555 124"])
        assert picker.closed
    finally:
        picker.close()
