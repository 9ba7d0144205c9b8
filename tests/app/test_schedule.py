"""Scheduled calls (SCHED-1, SCHED-3) with a real store: scheduling for oneself and (by role)
for others, the view's sections and scopes, snooze / done / reassign, and the role rules
enforced by the feature itself (not only by the UI)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from callcore.app.activities import ActivitiesFeature
from callcore.app.annotations import AnnotationsFeature
from callcore.app.hub import EventHub
from callcore.app.schedule import ScheduleError, ScheduleFeature, quick_choices  # the window feature (a ScheduleBook)
from callcore.records import CallRecord, Contact, Group, Phone, RecordError, ScheduledCall, User
from callcore.roles import PermissionDenied
from callcore.store import Store

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "local", tmp_path / "shared", "ws-1", background_sync=False)
    yield s
    s.close()


@pytest.fixture
def office(store):
    sales = store.groups.put(Group(name="Sales"))
    users = {
        "anna": store.users.put(User(name="Anna", role="agent", group_id=sales.id)),
        "bob": store.users.put(User(name="Bob", role="agent", group_id=sales.id)),
        "sofia": store.users.put(User(name="Σοφία", role="supervisor", group_id=sales.id)),
        "dmitri": store.users.put(User(name="Дмитрий", role="director")),
        "eva": store.users.put(User(name="Eva", role="agent", group_id="other")),
    }
    return users


def feature(store, user):
    return ScheduleFeature(store, EventHub(), current_user=lambda: user, clock=lambda: NOW)


def test_an_agent_schedules_for_herself_and_may_not_for_a_colleague(store, office):
    anna = feature(store, office["anna"])
    item = anna.schedule("2101234567", NOW + timedelta(hours=1), notes="Ask about the order")
    stored = store.scheduled.get(item.id)
    assert (stored.assigned_user, stored.created_by, stored.status) == ("Anna", "Anna", "open")
    with pytest.raises(PermissionDenied) as refused:
        anna.schedule("2101234567", NOW + timedelta(hours=1), assigned_user="Bob")
    assert "Anna" in str(refused.value) and "agent" in str(refused.value)
    assert len(store.scheduled) == 1          # nothing stored when refused
    assert anna.assignable_users() == ["Anna"]
    assert anna.scopes() == ["mine"]


def test_a_supervisor_schedules_for_her_group_only_and_a_director_for_anyone(store, office):
    sofia = feature(store, office["sofia"])
    assert sofia.schedule("2101", NOW, assigned_user="Bob").assigned_user == "Bob"
    with pytest.raises(PermissionDenied):
        sofia.schedule("2101", NOW, assigned_user="Eva")
    assert set(sofia.assignable_users()) == {"Anna", "Bob", "Σοφία"}
    director = feature(store, office["dmitri"])
    assert director.schedule("2101", NOW, assigned_user="Eva").assigned_user == "Eva"
    assert director.scopes() == ["mine", "group", "all"]


def test_an_agent_may_not_mark_done_snooze_or_reassign_a_colleagues_call(store, office):
    bobs = feature(store, office["bob"]).schedule("2109", NOW + timedelta(hours=2))
    anna = feature(store, office["anna"])
    for action in (lambda: anna.done(bobs.id, "talked"), lambda: anna.snooze(bobs.id, 5),
                   lambda: anna.reassign(bobs.id, "Anna"), lambda: anna.reschedule(bobs.id, NOW)):
        with pytest.raises(PermissionDenied):
            action()
    assert store.scheduled.get(bobs.id).status == "open"
    assert store.scheduled.get(bobs.id).assigned_user == "Bob"
    with pytest.raises(ScheduleError):
        anna.done("no-such-id")


def test_snooze_done_and_reassign_change_what_the_store_holds(store, office):
    sofia = feature(store, office["sofia"])
    item = sofia.schedule("2101234567", NOW - timedelta(minutes=1), assigned_user="Anna")
    snoozed = sofia.snooze(item.id, 15)
    assert snoozed.snoozed_until == (NOW + timedelta(minutes=15)).isoformat(timespec="seconds")
    assert snoozed.due_at == item.due_at           # the due time stays; the reminder moves
    assert sofia.reassign(item.id, "Bob").assigned_user == "Bob"
    done = sofia.done(item.id, "ordered 3 boxes")
    assert (done.status, done.outcome) == ("done", "ordered 3 boxes")
    assert store.scheduled.get(item.id).outcome == "ordered 3 boxes"


def test_the_view_splits_overdue_today_upcoming_and_filters_by_scope(store, office):
    director = feature(store, office["dmitri"])
    local = NOW.astimezone()
    late = director.schedule("1001", NOW - timedelta(hours=1), assigned_user="Anna")
    soon = director.schedule("1002", NOW + timedelta(minutes=5), assigned_user="Bob")
    later = director.schedule("1003", local.replace(hour=0, minute=0) + timedelta(days=2), assigned_user="Eva")
    sections = {row.item.id: row.section for row in director.view("all", "all", now=NOW)}
    assert sections == {late.id: "overdue", soon.id: "today", later.id: "upcoming"}
    assert [r.item.id for r in director.view("overdue", "all", now=NOW)] == [late.id]
    sofia = feature(store, office["sofia"])
    assert {r.item.number for r in sofia.view("all", "group", now=NOW)} == {"1001", "1002"}
    with pytest.raises(PermissionDenied):
        sofia.view("all", "all", now=NOW)
    anna = feature(store, office["anna"])
    assert [r.item.number for r in anna.view("all", "mine", now=NOW)] == ["1001"]
    with pytest.raises(PermissionDenied):
        anna.view("all", "group", now=NOW)


def test_quick_choices_are_in_one_hour_and_tomorrow_at_nine(store):
    (label1, in_hour), (label2, tomorrow) = quick_choices(NOW)
    assert in_hour - NOW.astimezone() <= timedelta(hours=1) and in_hour > NOW + timedelta(minutes=58)
    assert (tomorrow.hour, tomorrow.minute) == (9, 0)
    assert tomorrow.date() == (NOW.astimezone() + timedelta(days=1)).date()
    assert label1 and label2


def test_without_users_nothing_is_restricted(store):
    open_office = feature(store, None)
    item = open_office.schedule("2101", NOW, assigned_user="anyone")
    assert open_office.done(item.id).status == "done"
    assert open_office.scopes() == ["mine", "group", "all"]


def test_a_number_without_digits_is_refused(store, office):
    with pytest.raises(RecordError):
        feature(store, office["anna"]).schedule("call me", NOW)


def test_older_scheduled_records_load_with_the_new_fields_defaulted(tmp_path):
    """A record written before issue 8 (no priority/snooze/outcome fields) still loads."""
    store = Store.open(tmp_path / "l", None, "ws-1", background_sync=False)
    with store._lock:
        store._commit("scheduled_calls", "old-1", {"number": "2101", "due_at": "2026-01-01T09:00:00+00:00",
                                                  "contact_id": "", "assigned_user": "Anna", "created_by": "",
                                                  "notes": "from 2025", "status": "open", "call_id": ""})
    store.close()
    store = Store.open(tmp_path / "l", None, "ws-1", background_sync=False)
    try:
        old = store.scheduled.get("old-1")
        assert (old.priority, old.snoozed_until, old.outcome, old.notes) == (1, None, "", "from 2025")
        old.validate()
    finally:
        store.close()


def test_open_scheduled_calls_of_a_contact_for_the_popup(store, office):
    contact = store.contacts.put(Contact(name="Jiří Dvořák", phones=[Phone("602111222")]))
    anna = feature(store, office["anna"])
    anna.schedule("602111222", NOW + timedelta(hours=2), contact_id=contact.id)
    anna.schedule("602111222", NOW + timedelta(hours=1), contact_id=contact.id, notes="first")
    done = anna.schedule("602111222", NOW, contact_id=contact.id)
    anna.done(done.id)
    found = anna.open_for(contact_id=contact.id)
    assert [i.notes for i in found] == ["first", ""]
    assert found[0].contact_name == "Jiří Dvořák"
    assert [i.number for i in anna.search("Dvořák")] == ["602111222", "602111222"]


def test_an_activity_from_a_logged_call_links_call_and_contact(store, office):
    contact = store.contacts.put(Contact(name="Ξανθή Οικονόμου", phones=[Phone("2101112223")]))
    store.calls.add(CallRecord(id="call-1", linkedid="l1", direction="in", status="answered",
                               started_at="2026-11-29T10:00:00+00:00", caller_number="2101112223",
                               user="Anna"))
    notes = AnnotationsFeature(store, current_user=lambda: office["anna"])
    acts = ActivitiesFeature(store, notes, current_user=lambda: office["anna"])
    assert "complaint" in acts.types()
    activity = acts.create("Broken delivery", type="complaint", call_id="call-1", contact_id=contact.id,
                           due_at="2026-12-01T09:00:00+00:00")
    assert (activity.user, activity.status) == ("Anna", "open")
    annotated = notes.annotated(store.calls.get("call-1"))
    assert (annotated.activity_id, annotated.contact_id) == (activity.id, contact.id)
    assert [a.subject for a in acts.list("mine")] == ["Broken delivery"]
    acts.set_done(activity.id)
    assert acts.list("mine") == [] and [a.id for a in acts.list("mine", "done")] == [activity.id]
    with pytest.raises(RecordError):
        acts.create("x", type="no-such-type")
    bob = ActivitiesFeature(store, notes, current_user=lambda: office["bob"])
    with pytest.raises(PermissionDenied):
        bob.set_done(activity.id, False)
    with pytest.raises(PermissionDenied):
        bob.list("all")


def test_linking_a_logged_call_to_a_contact_afterwards_keeps_the_call_record(store, office):
    contact = store.contacts.put(Contact(name="Пётр Смирнов", phones=[Phone("2109998887")]))
    store.calls.add(CallRecord(id="call-2", linkedid="l2", direction="in", status="missed",
                               started_at="2026-11-29T11:00:00+00:00", caller_number="2100000000",
                               user="Anna"))
    notes = AnnotationsFeature(store, current_user=lambda: office["anna"])
    notes.link_contact("call-2", contact.id)
    assert store.calls.get("call-2").contact_id == ""            # the log itself is untouched
    assert notes.annotated(store.calls.get("call-2")).contact_name == "Пётр Смирнов"
    with pytest.raises(PermissionDenied):
        AnnotationsFeature(store, current_user=lambda: office["eva"]).link_contact("call-2", contact.id)


def test_activity_types_are_an_office_setting(store, office):
    acts = ActivitiesFeature(store, AnnotationsFeature(store), current_user=lambda: office["sofia"])
    assert acts.set_types(["follow-up", "παράπονο"]) == ["follow-up", "παράπονο"]
    assert ActivitiesFeature(store, AnnotationsFeature(store)).types() == ["follow-up", "παράπονο"]
    with pytest.raises(PermissionDenied):
        ActivitiesFeature(store, AnnotationsFeature(store), current_user=lambda: office["anna"]).set_types(["x"])


def test_with_users_but_nobody_signed_in_changes_are_refused_and_only_mine_is_offered(store, office):
    def nobody():
        raise PermissionDenied(None, "change anything", None, "sign in first")
    waiting = ScheduleFeature(store, EventHub(), current_user=nobody, me=lambda: None, clock=lambda: NOW)
    assert waiting.scopes() == ["mine"] and waiting.assignable_users() == []
    with pytest.raises(PermissionDenied) as refused:
        waiting.schedule("2101", NOW, assigned_user="Anna")
    assert "sign in first" in str(refused.value)
    acts = ActivitiesFeature(store, AnnotationsFeature(store), current_user=nobody)
    assert acts.scopes() == ["mine"]
