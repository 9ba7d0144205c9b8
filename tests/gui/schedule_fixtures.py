"""Real scheduled-call features on a real store for the GUI tests of issue 8 (no fakes of
the rules: refusals in the windows are the feature's own)."""
from __future__ import annotations

import os
import subprocess
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from callcore.app.activities import ActivitiesFeature
from callcore.app.annotations import AnnotationsFeature
from callcore.app.hub import EventHub
from callcore.app.schedule import ScheduleFeature
from callcore.events import StoreChanged
from callcore.records import Contact, Group, Phone, User
from callcore.store import Store

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "")) if os.environ.get("SCREENSHOT_DIR") else None


@dataclass
class DialResult:
    ok: bool
    message: str = ""
    call_id: str = ""


class Office:
    """A store with users (Anna agent, Bob agent, Σοφία supervisor of both), a contact, and
    the features acting as ``self.user``; ``dialled`` records Call now."""

    def __init__(self, tmp_path: Path):
        self.store = Store.open(tmp_path / "local", None, "ws-gui", background_sync=False)
        self.hub = EventHub()
        self.store.subscribe(lambda cs: self.hub.publish(StoreChanged(cs.table, cs.keys, cs.origin)))
        sales = self.store.groups.put(Group(name="Sales"))
        self.users = {u.name: self.store.users.put(u) for u in (
            User(name="Anna", role="agent", group_id=sales.id), User(name="Bob", role="agent", group_id=sales.id),
            User(name="Σοφία", role="supervisor", group_id=sales.id))}
        self.user = self.users["Σοφία"]
        self.contact = self.store.contacts.put(Contact(name="Ξανθή Οικονόμου", phones=[Phone("2101234567")]))
        self.dialled: list[str] = []
        self.futures: list[Future] = []
        me = lambda: self.user  # noqa: E731
        self.schedule = ScheduleFeature(self.store, self.hub, current_user=me, dial=self.dial)
        self.annotations = AnnotationsFeature(self.store, current_user=me)
        self.activities = ActivitiesFeature(self.store, self.annotations, current_user=me)
        contacts = SimpleNamespace(search=lambda text, kind=None, limit=50: [
            c for c in self.store.contacts.all() if text.casefold() in c.name.casefold()][:limit])
        self.ports = SimpleNamespace(schedule=self.schedule, activities=self.activities, contacts=contacts,
                                     events=self.hub)

    def dial(self, number: str) -> Future:
        self.dialled.append(number)
        future: Future = Future()
        self.futures.append(future)
        return future

    def close(self) -> None:
        self.store.close()


class Notes:
    """A notifier that records what it was asked to show."""

    def __init__(self):
        self.shown: list[tuple[str, str]] = []

    def notify(self, title: str, message: str) -> None:
        self.shown.append((title, message))


def shot(window, name: str, whole_screen: bool = False) -> Path | None:
    """When SCREENSHOT_DIR is set, grab the window (or the whole screen: ImageMagick
    ``import -window root``) there as ``<name>.png``."""
    if SHOTS is None:
        return None
    import time
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.update()
    time.sleep(0.3)
    window.update()
    path = SHOTS / f"{name}.png"
    subprocess.run(["import", "-window", "root" if whole_screen else window.wm_frame(), str(path)], check=True)
    return path
