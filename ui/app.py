"""Wires the operator window, the event pump, popups and notifications together.

    ui = OperatorUi(ports)             # UiPorts; creates the ttkbootstrap root unless given one
    ui.start()                         # subscribes to ports.events, starts pump + counters

Domain events reach the UI through the hub (``ports.events``): one subscription per event
type, delivered on the Tk thread by the pump. Tests hand events in with ``queue_event``.
Only legs whose extension is ``ports.station.extension`` are this workstation's calls.
"""
from __future__ import annotations

import logging
import tkinter as tk
from datetime import datetime, timezone
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.events import (CommandFailed, ConnectionStateChanged, ExtensionStateChanged,
                             LegAnswered, LegEnded, LegHeld, LegResumed, LegRinging,
                             LegTransferred, TransferNoteReceived, WindowRaiseRequested)
from callcore.i18n import _

from .dialling_windows import DiallingWindows
from .schedule_view import ScheduleWindows
from .live_calls import LiveCalls, LiveLeg
from .look import setup_fonts, style_tables
from .main_window import MainWindow
from .notify import Notifier, plyer_backend
from .popup import CallPopup
from .ports import UiPorts
from .pump import EventPump
from .tk_gc import TkThreadCollector
from .sign_in import SessionUi
from .transfer_dialog import TransferDialog

log = logging.getLogger(__name__)

APP_NAME = "Operator"
TICK_MS = 1000
PROBLEMS_EVERY_TICKS = 5
RECENT_CALLS = 5


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class OperatorUi:
    """The whole operator UI for one workstation."""

    def __init__(self, ports: UiPorts | Any, root: tk.Tk | None = None, *,
                 theme: str = "flatly", clock: Callable[[], datetime] = _utcnow,
                 notify_backend: Callable[..., Any] | None = plyer_backend):
        self.ports = ports if isinstance(ports, UiPorts) else UiPorts.of(ports)
        self.station = self.ports.station
        self.clock = clock
        self._owns_root = root is None
        self.root = root or ttk.App(title=APP_NAME, theme=theme, size=(860, 480),
                                    minsize=(640, 340))
        self.fonts = setup_fonts(self.root)
        style_tables(self.root)
        self.pump = EventPump(self.root, self.ui_event)
        self.collector = TkThreadCollector(self.root)
        self._handlers: dict[type, Callable[[Any], None]] = {
            ConnectionStateChanged: self._connection_changed,
            ExtensionStateChanged: self._extension_state,
            TransferNoteReceived: self._transfer_note,
            LegRinging: lambda e: self._ringing(e, self.clock()),
            LegAnswered: lambda e: self._answered(e, self.clock()),
            LegHeld: lambda e: self._changed(self.calls.held(e), self.clock()),
            LegResumed: lambda e: self._changed(self.calls.resumed(e), self.clock()),
            LegTransferred: lambda e: self._changed(self.calls.transferred(e), self.clock()),
            LegEnded: lambda e: self._ended(e, self.clock()),
            CommandFailed: self._command_failed,
            WindowRaiseRequested: lambda e: self.bring_window_forward(),
        }
        self._leg_events = (LegRinging, LegAnswered, LegHeld, LegResumed, LegTransferred, LegEnded)
        self._unsubscribe: list[Callable[[], None]] = []
        self.calls = LiveCalls(self.station.extension)
        self.popups: dict[str, CallPopup] = {}
        self._ended_popups: set[str] = set()
        self._transfer_notes: dict[str, TransferNoteReceived] = {}
        self.transfer_dialogs: dict[str, TransferDialog] = {}   # by leg id
        self._tick_after: str | None = None
        self._ticks = 0
        self.window = MainWindow(
            self.root, extension=self.station.extension, is_demo=self.station.is_demo,
            on_connect=self.ports.connection.connect, on_disconnect=self.ports.connection.disconnect,
            on_hangup=self.hangup, on_open_popup=self.open_popup, on_settings=self.open_settings,
            on_focus_popup=self.focus_newest_popup, on_connection_changed=self._mark_connection,
            on_show_log=self.ports.status.log_path)
        self.notifier = Notifier(self.root, post=self.pump.call_soon,
                                 seconds=self.station.notify_seconds,
                                 app_name=_("{app} (demo)").format(app=APP_NAME)
                                 if self.station.is_demo else APP_NAME,
                                 backend=notify_backend)
        self.window.show_connection("off")
        self.window.show_store_problems(self._store_problems())
        self._closed = False
        # Closing the main window quits: every open popup's notes are saved first.
        self.root.protocol("WM_DELETE_WINDOW", self.quit)
        self._bind_transfer()
        # OUT-1/4/5, DIR-1..3: dial pad (Ctrl+N), directory (Ctrl+F), contact cards.
        self.dialling = DiallingWindows(
            self.root, self.ports, call_soon=self.pump.call_soon,
            background=lambda work, done: self.pump.run_in_background(work, done, name="contact-calls"))
        self.dialling.install(self.root, getattr(self.window, "menus", {}).get("calls"))
        # ROLE-1..3: sign-in, the User menu, who is shown, the line's options.
        self.session_ui = SessionUi(self.root, self.ports, self.window,
                                    toast=self.notifier.show_toast, on_quit=self.quit)
        # SCHED-1..3, CON-6, POP-6: schedule, reminders, activities (issue 8).
        self.scheduling = ScheduleWindows(
            self.root, self.ports, call_soon=self.pump.call_soon, notifier=self.notifier,
            background=lambda work, done: self.pump.run_in_background(work, done, name="scheduled-calls"))
        self.scheduling.install(self.root, getattr(self.window, "menus", {}).get("calls"),
                                selected_number=self._selected_number)
        if self.scheduling.schedule is not None:       # Schedule call… in cards and the directory
            self.dialling.on_schedule = self.scheduling.open_schedule_dialog
        # CON-1..6, REP-3: the call console and statistics (Calls › Call console…, Ctrl+Shift+L).
        from .console import ConsoleWindows
        self.console = ConsoleWindows(self.root, self.ports, call_soon=self.pump.call_soon,
                                      open_contact=lambda contact_id: self.dialling.open_card(contact_id))
        self.console.install(self.root, getattr(self.window, "menus", {}).get("calls"))
        # Issue 11: the queue panel (Calls › Queues…, Ctrl+Shift+Q).
        from .queues import QueuesWindows
        self.queues = QueuesWindows(self.root, self.ports, call_soon=self.pump.call_soon)
        self.queues.install(self.root, getattr(self.window, "menus", {}).get("calls"))
        # Issue 10: mass-call campaigns (Calls › Campaigns…, Ctrl+Shift+M).
        from .campaigns import CampaignWindows
        self.campaigns = CampaignWindows(self.root, self.ports, call_soon=self.pump.call_soon,
                                         open_contact=lambda *a, **k: self.dialling.open_card(*a, **k))
        self.campaigns.install(self.root, getattr(self.window, "menus", {}).get("calls"))

    # -- lifecycle ------------------------------------------------------------------------
    def queue_event(self, event: Any) -> None:
        """Hand a domain event to the UI. Safe from any thread."""
        self.pump.queue_event(event)

    def start(self) -> None:
        """Subscribe to the hub, start draining events and the one-second counter tick."""
        events = self.ports.events
        if events is not None and not self._unsubscribe:
            self._unsubscribe = [events.subscribe(kind, self.ui_event, deliver=self.pump.call_soon)
                                 for kind in self._handlers]
        self.scheduling.start()
        self.pump.start()
        self.collector.start()
        if self._tick_after is None:
            self._tick_after = self.root.after(TICK_MS, self._tick)

    def run(self) -> None:
        self.start()
        self.root.mainloop()

    def quit(self) -> None:
        """The user closed the main window: save notes, close everything, end mainloop."""
        self.close()
        try:
            if self.root.winfo_exists():
                self.root.destroy()
        except tk.TclError:
            pass

    def close(self) -> None:
        """Save every popup's notes, stop timers, remove the UI's windows; destroys the root
        too when this object created it. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for dialog in list(self.transfer_dialogs.values()):
            dialog.close()
        self.dialling.close()
        self.session_ui.close()
        self.scheduling.close()
        self.campaigns.close()                 # releases the campaign entry being worked
        for popup in list(self.popups.values()):
            if not popup.save_notes_now():
                log.error("notes of call %s could not be saved on exit", popup.leg.call_id)
            popup.closed = True
            popup.destroy()
        self.popups.clear()
        for toast in list(self.notifier.toasts):
            toast.dismiss()
        self.pump.stop()
        self.collector.stop()
        if self._tick_after is not None:
            self.root.after_cancel(self._tick_after)
            self._tick_after = None
        if self._owns_root:
            self.root.destroy()
        else:
            self.window.destroy()

    # -- events (Tk thread) ---------------------------------------------------------------
    def ui_event(self, event: Any) -> None:
        """Apply one domain event to the window and popups (Tk thread)."""
        handler = self._handlers.get(type(event))
        if handler is None:
            return          # e.g. CallLogged: the call log view refreshes from the store
        if isinstance(event, self._leg_events) and not self.calls.is_mine(event):
            return          # another extension's leg
        handler(event)

    def _command_failed(self, event: CommandFailed) -> None:
        """A PBX command the operator gave did not happen: say why, where they look."""
        self.notifier.show_toast(_("Not done"), event.message)

    def bring_window_forward(self) -> None:
        """The operator started the app again: show this window (their own action, so it
        may take the focus)."""
        try:
            self.root.deiconify()
            self.root.lift()
            self.root.focus_force()
        except tk.TclError:
            pass

    def _connection_changed(self, event: ConnectionStateChanged) -> None:
        if event.server:          # AMI-4: a further PBX has its own place in the status bar
            self.window.show_pbx_state(event.server, event.status, event.reason)
            return
        self.window.show_connection(event.status, event.reason)

    def _extension_state(self, event: ExtensionStateChanged) -> None:
        if event.extension == self.station.extension:
            self.window.show_phone_state(event.state, event.paused)

    def _ringing(self, event: LegRinging, now: datetime) -> None:
        if self.calls.get(event.leg_id) is not None:
            # Rebuilt after a reconnect (restored=True): refresh it, no second popup.
            self._changed(self.calls.ringing(event, now), now)
            return
        leg = self.calls.ringing(event, now)
        matches = list(self.ports.directory.lookup(leg.number)) if leg.number else []
        if matches:
            leg.contact_name = matches[0].contact.name
            leg.popup_suppressed = matches[0].contact.popup_priority == 0
        self.window.upsert_leg(leg, now)
        if leg.popup_suppressed:
            return
        if leg.direction != "out":
            self.notifier.new_call(leg.number, leg.display_name, leg.line)
        settings = self.station.popup_settings()
        wanted = settings.on_outgoing if leg.direction == "out" else settings.on_incoming
        if wanted:
            self._open_popup(leg, matches, silent=settings.silent,
                             bring_to_front=settings.bring_to_front and not settings.silent)

    def _answered(self, event: LegAnswered, now: datetime) -> None:
        before = self.calls.get(event.leg_id)
        known = before.number if before is not None else ""
        leg = self.calls.answered(event, now)
        if leg is not None and leg.number and leg.number != known:
            matches = list(self.ports.directory.lookup(leg.number))
            leg.contact_name = matches[0].contact.name if matches else ""
            popup = self.popups.get(leg.leg_id)
            if popup is not None:
                popup.set_caller(leg.number, matches, leg.caller_id_name, self.station.is_demo)
        self._changed(leg, now)

    def _changed(self, leg: LiveLeg | None, now: datetime) -> None:
        if leg is None:
            return
        self.window.upsert_leg(leg, now)
        popup = self.popups.get(leg.leg_id)
        if popup is not None:
            popup.refresh(now)

    def _ended(self, event: LegEnded, now: datetime) -> None:
        leg = self.calls.ended(event, now)
        self.window.remove_leg(event.leg_id)
        if leg is None:
            return
        popup = self.popups.get(leg.leg_id)
        if popup is not None:
            self._ended_popups.add(leg.leg_id)
            popup.call_ended(leg, now, self.session_ui.auto_close_seconds(
                leg, self.station.popup_settings().auto_close_seconds, event.status))
        if (leg.direction != "out" and leg.answered_at is None and not leg.popup_suppressed
                and event.status in ("missed", "abandoned", "unanswered", "busy")
                and self.session_ui.notify_missed()):
            self.notifier.missed_call(leg.number, leg.display_name)

    def _transfer_note(self, event: TransferNoteReceived) -> None:
        if event.to_extension != self.station.extension:
            return
        self._transfer_notes[event.call_id] = event
        for popup in self.popups.values():
            if popup.leg.call_id == event.call_id:
                self._show_transfer_note(popup, event)

    @staticmethod
    def _show_transfer_note(popup: CallPopup, note: TransferNoteReceived) -> None:
        """XFER-3: the note, who sent it, the call notes so far and the caller they knew."""
        popup.show_transfer(note.from_extension, note.notes, from_user=note.from_user,
                            call_notes=note.call_notes, contact_name=note.contact_name)

    # -- popups ---------------------------------------------------------------------------
    def open_popup(self, leg_id: str) -> CallPopup | None:
        """Show (or raise) the popup of a current leg, e.g. from the calls table."""
        popup = self.popups.get(leg_id)
        if popup is None:
            leg = self.calls.get(leg_id)
            if leg is None:
                return None
            matches = list(self.ports.directory.lookup(leg.number)) if leg.number else []
            popup = self._open_popup(leg, matches, silent=False, bring_to_front=False)
        popup.focus_notes()   # the operator asked for it: the keyboard goes there
        return popup

    def focus_newest_popup(self) -> CallPopup | None:
        """F2 (main window, any popup, Calls menu): the cursor into the newest popup's notes
        (no popup open: into the newest reminder)."""
        for popup in reversed(list(self.popups.values())):
            if not popup.closed:
                popup.focus_notes()
                return popup
        self.scheduling.focus_newest_reminder()
        return None

    def _mark_connection(self, status: str) -> None:
        """Not connected: nobody knows what the listed calls do (state unknown, timers
        stop, no hang-up). Connected again, calls rebuilt (gone ones ended first): the
        legs still listed are live again."""
        now = self.clock()
        legs = (self.calls.connection_back() if status == "connected"
                else self.calls.connection_lost(now))
        for leg in legs:
            self._changed(leg, now)

    def _open_popup(self, leg: LiveLeg, matches: list, *, silent: bool,
                    bring_to_front: bool) -> CallPopup:
        popup = CallPopup(
            self.root, leg, matches, line_note=self.ports.calls.line_note(leg.line) if leg.line else "",
            initial_notes=self.ports.calls.load_notes(leg.call_id),
            save_notes=self.ports.calls.save_notes, hangup=self.hangup,
            on_closed=self._popup_closed, is_demo=self.station.is_demo, iconify=silent,
            clock=self.clock, on_focus_newest=self.focus_newest_popup,
            on_transfer=self.open_transfer if self.ports.transfer is not None else None,
            on_call_back=self.call_back if self.ports.dial is not None else None,
            on_new_contact=self.dialling.new_contact_from if self.ports.contacts is not None else None,
            on_add_to_contact=self.dialling.add_to_contact if self.ports.contacts is not None else None,
            on_open_contact=self.dialling.open_card if self.ports.contacts is not None else None,
            on_schedule=self.scheduling.schedule_from_popup if self.scheduling.schedule is not None else None,
            on_activity=self.scheduling.activity_from_popup if self.scheduling.activities is not None else None)
        self.popups[leg.leg_id] = popup
        self.scheduling.show_scheduled_in(popup)
        note = self._transfer_notes.get(leg.call_id)
        if note is not None:
            self._show_transfer_note(popup, note)
        popup.refresh(self.clock())
        number = leg.number
        self.pump.run_in_background(lambda: self.ports.calls.recent_calls(number, RECENT_CALLS),
                                    popup.show_recent, name="recent-calls")
        if bring_to_front:
            try:
                if self.root.state() != "normal":   # deiconify on a shown window moves the
                    self.root.deiconify()          # keyboard to it on X11: only when needed
                self.root.lift()
            except tk.TclError:
                pass
            popup.bring_to_front()   # raised and blinking; the keyboard stays where it is
        elif not silent:
            popup.flash()
        return popup

    def _popup_closed(self, popup: CallPopup) -> None:
        if self.popups.get(popup.leg.leg_id) is popup:
            del self.popups[popup.leg.leg_id]
        self._ended_popups.discard(popup.leg.leg_id)

    # -- actions --------------------------------------------------------------------------
    def hangup(self, leg_id: str) -> None:
        self.ports.calls.hangup(leg_id)

    # -- transfer and call back (XFER-1..3, POP-7) ------------------------------------------
    def _bind_transfer(self) -> None:
        """Ctrl+T in the main window transfers the selected call (also in the Calls menu)."""
        if self.ports.transfer is None:
            return
        for sequence in ("<Control-t>", "<Control-T>"):
            self.root.bind(sequence, lambda _e: (self.open_transfer(), "break")[1])
        menu = getattr(self.window, "menus", {}).get("calls")
        if menu is not None:
            menu.add_command(label=_("Transfer the selected call…"), underline=0,
                             accelerator=_("Ctrl+T"), command=self.open_transfer)

    def open_transfer(self, leg_id: str | None = None) -> TransferDialog | None:
        """The transfer dialog for a leg (default: the calls table's selection); an open
        one is raised. The popup's notes are saved first so they travel with the call."""
        leg_id = leg_id or self.window.calls.selected_leg_id()
        leg = self.calls.get(leg_id) if leg_id else None
        if leg is None or self.ports.transfer is None:
            return None
        dialog = self.transfer_dialogs.get(leg.leg_id)
        if dialog is not None and not dialog.closed:
            dialog.lift()
            dialog.target_entry.focus_force()
            return dialog
        popup = self.popups.get(leg.leg_id)
        if popup is not None:
            popup.save_notes_now()
        events = self.ports.events
        subscribe = None if events is None else (
            lambda kind, handler: events.subscribe(kind, handler, deliver=self.pump.call_soon))
        dialog = TransferDialog(self.root, leg_id=leg.leg_id, over=popup,
                                before_send=popup.save_notes_now if popup is not None else None,
                                call_id=leg.call_id, number=leg.number, name=leg.display_name,
                                transfer=self.ports.transfer, presence=self.ports.presence,
                                subscribe=subscribe, on_closed=self._transfer_closed)
        self.transfer_dialogs[leg.leg_id] = dialog
        return dialog

    def _transfer_closed(self, dialog: TransferDialog) -> None:
        if self.transfer_dialogs.get(dialog.leg_id) is dialog:
            del self.transfer_dialogs[dialog.leg_id]

    def _selected_number(self) -> str:
        """The number of the call selected in the calls table ('' when none)."""
        leg_id = self.window.calls.selected_leg_id()
        leg = self.calls.get(leg_id) if leg_id else None
        return leg.number if leg is not None else ""

    def call_back(self, number: str) -> None:
        """POP-7 Call back: this workstation's phone rings, then the number."""
        if self.ports.dial is not None and number:
            self.ports.dial.dial(number)

    def open_settings(self) -> None:
        from .first_run import SettingsDialog
        dialog = SettingsDialog(self.root, self.ports.settings.settings_values(),
                                title=_("Settings"), save=self.ports.settings.save_settings,
                                test_connection=self.ports.settings.test_connection)
        dialog.show()

    # -- timers ---------------------------------------------------------------------------
    def _tick(self) -> None:
        self._tick_after = None
        now = self.clock()
        try:
            self.refresh_counters(now)
            self._ticks += 1
            if self._ticks % PROBLEMS_EVERY_TICKS == 0:
                self.window.show_store_problems(self._store_problems())
            self.window.show_calls_waiting(self.ports.status.calls_waiting())
        finally:
            try:
                self._tick_after = self.root.after(TICK_MS, self._tick)
            except tk.TclError:
                pass

    def refresh_counters(self, now: datetime | None = None) -> None:
        """Redraw every running duration (the tick calls this each second)."""
        now = now or self.clock()
        self.window.tick(self.calls, now)
        for leg_id, popup in list(self.popups.items()):
            if leg_id not in self._ended_popups:
                popup.refresh(now)
            else:
                popup.auto_close_tick(now)   # ended: closes by itself when due

    def _store_problems(self) -> list[str]:
        try:
            return list(self.ports.status.store_problems())
        except Exception:
            log.exception("store_problems failed")
            return []
