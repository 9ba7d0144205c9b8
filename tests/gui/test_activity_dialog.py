"""Activities (CON-6, POP-3) under X on a real store: the dialog makes one linked to the
call and the contact (type from the office list, due date, who), the Activities window
lists mine / my group (by role) and marks one done; refusals are said in the window."""
from __future__ import annotations

from datetime import datetime

import pytest

from callcore.records import CallRecord
from tests.gui.schedule_fixtures import Notes, Office, shot
from ui.schedule_view import ScheduleWindows


@pytest.fixture
def office(tmp_path):
    o = Office(tmp_path)
    o.store.calls.add(CallRecord(id="call-1", linkedid="l1", direction="in", status="answered",
                                 started_at="2026-11-29T10:00:00+00:00", caller_number="2101234567",
                                 user="Σοφία"))
    yield o
    o.close()


@pytest.fixture
def windows(root, office):
    from ui.look import setup_fonts, style_tables
    setup_fonts(root)
    style_tables(root)
    w = ScheduleWindows(root, office.ports, notifier=Notes(), bell=lambda: None)
    w.start()
    yield w
    w.close()


def test_activity_from_a_call_is_linked_to_call_and_contact(root, office, windows):
    dialog = windows.open_activity_dialog(call_id="call-1", contact_id=office.contact.id,
                                          contact_name=office.contact.name, number="2101234567")
    root.update()
    assert list(dialog.type_box.cget("values"))[:3] == ["follow-up", "complaint", "order"]
    dialog.type_var.set("complaint")
    dialog.subject_var.set("Χαλασμένη παράδοση")
    dialog.due_var.set("2026-12-01")
    dialog.user_var.set("Bob")
    dialog.notes.insert("1.0", "Κιβώτιο 3 έσπασε")
    shot(dialog, "activity-dialog")
    saved = dialog.save()
    assert saved is not None and dialog.closed
    stored = office.store.activities.get(saved.id)
    assert (stored.type, stored.subject, stored.user, stored.call_id, stored.contact_id, stored.status) == (
        "complaint", "Χαλασμένη παράδοση", "Bob", "call-1", office.contact.id, "open")
    assert datetime.fromisoformat(stored.due_at).astimezone().date().isoformat() == "2026-12-01"
    assert office.store.call_annotations.get("call-1").activity_id == saved.id


def test_activity_dialog_says_what_is_wrong_and_keeps_the_input(root, office, windows):
    dialog = windows.open_activity_dialog(call_id="call-1")
    dialog.subject_var.set("  ")
    assert dialog.save() is None and not dialog.closed
    assert "subject" in dialog.error_var.get()
    dialog.subject_var.set("Call back")
    dialog.due_var.set("next week")
    assert dialog.save() is None and "YYYY-MM-DD" in dialog.error_var.get()
    assert dialog.subject_var.get() == "Call back"
    dialog.close()


def test_activities_window_lists_by_scope_and_marks_done(root, office, windows):
    office.activities.create("Mine to do", type="follow-up")
    office.activities.create("Bob's order", type="order", user="Bob")
    window = windows.open_activities()
    root.update()
    subjects = lambda: [window.table.item(i)["values"][2] for i in window.table.get_children()]  # noqa: E731
    assert subjects() == ["Mine to do"]
    window.scope_var.set("group")
    window.refresh()
    assert sorted(subjects()) == ["Bob's order", "Mine to do"]
    shot(window, "activities")
    window.table.selection_set(next(i for i in window.table.get_children()
                                    if window.table.item(i)["values"][2] == "Bob's order"))
    window.done_button.invoke()                      # a supervisor may: Bob is in her group
    root.update()
    assert sorted(subjects()) == ["Mine to do"]
    assert [a.subject for a in office.activities.list("group", "done")] == ["Bob's order"]


def test_an_agent_cannot_mark_a_colleagues_activity_done(root, office, windows):
    bobs = office.activities.create("Bob's order", type="order", user="Bob")
    office.user = office.users["Anna"]
    window = windows.open_activities()
    assert [str(v) for v in window.scope_var.get().split()] == ["mine"]
    window.rows = [bobs]
    window.table.insert("", "end", iid="0", values=("", "order", "Bob's order", "Bob", "Open", ""))
    window.table.selection_set("0")
    window.mark_done()
    assert "may not" in window.error_var.get()
    assert office.store.activities.get(bobs.id).status == "open"
