"""The window's campaign feature on a real store (CAMP-3): the preview dialler shows the
next entry, confirms its claim, dials after the countdown with the campaign entry on the
call, pauses and resumes, skips, records outcomes (a busy one waits for its retry, call
back later makes a scheduled call), stops at the end of the list, and releases the claim
on close so another station can take the entry."""
from __future__ import annotations

from concurrent.futures import Future
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from callcore.app.campaigns import CALLING, CLOSED, COUNTDOWN, DONE, PAUSED, RESERVING, CampaignFeature
from callcore.app.hub import EventHub
from callcore.campaign_book import CampaignError
from callcore.campaigns import CampaignWorkChanged
from callcore.events import ClockTick
from callcore.records import Campaign
from callcore.settings import settings_from_dict
from callcore.store import Store

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Dialler:
    def __init__(self) -> None:
        self.dialled: list[tuple[str, str]] = []

    def __call__(self, number: str, campaign_item_id: str = "") -> Future:
        self.dialled.append((number, campaign_item_id))
        f: Future = Future()
        f.set_result(SimpleNamespace(ok=True, call_id=f"call-{len(self.dialled)}", message="Calling"))
        return f


@pytest.fixture
def office(tmp_path):
    (tmp_path / "share").mkdir()
    clock, hub, dialler = Clock(), EventHub(), Dialler()
    settings = settings_from_dict({"campaign": {"countdown_seconds": 10}, "store": {"sync_interval": 0.25}})
    store = Store.open(tmp_path / "a", tmp_path / "share", "ws-a", background_sync=False)
    feature = CampaignFeature(store, hub, settings, station="ws-a", user="anna", dial=dialler, clock=clock)
    c = feature.save_campaign(Campaign(code="Spring", script="Καλημέρα, από την Acme", retry_minutes=30))
    feature.add_entries(c.id, [{"name": f"Person {i}", "number": f"21000000{i:02d}"} for i in range(3)])
    seen: list[str] = []
    hub.subscribe(CampaignWorkChanged, lambda e: seen.append(e.phase))
    yield SimpleNamespace(tmp=tmp_path, clock=clock, hub=hub, dialler=dialler, store=store, feature=feature,
                          campaign=c, seen=seen)
    feature.close()
    store.close()


def run(o, seconds: int) -> None:
    for _ in range(seconds):
        o.clock.now += timedelta(seconds=1)
        o.hub.publish(ClockTick(o.clock.now))


def test_preview_dials_after_the_countdown_with_the_campaign_entry(office):
    o = office
    state = o.feature.start(o.campaign.id)
    assert (state.phase, state.entry.name, state.seconds_left, state.position, state.total) == (
        RESERVING, "Person 0", 10, 1, 3)
    assert o.feature.script(o.campaign.id) == "Καλημέρα, από την Acme"
    run(o, 2)
    assert o.feature.state().phase == COUNTDOWN and o.feature.state().seconds_left == 8
    run(o, 7)
    assert o.dialler.dialled == []                          # not before the countdown ends
    run(o, 1)
    assert o.dialler.dialled == [("2100000000", o.feature.state().entry.id)]
    assert o.feature.state().phase == CALLING and o.feature.state().call_id == "call-1"
    first = o.feature.state().entry
    out = o.feature.record_outcome("interested", "θέλει προσφορά")
    assert out.call_id == "call-1" and out.note == "θέλει προσφορά"
    nxt = o.feature.state()
    assert (nxt.phase, nxt.entry.name, nxt.seconds_left) == (RESERVING, "Person 1", 10)
    assert [h.result for h in o.feature.book.history(o.campaign.id, first.id)] == ["interested"]
    assert COUNTDOWN in o.seen and CALLING in o.seen


def test_pause_releases_resume_reclaims_skip_moves_on(office):
    o = office
    o.feature.start(o.campaign.id)
    run(o, 4)
    o.feature.pause()
    st = o.feature.state()
    assert st.phase == PAUSED and st.seconds_left == 6
    assert o.feature.book.counters(o.campaign.id).in_progress == 0          # given back
    run(o, 30)
    assert o.dialler.dialled == []                                          # paused: no dial
    o.feature.resume()
    assert o.feature.state().entry.name == "Person 0"
    o.feature.skip()
    assert o.feature.state().entry.name == "Person 1"
    assert o.feature.book.counters(o.campaign.id).in_progress == 1
    run(o, 10)
    assert o.dialler.dialled == [("2100000001", o.feature.state().entry.id)]


def test_busy_waits_for_its_retry_and_the_list_ends(office):
    o = office
    o.feature.start(o.campaign.id)
    for result in ("busy", "wrong_number", "not_interested"):
        run(o, 2)
        o.feature.call_now()
        assert o.feature.state().phase == CALLING
        o.feature.record_outcome(result)
    st = o.feature.state()
    assert st.phase == DONE and "1 waiting for a retry" in st.message
    run(o, 31 * 60)                                         # the retry interval has passed
    o.feature.start(o.campaign.id)
    assert o.feature.state().entry.name == "Person 0"
    with pytest.raises(CampaignError, match="still being reserved"):
        o.feature.record_outcome("interested")


def test_call_back_later_schedules_and_closed_campaign_says_why(office):
    o = office
    o.feature.start(o.campaign.id)
    run(o, 2)
    when = T0 + timedelta(days=1)
    out = o.feature.record_outcome("call_back", "μετά τις 5", call_back_at=when)
    item = o.store.scheduled.get(out.scheduled_id)
    assert (item.number, item.assigned_user, item.notes) == ("2100000000", "anna", "Spring: μετά τις 5")
    c = o.feature.book.find("Spring")
    o.feature.save_campaign(Campaign.from_dict({**c.to_dict(), "end_at": (o.clock.now - timedelta(hours=1)).isoformat()}))
    o.feature.start(o.campaign.id)
    assert o.feature.state().phase == CLOSED and "ended on" in o.feature.state().message


def test_browse_then_call_claims_the_shown_entry_and_close_releases(office):
    o = office
    o.feature.start(o.campaign.id)
    o.feature.browse(+2)
    st = o.feature.state()
    assert st.browsing and st.entry.name == "Person 2" and st.phase == PAUSED
    o.feature.call_now()
    run(o, 2)
    assert o.dialler.dialled == [("2100000002", st.entry.id)]
    o.feature.close()
    assert o.feature.book.counters(o.campaign.id).in_progress == 0
