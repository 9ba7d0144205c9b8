"""The queue panel's feature against the real Asterisk 22 (issue 11): QueueStatus at
connect (QueueParams/QueueMember/QueueEntry), then live QueueCallerJoin/Abandon,
QueueMemberAdded/Removed and QueueMemberPause; the operator joins a queue, pauses with a
reason (the transfer dialog's presence shows "paused"), resumes and leaves.

Queue ``panel`` (tests/pbx/etc/queues.conf): one static member 209 without a phone, so a
caller waits until they hang up; DID 2101234510. The station is 205 (no member)."""
from __future__ import annotations

import time
import uuid

import pytest

from callcore.app import AppMode, build_app
from callcore.events import ConnectionStateChanged
from callcore.settings import settings_from_dict
from tests.pbx import plan, scenarios
from tests.pbx.extras import ensure_current_config

pytestmark = pytest.mark.pbx
PANEL_DID = "2101234510"


def settings(tmp_path, extension="205"):
    return settings_from_dict({
        "ami": {"host": plan.AMI_HOST, "port": plan.AMI_PORT, "username": plan.AMI_USER,
                "secret": plan.AMI_SECRET},
        "station": {"id": f"ws-q-{uuid.uuid4().hex[:6]}", "extension": extension, "context": "internal"},
        "store": {"local_folder": str(tmp_path / "local")},
        "queues": {"joinable": "panel"},
    })


def wait(predicate, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


def panel(app):
    return next((v for v in app.queues.queues() if v.queue == "panel"), None)


def outcome():
    box: list = []
    return box, lambda ok, message: box.append((ok, message))


def leave_panel(ami, interface="PJSIP/205"):
    """Clean up: no dynamic 205 left in the panel queue (it would ring for other tests)."""
    ami.action("QueueRemove", {"Queue": "panel", "Interface": interface})


def test_queue_panel_follows_the_real_pbx(pbx, ami, tmp_path):
    ensure_current_config(ami)
    leave_panel(ami)
    app = build_app(settings(tmp_path), AppMode.WINDOW)
    caller = None
    try:
        app.start()
        # QueueStatus at connect: the queue and its static member
        view = wait(lambda: panel(app) if panel(app) and panel(app).members else None)
        assert view, app.queues.queues()
        assert [(m.extension, m.name, m.state, m.dynamic) for m in view.members] == [
            ("209", "Unplugged 209", "offline", False)]
        assert view.own is None and view.may_join and not view.may_leave
        support = [v for v in app.queues.queues() if v.queue == "support"]
        assert support and {m.extension for m in support[0].members} >= {"202", "203"}  # scope "all"

        # join: a dynamic member, which may leave again
        box, done = outcome()
        app.queues.join("", "panel", done=done)
        view = wait(lambda: panel(app) if panel(app).own else None)
        assert view and view.own.extension == "205" and view.own.dynamic and view.may_leave
        assert wait(lambda: box) == [(True, "")]

        # pause with a reason: the panel and the transfer dialog's presence say so
        box, done = outcome()
        app.queues.pause("", "panel", True, "Οικογενειακό — lunch", done=done)
        view = wait(lambda: panel(app) if panel(app).own.paused else None)
        assert view and view.own.reason == "Οικογενειακό — lunch"
        assert wait(lambda: app.presence.state_of("205") == "paused"), app.presence.state_of("205")

        # a caller joins the queue and waits (205 paused, 209 unplugged)
        caller = scenarios.outside_call(ami, PANEL_DID, scenarios.GREEK, talk=1, give_up=60)
        view = wait(lambda: panel(app) if panel(app).callers else None)
        assert view, "caller never shown"
        [waiting] = view.callers
        assert (waiting.number, waiting.name, waiting.position) == ("6945123456", "Μανουσάκης Γιώργος", 1)

        # after a reconnect the waiting caller comes back from QueueStatus (QueueEntry)
        joined_at = waiting.since
        states: list[str] = []
        app.hub.subscribe(ConnectionStateChanged, lambda e: states.append(e.status))
        app.pool.first.reconnect()
        assert wait(lambda: states[-1:] == ["connected"] and "connecting" in states), states
        view = wait(lambda: panel(app) if panel(app) and panel(app).callers and panel(app).own else None)
        assert view and view.callers[0].number == "6945123456"
        assert abs((view.callers[0].since - joined_at).total_seconds()) < 2.0   # Wait counted in
        assert view.own.paused and view.own.reason == "Οικογενειακό — lunch"

        # the caller gives up (QueueCallerAbandon): gone from the panel
        for channel in ami.channels():
            if channel.get("Linkedid") == caller:
                ami.action("Hangup", {"Channel": channel["Channel"]})
        assert wait(lambda: not panel(app).callers)
        caller = None

        # another caller waits; the operator resumes and 205 answers (QueueCallerLeave),
        # their membership shows them on the call (QueueMemberStatus)
        caller = scenarios.outside_call(ami, PANEL_DID, scenarios.CYRILLIC, talk=3, give_up=60)
        assert wait(lambda: [c.number for c in panel(app).callers] == ["4957654321"])
        seen_busy: list[str] = []
        app.queues.pause("", "panel", False)
        assert wait(lambda: not panel(app).callers)
        assert wait(lambda: seen_busy.append(panel(app).own.state) or "busy" in seen_busy), seen_busy
        assert not panel(app).own.paused
        assert wait(lambda: not any(c.get("Linkedid") == caller for c in ami.channels()), timeout=30)
        caller = None
        assert wait(lambda: panel(app).own.state == "free")
        assert wait(lambda: app.presence.state_of("205") == "free"), app.presence.state_of("205")
        box, done = outcome()
        app.queues.leave("", "panel", done=done)
        view = wait(lambda: panel(app) if panel(app).own is None else None)
        assert view and view.may_join and wait(lambda: box) == [(True, "")]

        # a static member cannot leave: Asterisk refuses, the operator reads why
        box, done = outcome()
        app.queues.commands.queue_remove("", "panel", "PJSIP/209").add_done_callback(
            lambda f: done(f.result().ok, f.result().message))
        [(ok, message)] = wait(lambda: box)
        assert not ok and message.startswith("The PBX refused")
    finally:
        if caller:
            for channel in ami.channels():
                if channel.get("Linkedid") == caller:
                    ami.action("Hangup", {"Channel": channel["Channel"]})
        leave_panel(ami)
        app.close()
