"""Scheduled calls as a window feature (SCHED-1..3, POP-3): the rules over the store are
``callcore.scheduled_calls.ScheduleBook`` (shared with the command line); this adds **Call
now** (dialled through the dial feature, the logged call then linked to the scheduled call)
and wires schedule, reminders, activities and call annotations for the window.
(``ui.ports.SchedulePort``)
"""
from __future__ import annotations

import logging
from typing import Any

from ..i18n import _
from ..records import RecordError, User
from ..scheduled_calls import (SCOPES, SECTIONS, SNOOZE_MINUTES, ScheduleBook, ScheduleError,  # noqa: F401
                               ScheduleRow, iso, parse_when, quick_choices, timestamp, utcnow)

log = logging.getLogger(__name__)


class ScheduleFeature(ScheduleBook):
    """The schedule for the window: the book plus Call now."""

    def call_now(self, scheduled_id: str) -> Any:
        """Dial the number (through the dial feature, so the outgoing prefix and refusals
        work as in the dial pad); once the PBX names the new call, the scheduled call is
        linked to it (``call_id``, and the call's annotation names the scheduled call)."""
        item = self.get(scheduled_id)
        if self._dial is None:
            raise RecordError("ScheduledCall", "number", _("dialling is not available here"))
        future = self._dial(item.number)

        def link(f: Any) -> None:
            try:
                result = f.result()
            except Exception:  # noqa: BLE001 - the dial feature reports it
                return
            call_id = getattr(result, "call_id", "")
            if getattr(result, "ok", False) and call_id:
                self.link_call(scheduled_id, call_id)
        if future is not None and hasattr(future, "add_done_callback"):
            future.add_done_callback(link)
        return future

    def link_call(self, scheduled_id: str, call_id: str) -> None:
        """The scheduled call was made as logged call ``call_id``."""
        item = self.store.scheduled.get(scheduled_id)
        if item is None:
            return
        item.call_id = call_id
        self._put(item)
        self._annotate(call_id, scheduled_id=scheduled_id)


def wire_schedule(app: Any) -> None:
    """Window mode: scheduled calls, reminders, activities and call annotations, acting as
    the signed-in user (``app.session``; the station's ``station.user`` when nobody is)."""
    from ..records import User as _User
    from .activities import ActivitiesFeature
    from .annotations import AnnotationsFeature
    from .reminders import ReminderFeature
    store, settings = app.store, app.settings

    def me() -> User | None:
        session = getattr(app, "session", None)
        user = session.current if session is not None else None
        if user is not None:
            return user
        name = str(settings.get("station.user") or "")
        if not name:
            return None
        folded = name.strip().casefold()
        found = next((u for u in store.users.all(copy=False) if u.name.strip().casefold() == folded), None)
        return found or _User(name=name, id="")

    def actor() -> User | None:
        session = getattr(app, "session", None)
        if session is not None:
            return session.actor()
        return me() if len(store.users) > 0 else None

    dial = app.dialling.dial if getattr(app, "dialling", None) is not None else None
    app.schedule = ScheduleFeature(store, app.hub, current_user=actor, dial=dial, me=me)
    app.annotations = AnnotationsFeature(store, current_user=actor)
    app.activities = ActivitiesFeature(store, app.annotations, current_user=actor, me=me)
    sync = float(settings.get("store.sync_interval") or 1.0)
    app.reminders = ReminderFeature(store, app.hub, settings.station_id, current_user=me,
                                    confirm_after=sync + 1.0)
    app._closers.append(app.reminders.close)
    app._closers.append(app.schedule.close)
    import threading                           # the schedule's order, built after start-up
    timer = threading.Timer(5.0, app.schedule.prepare)
    timer.name, timer.daemon = "schedule-index", True
    timer.start()
    app._closers.append(timer.cancel)
