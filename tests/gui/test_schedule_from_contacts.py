"""Schedule a call from a contact card and from the directory (SCHED-1): the schedule
dialog opens for that contact's first phone, by button and by Ctrl+Shift+R."""
from __future__ import annotations

from tests.gui.conftest import wait_until
from tests.gui.contacts_fake import FakeContacts, FakeDial, directory_people
from ui.contact_card import ContactCard
from ui.directory_window import DirectoryWindow


def test_a_contact_card_schedules_a_call_to_its_first_phone(root):
    people = directory_people()
    asked: list[dict] = []
    card = ContactCard(root, contacts=FakeContacts(people), dial=FakeDial(), contact_id=people[0].id,
                       on_schedule=lambda **kw: asked.append(kw))
    try:
        root.update()
        assert card.schedule_button.winfo_ismapped()
        card.schedule_button.invoke()
        assert asked == [{"number": people[0].phones[0].number, "contact_id": people[0].id,
                          "contact_name": people[0].name}]
    finally:
        card.destroy()


def test_a_new_contact_cannot_be_scheduled_before_it_is_saved(root):
    asked: list[dict] = []
    card = ContactCard(root, contacts=FakeContacts(directory_people()), dial=FakeDial(),
                       number="2101234567", on_schedule=lambda **kw: asked.append(kw))
    try:
        root.update()
        assert not card.schedule_button.winfo_ismapped()
        assert card.schedule_call() is None and asked == []
    finally:
        card.destroy()


def test_the_directory_schedules_a_call_to_the_selected_contact(root):
    people = directory_people()
    asked: list[dict] = []
    window = DirectoryWindow(root, contacts=FakeContacts(people), dial=FakeDial(),
                             on_schedule=lambda **kw: asked.append(kw))
    try:
        root.update()
        assert window.schedule_button.winfo_ismapped()
        window.search_var.set("мария")
        assert wait_until(root, lambda: bool(window.tree.get_children()))
        window.tree.selection_set(window.tree.get_children()[0])
        chosen = window.selected()
        window.schedule_selected()
        assert asked == [{"number": chosen.phones[0].number if chosen.phones else "",
                          "contact_id": chosen.id, "contact_name": chosen.name}]
    finally:
        window.destroy()
