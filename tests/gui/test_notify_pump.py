"""Notifications with the toast fallback (POP-6) and the thread → Tk event pump."""
from __future__ import annotations

import threading

from tests.gui.conftest import wait_until
from ui.notify import Notifier
from ui.pump import EventPump


def test_toast_fallback_when_backend_raises(root):
    pump = EventPump(root, lambda event: None)
    calls = []

    def no_backend(**kwargs):
        calls.append(kwargs)
        raise NotImplementedError("No usable implementation found!")

    notifier = Notifier(root, post=pump.call_soon, seconds=1, app_name="Operator",
                        backend=no_backend)
    notifier.notify("Incoming call: Анна Смирнова", "Line 2101234500")
    assert wait_until(root, lambda: notifier.toasts, pump=pump)
    toast = notifier.toasts[0]
    assert toast.title_text == "Incoming call: Анна Смирнова"
    assert toast.winfo_viewable()
    assert calls and calls[0]["app_name"] == "Operator" and calls[0]["timeout"] == 1
    # Once the backend proved unusable, the toast shows at once, no thread needed.
    before = set(threading.enumerate())
    notifier.notify("Missed call", "2101234567")
    assert len(notifier.toasts) == 2
    for thread in set(threading.enumerate()) - before:
        thread.join(5)                  # barrier: a send started anyway has finished
    assert len(calls) == 1, "the broken backend is not tried again"
    # They go away by themselves after `seconds`.
    assert wait_until(root, lambda: not notifier.toasts, timeout=10, pump=pump)


def test_working_backend_gets_the_notification_in_a_worker_thread(root):
    pump = EventPump(root, lambda event: None)
    seen = []
    notifier = Notifier(root, post=pump.call_soon, seconds=7, app_name="Operator",
                        backend=lambda **kw: seen.append((threading.current_thread().name, kw)))
    notifier.missed_call("2101234567", "Γιώργος Παπαδόπουλος")
    assert wait_until(root, lambda: seen, pump=pump)
    thread_name, kwargs = seen[0]
    assert thread_name != threading.main_thread().name
    assert kwargs["message"] == "2101234567 — Γιώργος Παπαδόπουλος" and kwargs["timeout"] == 7
    assert notifier.toasts == []


def test_zero_seconds_means_no_notification(root):
    pump = EventPump(root, lambda event: None)
    seen = []
    notifier = Notifier(root, post=pump.call_soon, seconds=0, app_name="Operator",
                        backend=lambda **kw: seen.append(kw["title"]))
    before = set(threading.enumerate())
    notifier.notify("switched off", "y")
    # Barrier: a later notification, sent once they are on again, went all the way to the
    # backend; every thread started meanwhile has finished. Only then can "the first was
    # not sent" be asserted (sending happens on a worker thread).
    notifier.seconds = 7
    notifier.notify("sentinel", "y")
    assert wait_until(root, lambda: "sentinel" in seen, pump=pump)
    for thread in set(threading.enumerate()) - before:
        thread.join(5)
    pump.drain()
    root.update()
    assert seen == ["sentinel"] and notifier.toasts == []


def test_pump_drains_events_from_other_threads_on_the_tk_thread(root):
    handled = []
    pump = EventPump(root, lambda event: handled.append((event, threading.current_thread())))
    pump.start()
    per_thread = 300

    def producer(n):
        for i in range(per_thread):
            pump.queue_event((n, i))

    threads = [threading.Thread(target=producer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wait_until(root, lambda: len(handled) == 4 * per_thread)
    pump.stop()
    assert all(thread is threading.main_thread() for _, thread in handled)
    for n in range(4):
        assert [i for (m, i), _ in handled if m == n] == list(range(per_thread))


def test_pump_batch_cap_and_bad_events(root):
    handled = []

    def handler(event):
        if event == "bad":
            raise ValueError("broken event")
        handled.append(event)

    pump = EventPump(root, handler, batch_cap=200)
    pump.queue_event("bad")
    for i in range(450):
        pump.queue_event(i)
    assert pump.drain() == 200          # one round handles at most batch_cap items
    assert pump.drain() == 200
    assert pump.drain() == 51
    assert handled == list(range(450))  # the bad event did not stop anything


def test_run_in_background_delivers_on_tk_thread(root):
    pump = EventPump(root, lambda event: None)
    pump.start()
    got = []
    pump.run_in_background(lambda: threading.current_thread().name,
                           lambda result: got.append((result, threading.current_thread())))
    assert wait_until(root, lambda: got)
    pump.stop()
    worker_name, delivered_on = got[0]
    assert worker_name != threading.main_thread().name
    assert delivered_on is threading.main_thread()


def test_toasts_never_cover_each_other(root):
    """Toasts of different heights (a long title wraps), and an older one leaving first."""
    pump = EventPump(root, lambda event: None)
    notifier = Notifier(root, post=pump.call_soon, seconds=30, app_name="Operator", backend=None)

    def overlapping():
        root.update()
        spans = sorted((t.winfo_y(), t.winfo_y() + t.winfo_height()) for t in notifier.toasts)
        return any(top < prev_bottom for (_, prev_bottom), (top, _) in zip(spans, spans[1:]))

    first = notifier.show_toast("Incoming call: 420601234567 — Žluťoučký kůň s.r.o. velkoobchod",
                                "Line 2101234567")
    notifier.show_toast("Incoming call: 6945123456", "Line 2101234567")
    assert not overlapping()
    first.dismiss()                                  # the older one goes first
    notifier.show_toast("Missed call", "982188776655 — محمد رضایی")
    assert len(notifier.toasts) == 2 and not overlapping()
    for toast in list(notifier.toasts):
        toast.dismiss()
