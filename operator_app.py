"""The operator app: one executable, several modes.

    operator_app.py [--settings PATH]                 the operator window
    operator_app.py --demo                            window + built-in demo PBX
    operator_app.py [--settings PATH] --recorder      headless: log every call of the PBX
    operator_app.py --settings PATH contacts|calls|store ...   admin command line
    operator_app.py --self-test                       check a (frozen) build and exit

Services are created and wired here (and in app/wiring modules it calls), and only here.
"""
from __future__ import annotations

import sys

CLI_COMMANDS = {"contacts", "calls", "store"}


def _self_test() -> int:
    from callcore.selftest import run_checks
    extra = []
    try:
        from ui.selftest import check_window
        extra.append(check_window)
    except Exception as exc:  # noqa: BLE001 - reported as a failed check below
        print(f"FAIL window: {exc!r}")
        return 1
    results = run_checks(extra)
    for r in results:
        print(f"{'ok  ' if r.ok else 'FAIL'} {r.name} {r.detail}".rstrip())
    return 0 if all(r.ok for r in results) else 1


def _attach_windows_console() -> None:
    """The Windows build is a window app (no console flashing on double-click). Started
    from a command prompt with arguments (CLI, --recorder, --self-test), write to that
    prompt's console instead of nowhere."""
    if sys.platform != "win32" or not getattr(sys, "frozen", False):
        return
    import ctypes
    if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
        sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")
        sys.stderr = sys.stdout


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args:
        _attach_windows_console()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    if "--self-test" in args:
        return _self_test()
    if CLI_COMMANDS & set(args):
        from callcore.cli import main as cli_main
        return cli_main(args)
    return run_app(args)


def _parse_app_args(args: list[str]):
    import argparse
    from callcore.i18n import _
    parser = argparse.ArgumentParser(
        prog="operator_app", description=_("Operator app for Asterisk"),
        epilog=_("admin commands: operator_app --settings PATH contacts|calls|store ... "
                 "(add --help after one for its options)"))
    parser.add_argument("--settings", metavar="PATH", help=_("settings JSON (default: settings.json beside the program)"))
    parser.add_argument("--demo", action="store_true", help=_("run against the built-in demo PBX"))
    parser.add_argument("--recorder", action="store_true", help=_("no window: log every call of the PBX"))
    parser.add_argument("--self-test", action="store_true", help=_("check this build and exit"))
    return parser.parse_args(args)


def _load_settings(path: str | None):
    """Settings from --settings (exactly that file) or office file + per-user overrides."""
    from pathlib import Path
    from callcore.settings import load_settings
    return load_settings(Path(path), user_file=False) if path else load_settings()


def _demo_settings(folder=None):
    """Start the demo PBX and return (settings, pbx); demo data lives in a per-user folder."""
    from pathlib import Path
    from callcore.demo import DemoPbx, demo_settings
    from callcore.settings import default_local_folder, settings_from_dict
    pbx = DemoPbx(extension="201")
    pbx.start()
    folder = Path(folder) if folder else default_local_folder() / "demo"
    (folder / "shared").mkdir(parents=True, exist_ok=True)
    return settings_from_dict(demo_settings(folder, pbx)), pbx


def _open_store(settings):
    from callcore.store import Store
    return Store.open(settings.local_folder, settings.shared_folder, settings.station_id,
                      sync_interval=float(settings.get("store.sync_interval")))


def run_recorder(args) -> int:
    from callcore.i18n import _
    from callcore.recorder import run_recorder as run
    from callcore.settings import SettingsError
    from callcore.store import StationInUseError
    try:
        settings = _load_settings(args.settings)
        store = _open_store(settings)
    except FileNotFoundError as exc:
        print(_("error: no settings file at {path}; pass --settings PATH").format(path=exc), file=sys.stderr)
        return 2
    except (SettingsError, StationInUseError) as exc:
        print(_("error: {problem}").format(problem=exc), file=sys.stderr)
        return 2
    return run(settings, store)


def _first_run(root) -> bool:
    """First-run wizard: write the answers as this user's settings; False if cancelled."""
    from ui.first_run import ask_first_run_settings
    from callcore.settings import DEFAULTS, save_user_settings
    values = ask_first_run_settings(root, DEFAULTS)
    if values is None:
        return False
    save_user_settings(values)
    return True


class OperatorSession:
    """One running operator window with its services (and the demo PBX in demo mode)."""

    def __init__(self, ui, services, pbx=None):
        self.ui, self.services, self.pbx = ui, services, pbx

    def close(self) -> None:
        self.services.close()
        if self.pbx is not None:
            self.pbx.stop()


def start_operator(args, root, demo_folder=None):
    """Settings → store → services → window, connected. Returns an OperatorSession, or an
    exit code after telling the user why it cannot start."""
    from tkinter import messagebox
    from callcore.i18n import _
    from callcore.services import LiveServices
    from callcore.settings import SettingsError
    from callcore.store import StationInUseError
    from ui.app import OperatorUi

    pbx = None
    try:
        if args.demo:
            settings, pbx = _demo_settings(demo_folder)
        else:
            try:
                settings = _load_settings(args.settings)
            except FileNotFoundError:
                if args.settings or not _first_run(root):
                    messagebox.showerror(_("Operator"), _("No settings file; nothing to do."))
                    return 2
                settings = _load_settings(None)
        store = _open_store(settings)
    except (SettingsError, StationInUseError) as exc:
        if pbx is not None:
            pbx.stop()
        messagebox.showerror(_("Operator"), str(exc))
        return 2
    services = LiveServices(settings, store, is_demo=args.demo)
    if args.demo:
        from callcore.demo import demo_contacts
        for contact in demo_contacts():
            if store.contacts.get(contact.id) is None:
                store.contacts.put(contact)
    import gc
    gc.freeze()  # the loaded directory is long-lived: keep it out of GC scans (lookup p99)
    ui = OperatorUi(services, root=root)
    services.attach_ui(ui.queue_event)
    root.deiconify()
    ui.start()
    services.connect()
    return OperatorSession(ui, services, pbx)


def run_app(argv: list[str]) -> int:
    args = _parse_app_args(argv)
    if args.recorder:
        return run_recorder(args)
    import ttkbootstrap as ttk
    from callcore.i18n import _
    root = ttk.Window(title=_("Operator"), themename="flatly", size=(900, 520), minsize=(640, 340))
    root.withdraw()
    session = start_operator(args, root)
    if isinstance(session, int):
        return session
    try:
        root.mainloop()
    finally:
        session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
