"""The operator app: one executable, several modes.

    operator_app.py [--settings PATH]                 the operator window
    operator_app.py --demo                            window + built-in demo PBX
    operator_app.py [--settings PATH] --recorder      headless: log every call of the PBX
    operator_app.py --settings PATH contacts|calls|store ...   admin command line
    operator_app.py --self-test                       check a (frozen) build and exit
    operator_app.py dial NUMBER|tel:NUMBER            hand a number to the running window

Each mode builds its parts with ``callcore.app.build_app`` (the one composition root); this
file only picks the mode, starts logging and hands the window its ports.
"""
from __future__ import annotations

import sys

CLI_COMMANDS = {"contacts", "calls", "store", "users", "schedule", "report", "export", "campaign"}


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
    dial_at = _command_position(args, "dial")
    if dial_at is not None:
        return run_dial(args[dial_at + 1:])
    if CLI_COMMANDS & set(args):
        from callcore.cli import main as cli_main
        return cli_main(args)
    return run_app(args)


# The window's options that take a value: a script may put them before any command.
_VALUE_OPTIONS = {"--settings", "--language", "--user", "--log-level"}


def _command_position(args: list[str], command: str) -> int | None:
    """Where ``command`` stands in ``args`` when only the window's options come before it
    (``--settings S dial N`` as well as ``dial N``); None when it is not the command."""
    i = 0
    while i < len(args):
        if args[i] == command:
            return i
        if args[i] in _VALUE_OPTIONS:
            i += 2
        elif args[i].startswith("--"):
            i += 1
        else:
            return None
    return None


def run_dial(args: list[str]) -> int:
    """``dial NUMBER``: the running window dials it as if typed into its dial pad.
    Exit 0 dialling, 1 no window running, 2 the number was refused (reason printed)."""
    import argparse
    from callcore.app.single_instance import number_from_link, send_to_running
    from callcore.i18n import _
    parser = argparse.ArgumentParser(prog="operator_app dial",
                                     description=_("hand a number to the running operator window"))
    parser.add_argument("number", help=_("a number, or a tel: / callto: link"))
    number = number_from_link(parser.parse_args(args).number)
    reply = send_to_running({"command": "dial", "number": number})
    if reply is None:
        print(_("The operator app is not running on this computer; start it, then dial again."),
              file=sys.stderr)
        return 1
    print(reply.get("message", ""), file=sys.stdout if reply.get("ok") else sys.stderr)
    return 0 if reply.get("ok") else 2


def _become_the_instance(wait_seconds: float = 10.0):
    """(SingleInstance, None) when this process is now the user's one window; otherwise
    (None, exit code) after bringing the running window forward (PKG-5)."""
    import time
    from callcore.app.single_instance import SingleInstance, send_to_running
    from callcore.i18n import _
    instance = SingleInstance()
    if instance.acquire():
        return instance, None
    deadline = time.monotonic() + wait_seconds
    while True:                     # the other one may still be starting: its door opens soon
        reply = send_to_running({"command": "raise"})
        if reply is not None and reply.get("ok"):
            print(_("The operator app is already running; its window was brought forward."))
            return None, 0
        if time.monotonic() > deadline:
            print(_("The operator app is already running but does not answer."), file=sys.stderr)
            return None, 1
        time.sleep(0.3)


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
    parser.add_argument("--language", metavar="CODE", default="",
                        help=_("UI language for this run: en, el, ru, cs or fa (default: the ui.language setting)"))
    parser.add_argument("--user", metavar="NAME", default="",
                        help=_("sign this user in (preselected; at once when users.passwords is off)"))
    from callcore.logs import add_log_level_argument
    add_log_level_argument(parser)
    return parser.parse_args(args)


def start_logging(mode: str, level: str = "INFO"):
    """The per-user rotating log file for this mode, with every thread's uncaught exception
    in it (the Windows build has no console: this file is the only trace). Returns its path."""
    from callcore.logs import install_exception_hooks, setup_logging
    path = setup_logging(mode, level)
    install_exception_hooks()
    return path


def _load_language(args) -> None:
    """The UI language, loaded before any window exists: --language, else ui.language of
    the settings, else (first start, no settings yet) the system's language."""
    from callcore.i18n import load_language, system_language
    lang = getattr(args, "language", "")
    if not lang:
        try:
            lang = _load_settings(args.settings).get("ui.language")
        except Exception:  # noqa: BLE001 - no or broken settings: start_operator says why
            lang = system_language()
    load_language(str(lang))


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


def run_recorder(args) -> int:
    from callcore.i18n import _
    from callcore.recorder import run_recorder as run
    from callcore.settings import SettingsError
    from callcore.store import StationInUseError, StoreError
    log_file = start_logging("recorder", args.log_level)
    try:
        settings = _load_settings(args.settings)
        return run(settings, log_file=log_file)
    except FileNotFoundError as exc:
        print(_("error: no settings file at {path}; pass --settings PATH").format(path=exc), file=sys.stderr)
        return 2
    except (SettingsError, StationInUseError, StoreError) as exc:
        print(_("error: {problem}").format(problem=exc), file=sys.stderr)
        return 2


def _first_run(root) -> bool:
    """First-run wizard: write the answers as this user's settings; False if cancelled."""
    from ui.first_run import ask_first_run_settings
    from callcore.settings import DEFAULTS, save_user_settings
    values = ask_first_run_settings(root, DEFAULTS)
    if values is None:
        return False
    save_user_settings(values)
    from callcore.i18n import load_language
    load_language(values.get("ui", {}).get("language", "en"))   # the main window is built next
    return True


def ui_ports_for(app):
    """The window's view of the application: one port per feature (``ui.ports.UiPorts``)."""
    from ui.ports import PopupSettings, StationInfo, UiPorts
    station = StationInfo(
        extension=app.extension, is_demo=app.is_demo,
        notify_seconds=int(app.settings.get("notify.seconds")),
        popup_settings=lambda: PopupSettings.from_section(app.preferences.popup_section()))
    from callcore.app.session import guarded
    settings, calls, contacts = guarded(app.session, app.preferences, app.calls, app.contacts)  # ROLE-1/2
    return UiPorts(station=station, connection=app.pbx, calls=calls, directory=app.directory,
                   settings=settings, status=app.status, events=app.hub,
                   transfer=app.transfer, presence=app.presence, dial=app.dialling,
                   contacts=contacts, speed_dial=app.speed_dial, dial_pad=app.dialling,
                   session=app.session, users=app.users,
                   schedule=app.schedule, activities=app.activities,
                   console=app.console, stats=app.console, queues=app.queues,
                   recordings=app.recordings,
                   campaigns=app.campaigns)


class OperatorSession:
    """One running operator window with its application (and the demo PBX in demo mode)."""

    def __init__(self, ui, app, pbx=None):
        self.ui, self.app, self.pbx = ui, app, pbx

    def close(self) -> None:
        self.app.close()
        if self.pbx is not None:
            self.pbx.stop()


def start_operator(args, root, demo_folder=None, log_file=None):
    """Settings → application → window, connected. Returns an OperatorSession, or an
    exit code after telling the user why it cannot start."""
    from tkinter import messagebox
    from callcore.app import AppMode, build_app
    from callcore.i18n import _
    from callcore.settings import SettingsError
    from callcore.store import StationInUseError, StoreError
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
        app = build_app(settings, AppMode.WINDOW, is_demo=args.demo, log_file=log_file)
    except (SettingsError, StationInUseError, StoreError) as exc:
        if pbx is not None:
            pbx.stop()
        messagebox.showerror(_("Operator"), str(exc))
        return 2
    if args.demo:
        from callcore.demo import demo_contacts
        for contact in demo_contacts():
            if app.store.contacts.get(contact.id) is None:
                app.store.contacts.put(contact)
    import gc
    gc.freeze()  # the loaded directory is long-lived: keep it out of GC scans (lookup p99)
    ui = OperatorUi(ui_ports_for(app), root=root)
    root.deiconify()
    ui.start()
    signing_in = app.session is not None and app.session.has_users()
    app.start(connect=not signing_in)          # with users: the line connects at sign-in (ROLE-3)
    ui.session_ui.begin(preselect=getattr(args, "user", "") or "")
    return OperatorSession(ui, app, pbx)


def _quit_on_terminate(root, ui) -> None:
    """SIGTERM (logout, shutdown, a test) closes the window the way the user would: notes
    saved, queued calls written, changes published."""
    import signal

    def terminate(*_args) -> None:
        try:
            root.after_idle(ui.quit)
        except Exception:  # noqa: BLE001 - the window is already gone
            pass
    signal.signal(signal.SIGTERM, terminate)


def run_app(argv: list[str]) -> int:
    args = _parse_app_args(argv)
    if args.recorder:
        return run_recorder(args)
    log_file = start_logging("window", args.log_level)
    instance, exit_code = _become_the_instance()
    if instance is None:
        return exit_code
    _load_language(args)
    import ttkbootstrap as ttk
    from callcore.i18n import _
    from callcore.logs import tk_report_callback_exception
    root = ttk.Window(title=_("Operator"), themename="flatly", size=(900, 520), minsize=(640, 340))
    tk_report_callback_exception(root)
    import gc
    gc.disable()     # from now on only the Tk thread collects (ui/tk_gc.py explains why)
    root.withdraw()
    session = start_operator(args, root, log_file=log_file)
    if isinstance(session, int):
        instance.close()
        return session
    from callcore.app.dialling import handoff_handler
    instance.serve(handoff_handler(session.app.hub, session.app.commands))
    _quit_on_terminate(root, session.ui)
    try:
        root.mainloop()
    finally:
        instance.close()
        session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
