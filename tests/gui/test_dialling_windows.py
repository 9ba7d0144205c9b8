"""The operator window with the dialling and contact windows wired in (OUT-1, POP-3,
CON-5): the Calls menu and Ctrl+N / Ctrl+F / Ctrl+Shift+N, and from a popup of an unknown
number "New contact" (number filled in) and "Add to contact" (pick, label, replace or
keep); a popup's contact row opens the card; its recent calls are called back."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pytest

from callcore.app.hub import EventHub
from callcore.records import Phone
from tests.gui.conftest import wait_until
from tests.gui.contacts_fake import FakeContacts, FakeDial, directory_people
from tests.gui.fakes import FakeServices, ringing, sample_log
from tests.gui.test_dialpad import FakeDialling
from ui.ports import UiPorts


def xdotool(*args: str) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    subprocess.run(["xdotool", *args], check=True)


class Speed(FakeDialling):
    def group_name(self):
        return "Πωλήσεις"


@pytest.fixture
def parts(make_ui, root):
    people = directory_people()
    services = FakeServices(contacts=people, calls_log=sample_log())
    contacts = FakeContacts(people)
    dial, pad = FakeDial(), Speed()
    hub = EventHub()
    ports = dataclasses.replace(UiPorts.of(services, events=hub), contacts=contacts, dial=dial,
                                dial_pad=pad, speed_dial=pad)
    ui = make_ui(ports)
    ui.start()
    root.deiconify()
    root.geometry("+0+0")
    yield ui, contacts, dial, pad, people


def test_calls_menu_and_keys_open_the_windows(parts, root):
    ui, *_rest = parts
    labels = {item["label"]: item["accelerator"] for item in ui.window.menu_items("calls")}
    assert labels["Dial…"] == "Ctrl+N" and labels["Directory…"] == "Ctrl+F"
    assert labels["New contact…"] == "Ctrl+Shift+N"
    root.focus_force()
    assert wait_until(root, lambda: root.focus_get() is not None)
    xdotool("key", "ctrl+n")
    assert wait_until(root, lambda: ui.dialling.dial_pad is not None)
    pad = ui.dialling.dial_pad
    assert pad.title() == "Dial" and str(pad.speed_heading.cget("text")) == "Speed dial — Πωλήσεις"
    assert wait_until(root, lambda: root.focus_get() is pad.number_entry)
    xdotool("key", "ctrl+f")                                     # from the pad: a picker
    assert wait_until(root, lambda: ui.dialling.directory is not None)
    picker = ui.dialling.directory
    picker.search_var.set("Мария")
    assert wait_until(root, lambda: len(picker.rows()) == 1)
    picker.enter()
    assert pad.number == "23105551 24".replace(" ", "") and picker.closed
    pad.close()
    root.focus_force()
    assert wait_until(root, lambda: root.focus_get() is not None)
    xdotool("key", "ctrl+f")
    assert wait_until(root, lambda: ui.dialling.directory is not None
                      and not ui.dialling.directory.closed)
    assert ui.dialling.directory.title() == "Directory"
    ui.dialling.directory.close()
    root.focus_force()
    xdotool("key", "ctrl+shift+n")
    assert wait_until(root, lambda: any(c.title() == "New contact" for c in ui.dialling.cards.values()))


def test_unknown_caller_popup_new_contact_and_add_to_contact(parts, root):
    ui, contacts, dial, _pad, people = parts
    ui.ui_event(ringing("L1", "6977 123 456"))
    popup = ui.popups["L1"]
    assert popup.unknown_row.winfo_manager() and popup.add_contact_button.winfo_manager()
    popup.new_contact_button.invoke()
    card = next(c for c in ui.dialling.cards.values() if c.title() == "New contact")
    assert [(r.label, r.number) for r in card.phone_rows] == [("mobile", "6977 123 456")]
    card.close()

    popup.add_contact_button.invoke()
    picker = ui.dialling.directory
    assert "Add 6977 123 456 to which contact?" in [str(w.cget("text")) for w in picker.winfo_children()[0].winfo_children()
                                                    if w.winfo_class() == "TLabel"]
    picker.search_var.set("παπαδοπουλος")
    assert wait_until(root, lambda: len(picker.rows()) == 1)
    picker.enter()
    dialog = ui.dialling.add_dialog
    assert dialog is not None and dialog.label == "home"
    dialog.label_var.set("work")                                 # taken: asks, keep both preselected
    assert dialog.keep_var.get() == "" and len(dialog.same_label()) == 1
    dialog.add()
    assert contacts.asked[-2] == ("add_phone", people[0].id, "6977 123 456", "work", None)
    card = ui.dialling.cards[people[0].id]
    assert card.title() == "Contact — Γιώργος Παπαδόπουλος"
    assert [r.number for r in card.phone_rows][-1] == "6977 123 456"


def test_known_caller_row_opens_the_card_and_recent_calls_are_called_back(parts, root):
    ui, _contacts, dial, _pad, people = parts
    ui.ui_event(ringing("L2", "2101234567"))
    popup = ui.popups["L2"]
    assert not popup.unknown_row.winfo_manager()
    popup.contacts.selection_set(popup.contacts.get_children()[0])
    popup.open_selected_contact()
    opened = ui.dialling.cards[popup.matches[0].contact.id]
    assert opened.title() == f"Contact — {popup.matches[0].contact.name}"
    assert wait_until(root, lambda: not popup.recent.exists("loading"), pump=ui.pump)
    row = popup.recent.get_children()[0]
    x, y, _w, _h = popup.recent.bbox(row)
    popup.lift()
    root.update()
    xdotool("mousemove", str(popup.recent.winfo_rootx() + x + 20), str(popup.recent.winfo_rooty() + y + 5),
            "click", "--repeat", "2", "--delay", "80", "1")
    assert wait_until(root, lambda: dial.dialled)
    assert dial.dialled == ["2101234567"]
