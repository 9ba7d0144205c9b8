"""Start the app when the user signs in to the computer (SPEC PKG-5, setting ui.autostart):
a per-user Run entry on Windows, an XDG autostart file on Linux. Only this user's entries
are touched; nothing needs administrator rights."""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
ENTRY = "OperatorApp"


def start_command() -> list[str]:
    """How to start this program: the executable itself when frozen, else Python + script."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, str(Path(__file__).resolve().parent.parent / "operator_app.py")]


def xdg_autostart_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / "operator-app.desktop"


def _quoted(parts: list[str]) -> str:
    return " ".join(f'"{p}"' if " " in p else p for p in parts)


def set_autostart(enabled: bool) -> str:
    """Create or remove the entry; returns where it is (for the log and the dialog)."""
    command = start_command()
    if sys.platform == "win32":
        import winreg
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            if enabled:
                winreg.SetValueEx(key, ENTRY, 0, winreg.REG_SZ, _quoted(command))
            else:
                try:
                    winreg.DeleteValue(key, ENTRY)
                except FileNotFoundError:
                    pass
        where = rf"HKEY_CURRENT_USER\{RUN_KEY}\{ENTRY}"
    else:
        path = xdg_autostart_file()
        if enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("[Desktop Entry]\nType=Application\nName=Operator\n"
                            f"Exec={_quoted(command)}\nX-GNOME-Autostart-enabled=true\n",
                            encoding="utf-8")
        else:
            path.unlink(missing_ok=True)
        where = str(path)
    log.info("autostart %s: %s", "on" if enabled else "off", where)
    return where
