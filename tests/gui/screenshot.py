"""Screenshots of the operator window, a call popup, the toast and the settings dialog.

    python tests/gui/screenshot.py [OUTPUT_DIR]      (default docs/screenshots)

Needs an X display; starts ``Xvfb :98`` itself when DISPLAY is unset. Uses ImageMagick
``import`` to grab each window. Data is Greek/Cyrillic/Czech/Persian on purpose.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import tkinter as tk
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def ensure_display() -> subprocess.Popen | None:
    if os.environ.get("DISPLAY"):
        return None
    xvfb = subprocess.Popen(["Xvfb", ":98", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ["DISPLAY"] = ":98"
    time.sleep(1.0)
    return xvfb


def grab(widget, path: Path) -> None:
    widget.lift()
    widget.update()
    time.sleep(0.2)
    widget.update()
    frame = widget.wm_frame()
    subprocess.run(["import", "-window", frame, str(path)], check=True)
    print("wrote", path)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    xvfb = ensure_display()
    try:
        from callcore.events import (ConnectionStateChanged, ExtensionStateChanged, LegAnswered,
                                     LegHeld, TransferNoteReceived)
        from tests.gui.fakes import FakeServices, ringing, sample_contacts, sample_log
        from ui.app import OperatorUi

        now = datetime.now(timezone.utc)
        services = FakeServices(extension="201", contacts=sample_contacts(), calls_log=sample_log(now),
                                line_notes={"2101234500": "Γραμμή πωλήσεων — απαντάμε στα ελληνικά"},
                                problems=["calls-2024-05.json: checksum mismatch, moved to quarantine/"],
                                notify_seconds=30)
        ui = OperatorUi(services, notify_backend=None)
        root = ui.root
        backdrop = tk.Toplevel(root, background="#46596b")
        backdrop.overrideredirect(True)
        backdrop.geometry(f"{root.winfo_screenwidth()}x{root.winfo_screenheight()}+0+0")
        backdrop.lower()
        root.geometry("900x470+20+20")
        ui.ui_event(ConnectionStateChanged("connected"))
        ui.ui_event(ExtensionStateChanged("201", "busy"))
        held = ringing("L1", "+7 495 765 4321", at=now - timedelta(minutes=4, seconds=12))
        ui.ui_event(held)
        ui.ui_event(LegAnswered("L1", held.call_id, "201", now - timedelta(minutes=4)))
        ui.ui_event(LegHeld("L1", held.call_id, "201", now - timedelta(seconds=40)))
        active = ringing("L2", "+420 602 111 222", direction="out", line="00420602111222",
                         at=now - timedelta(seconds=95))
        ui.ui_event(active)
        ui.ui_event(LegAnswered("L2", active.call_id, "201", now - timedelta(seconds=88)))
        for popup in list(ui.popups.values()):
            popup.close()
        call = ringing("L3", "2101234567", line="2101234500", at=now - timedelta(seconds=6),
                       transferred_by="204", linkedid="screenshot-greek")
        ui.ui_event(TransferNoteReceived(call.call_id, "204", "201",
                                         "Θέλει να μιλήσει για την παραγγελία 4471"))
        ui.ui_event(call)
        popup = ui.popups["L3"]
        popup.geometry("+940+20")
        popup.notes.insert("1.0", "Πελάτης ρωτά για παράδοση την Τρίτη.\nПерезвонить после 15:00.")
        ui.pump.drain()
        deadline = time.time() + 3
        while time.time() < deadline and popup.recent.exists("loading"):
            root.update()
            ui.pump.drain()
            time.sleep(0.05)
        ui.refresh_counters()
        grab(root, out / "main-window.png")
        grab(popup, out / "popup.png")

        ui.notifier.show_toast("Incoming call: +98 21 8888 7777 — رضا محمدی", "Line 2101234500")
        toast = ui.notifier.toasts[-1]
        grab(toast, out / "toast.png")
        from ui.first_run import SettingsDialog
        dialog = SettingsDialog(root, {"ami": {"host": "pbx.office.lan", "port": "abc",
                                               "username": "operator", "secret": "s3cret"}},
                                title="Operator — first start", first_run=True)
        dialog.geometry("+20+520")
        dialog.submit()
        grab(dialog, out / "first-run.png")
        for window in (root, popup, toast, dialog):
            window.lift()
        root.update()
        time.sleep(0.2)
        subprocess.run(["import", "-window", "root", str(out / "desktop.png")], check=True)
        print("wrote", out / "desktop.png")
        dialog.destroy()
        ui.close()
    finally:
        if xvfb is not None:
            xvfb.terminate()
    return 0


if __name__ == "__main__":
    if shutil.which("import") is None:
        sys.exit("ImageMagick 'import' is not installed")
    sys.exit(main())
