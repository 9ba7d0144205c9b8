"""Signing in at the workstation (ROLE-1) and the per-line options the window honours (ROLE-3).

    session_ui = SessionUi(root, ports, window, toast=notifier.show_toast, on_quit=ui.quit)
    session_ui.begin(preselect="Anna")     # at start: sign-in dialog (or nothing without users)

The sign-in dialog is modal over the main window: nothing else is usable until somebody
signs in (Quit closes the app). The User menu has Sign out, Switch user…, Change my
password… and, for directors and supervisors, Users…. With no users defined the app works
as before and says so once.
"""
from __future__ import annotations

import logging
import tkinter as tk
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.i18n import _
from callcore.roles import role_label

from .look import STATE_COLOURS, menu_look, mnemonic, setup_fonts

log = logging.getLogger(__name__)

MISSED = ("missed", "abandoned", "unanswered", "busy")


def _center_over(window: tk.Toplevel, master: tk.Misc) -> None:
    """Put ``window`` in the middle of ``master`` (of the screen when it is not shown)."""
    window.update_idletasks()
    top = master.winfo_toplevel()
    width, height = window.winfo_reqwidth(), window.winfo_reqheight()
    if top.winfo_viewable():
        x = top.winfo_rootx() + (top.winfo_width() - width) // 2
        y = top.winfo_rooty() + (top.winfo_height() - height) // 3
    else:
        x = (window.winfo_screenwidth() - width) // 2
        y = (window.winfo_screenheight() - height) // 3
    window.geometry(f"+{max(0, x)}+{max(0, y)}")


class SignInDialog(ttk.Toplevel):
    """Pick a user (the last one preselected) and, when passwords are on, type the password.
    ``on_signed_in(user)`` runs after a successful sign-in; ``on_cancel()`` when closed."""

    def __init__(self, master: tk.Misc, session: Any, *, preselect: str = "",
                 on_signed_in: Callable[[Any], None], on_cancel: Callable[[], None],
                 cancel_label: str = ""):
        super().__init__(title=_("Sign in"), master=master, minsize=(360, 200), resizable=(False, False))
        setup_fonts(master)
        self.session = session
        self._on_signed_in = on_signed_in
        self._on_cancel = on_cancel
        self.closed = False
        self.protocol("WM_DELETE_WINDOW", self.cancel)
        self.bind("<Escape>", lambda _e: self.cancel())
        self.bind("<Return>", lambda _e: self.submit())

        outer = ttk.Frame(self, padding=(20, 16, 20, 14))
        outer.pack(fill="both", expand=True)
        outer.columnconfigure(1, weight=1)
        ttk.Label(outer, text=_("Who is working at this desk?"), font="OperatorTitleFont").grid(
            row=0, column=0, columnspan=2, sticky="w", pady=(0, 12))
        names = [u.name for u in session.users()]
        ttk.Label(outer, text=_("User")).grid(row=1, column=0, sticky="w", padx=(0, 10))
        self.user_var = tk.StringVar(value=self._initial(names, preselect))
        self.user_box = ttk.Combobox(outer, textvariable=self.user_var, values=names, state="readonly", width=28)
        self.user_box.grid(row=1, column=1, sticky="ew", pady=4)
        self.password_var = tk.StringVar()
        self.password_entry = ttk.Entry(outer, textvariable=self.password_var, show="•", width=30)
        if session.passwords_required:
            ttk.Label(outer, text=_("Password")).grid(row=2, column=0, sticky="w", padx=(0, 10))
            self.password_entry.grid(row=2, column=1, sticky="ew", pady=4)
        self.message = ttk.Label(outer, text="", foreground=STATE_COLOURS["held"], wraplength=320,
                                 justify="left")
        self.message.grid(row=3, column=0, columnspan=2, sticky="w", pady=(8, 0))
        buttons = ttk.Frame(outer)
        buttons.grid(row=4, column=0, columnspan=2, sticky="e", pady=(12, 0))
        ttk.Button(buttons, text=cancel_label or _("Cancel"), bootstyle="primary-outline", width=10,
                   command=self.cancel).pack(side="right")
        self.sign_in_button = ttk.Button(buttons, text=_("Sign in"), bootstyle="primary", width=10,
                                         command=self.submit)
        self.sign_in_button.pack(side="right", padx=(0, 8))
        self.transient(master)
        _center_over(self, master)
        self.lift()
        try:
            self.grab_set()             # the main window waits until somebody signs in
        except tk.TclError:
            pass
        focus = self.password_entry if session.passwords_required and self.user_var.get() else self.user_box
        focus.focus_force()

    @staticmethod
    def _initial(names: list[str], preselect: str) -> str:
        folded = preselect.strip().casefold()
        found = [n for n in names if n.casefold() == folded]
        if found:
            return found[0]
        return names[0] if len(names) == 1 else ""

    def submit(self) -> None:
        name = self.user_var.get()
        if not name:
            self.message.configure(text=_("Choose your name from the list."))
            return
        try:
            user = self.session.sign_in(name, self.password_var.get())
        except ValueError as exc:
            self.password_var.set("")
            self.message.configure(text=str(exc))
            self.password_entry.focus_set()
            return
        self._close()
        self._on_signed_in(user)

    def cancel(self) -> None:
        if self.closed:
            return
        self._close()
        self._on_cancel()

    def _close(self) -> None:
        self.closed = True
        try:
            self.grab_release()
            self.destroy()
        except tk.TclError:
            pass


class PasswordDialog(ttk.Toplevel):
    """Change one's own password: the new one twice."""

    def __init__(self, master: tk.Misc, save: Callable[[str], None]):
        super().__init__(title=_("Change my password"), master=master, resizable=(False, False))
        self._save = save
        self.closed = False
        outer = ttk.Frame(self, padding=(20, 16))
        outer.pack(fill="both", expand=True)
        self.first, self.second = tk.StringVar(), tk.StringVar()
        for row, (label, var) in enumerate(((_("New password"), self.first), (_("Again"), self.second))):
            ttk.Label(outer, text=label).grid(row=row, column=0, sticky="w", padx=(0, 10))
            ttk.Entry(outer, textvariable=var, show="•", width=26).grid(row=row, column=1, pady=4)
        self.message = ttk.Label(outer, text="", foreground=STATE_COLOURS["held"])
        self.message.grid(row=2, column=0, columnspan=2, sticky="w")
        ttk.Button(outer, text=_("Save"), bootstyle="primary", command=self.submit).grid(
            row=3, column=1, sticky="e", pady=(10, 0))
        self.bind("<Return>", lambda _e: self.submit())
        self.bind("<Escape>", lambda _e: self.destroy())
        self.transient(master)
        _center_over(self, master)

    def submit(self) -> None:
        if not self.first.get() or self.first.get() != self.second.get():
            self.message.configure(text=_("Type the same new password twice."))
            return
        try:
            self._save(self.first.get())
        except ValueError as exc:
            self.message.configure(text=str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - PermissionDenied: said, not raised into Tk
            self.message.configure(text=str(exc))
            return
        self.closed = True
        self.destroy()


class SessionUi:
    """The window's side of signing in: the dialog, the User menu, who is shown in the title
    and status bar, and the signed-in line's options (ROLE-3)."""

    def __init__(self, root: tk.Misc, ports: Any, window: Any, *,
                 toast: Callable[[str, str], Any] | None = None, on_quit: Callable[[], None] | None = None):
        self.root = root
        self.session = getattr(ports, "session", None)
        self.users_port = getattr(ports, "users", None)
        self.connection = getattr(ports, "connection", None)
        self.extension = ports.station.extension
        self.window = window
        self._toast = toast
        self._on_quit = on_quit
        self.dialog: SignInDialog | None = None
        self.users_window: Any = None
        self.password_dialog: PasswordDialog | None = None
        self.said_no_users = False
        self.menu: tk.Menu | None = None
        if self.session is not None:
            self._install_menu()

    # -- start ------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """True when users are defined: somebody must sign in."""
        return self.session is not None and self.session.has_users()

    def begin(self, preselect: str = "") -> None:
        """At start: without users say so once; with ``--user NAME`` and passwords off sign
        that user in at once; otherwise the sign-in dialog (the last user preselected)."""
        if not self.active:
            self._show_user()
            first = self.session is None or self.session.first_time("no_users")
            if first and not self.said_no_users:
                self.said_no_users = True
                log.info("no users defined: working without sign-in")
                if self._toast is not None:
                    self._toast(_("No users defined"),
                                _("Everyone works without signing in. A director can add users (User › Users…)."))
            return
        self._show_user()
        if preselect and not self.session.passwords_required:
            try:
                user = self.session.sign_in(preselect)
            except ValueError as exc:
                log.warning("--user: %s", exc)
            else:
                self._signed_in(user)
                return
        self.ask(preselect or self.session.last_user(), first=True)

    def ask(self, preselect: str = "", first: bool = False) -> SignInDialog:
        """Show the sign-in dialog (raised when already open)."""
        if self.dialog is not None and not self.dialog.closed:
            self.dialog.lift()
            return self.dialog
        self.dialog = SignInDialog(self.root, self.session, preselect=preselect,
                                   on_signed_in=self._signed_in, on_cancel=self._cancelled,
                                   cancel_label=_("Quit") if self.session.current is None else _("Cancel"))
        return self.dialog

    def _cancelled(self) -> None:
        if self.session.current is None and self._on_quit is not None:
            self._on_quit()               # nobody may use the window without signing in

    def _signed_in(self, user: Any) -> None:
        self._show_user()
        if self.line_options().connect_at_sign_in and self.connection is not None:
            self.connection.connect()

    # -- menu -------------------------------------------------------------------------
    def _install_menu(self) -> None:
        bar = getattr(self.window, "menubar", None)
        menus = getattr(self.window, "menus", None)
        if bar is None or menus is None:
            return
        menu = tk.Menu(bar, tearoff=False, **menu_look())
        text, underline = mnemonic(_("&User"))
        help_index = bar.index("end")
        bar.insert_cascade(help_index, label=text, underline=underline, menu=menu)
        menus["user"] = menu
        self.menu = menu
        for label, command in ((_("&Sign out"), self.sign_out), (_("S&witch user…"), self.switch_user),
                               (_("&Change my password…"), self.change_password),
                               (_("&Users…"), self.open_users)):
            text, underline = mnemonic(label)
            menu.add_command(label=text, underline=underline, command=command)
        self._update_menu()

    def _update_menu(self) -> None:
        if self.menu is None:
            return
        signed_in = self.session.current is not None
        may_manage = self.users_port is not None and (not self.active or self.users_port.may_manage())
        states = (signed_in, self.active, signed_in, may_manage)
        for index, on in enumerate(states):
            self.menu.entryconfigure(index, state="normal" if on else "disabled")

    # -- actions ----------------------------------------------------------------------
    def sign_out(self) -> None:
        """Sign out; the sign-in dialog comes back (the window is not used by nobody)."""
        if self.session is None:
            return
        self._close_users_window()
        self.session.sign_out()
        self._show_user()
        if self.active:
            self.ask(self.session.last_user(), first=True)

    def switch_user(self) -> None:
        if self.active:
            self.ask("")

    def change_password(self) -> None:
        user = self.session.current if self.session is not None else None
        if user is None or self.users_port is None:
            return
        self.password_dialog = PasswordDialog(self.root, lambda pw: self.users_port.set_password(user.id, pw))

    def open_users(self) -> Any:
        if self.users_port is None:
            return None
        if self.users_window is not None and not self.users_window.closed:
            self.users_window.lift()
            return self.users_window
        from .users_window import UsersWindow
        self.users_window = UsersWindow(self.root, self.users_port, on_changed=self._show_user)
        return self.users_window

    def _close_users_window(self) -> None:
        if self.users_window is not None and not self.users_window.closed:
            self.users_window.close()

    def close(self) -> None:
        for dialog in (self.dialog, self.password_dialog):
            if dialog is not None and not dialog.closed:
                try:
                    dialog.destroy()
                except tk.TclError:
                    pass
        self._close_users_window()

    # -- what the window shows -------------------------------------------------------------
    def user_text(self) -> str:
        """"Anna (agent, Sales)" for the title and status bar; '' without a session."""
        user = self.session.current if self.session is not None else None
        if user is None:
            return _("nobody signed in") if self.active else ""
        group = self.session.group_name(user)
        role = role_label(user.role)
        return (_("{name} ({role}, {group})").format(name=user.name, role=role, group=group) if group
                else _("{name} ({role})").format(name=user.name, role=role))

    def _show_user(self, *_args: Any) -> None:
        show = getattr(self.window, "show_user", None)
        if show is not None:
            show(self.user_text())
        self._update_menu()

    # -- ROLE-3: the line's options ----------------------------------------------------------
    def line_options(self) -> Any:
        from callcore.users import LineOptions
        if self.session is None:
            return LineOptions()
        try:
            return self.session.line_options()
        except Exception:  # noqa: BLE001 - a damaged option never stops a popup
            log.exception("line options of %s unreadable", self.extension)
            return LineOptions()

    def auto_close_seconds(self, leg: Any, seconds: int, status: str = "") -> int:
        """Seconds until an ended call's popup closes (0 = stays): missed calls follow
        "close missed-call popups", answered ones "close a popup that got no notes"."""
        options = self.line_options()
        missed = getattr(leg, "answered_at", None) is None or status in MISSED
        wanted = options.auto_close_missed if missed else options.auto_close_no_notes
        return seconds if wanted else 0

    def notify_missed(self) -> bool:
        return bool(self.line_options().notify_missed)
