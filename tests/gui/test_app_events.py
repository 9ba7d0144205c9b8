"""Events the window gets through the hub: a refused PBX command is shown as a sentence,
a second start of the app brings the window forward; subscriptions end with the window."""
from __future__ import annotations

from callcore.app.hub import EventHub
from callcore.events import CommandFailed, ConnectionStateChanged, WindowRaiseRequested
from tests.gui.conftest import wait_until
from tests.gui.fakes import FakeServices
from ui.ports import UiPorts


def test_a_refused_command_is_shown_as_a_toast(make_ui, root):
    hub = EventHub()
    ui = make_ui(UiPorts.of(FakeServices(), events=hub))
    ui.start()
    hub.publish(CommandFailed("hangup", "The call has already ended", "leg-1"))
    assert wait_until(root, lambda: any("already ended" in t.message for t in ui.notifier.toasts))


def test_a_second_start_brings_the_iconified_window_forward(make_ui, root):
    hub = EventHub()
    ui = make_ui(UiPorts.of(FakeServices(), events=hub))
    ui.start()
    root.iconify()
    root.update()
    hub.publish(WindowRaiseRequested())
    assert wait_until(root, lambda: root.state() == "normal")


def test_events_reach_the_window_only_while_it_is_open(make_ui, root):
    hub = EventHub()
    ui = make_ui(UiPorts.of(FakeServices(), events=hub))
    ui.start()
    hub.publish(ConnectionStateChanged("connected"))
    assert wait_until(root, lambda: ui.window.connection_status == "connected")
    ui.close()
    assert not hub.has_subscribers(ConnectionStateChanged)
