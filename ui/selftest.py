"""Self-test part that needs a display: a themed window opens, shows Unicode text, closes."""
from __future__ import annotations

from callcore.i18n import _
from callcore.selftest import CheckResult


def check_window() -> CheckResult:
    import ttkbootstrap as ttk
    root = ttk.Window(themename="flatly")
    try:
        label = ttk.Label(root, text="Μανουσάκης · Иван · Žluťoučký · محمد")
        label.pack()
        root.update()
        ok = label.winfo_ismapped() and label.cget("text").startswith("Μανουσάκης")
    finally:
        root.destroy()
    return CheckResult(_("window"), bool(ok))
