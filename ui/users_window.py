"""The users screen (ROLE-1..3): users with role, group and line; add, change, remove, set a
password; the options of the selected user's line. Everything goes through ``UsersPort``,
which acts as the signed-in user: a refusal (``PermissionDenied``, ``ValueError``) is shown
as its sentence under the form, nothing is changed.
"""
from __future__ import annotations

import tkinter as tk
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.i18n import _
from callcore.records import ROLES
from callcore.roles import role_label
from callcore.users import LineOptions, line_option_labels

from .look import STATE_COLOURS, setup_fonts, style_tables

COLUMNS = ("name", "role", "group", "extension")


class UsersWindow(ttk.Toplevel):
    """Directors manage everyone; supervisors the agents of their group (the port decides)."""

    def __init__(self, master: tk.Misc, users: Any, on_changed: Callable[[], None] | None = None):
        super().__init__(title=_("Users"), master=master, minsize=(720, 460))
        setup_fonts(master)
        style_tables(master)
        self.port = users
        self._on_changed = on_changed
        self.closed = False
        self.selected_id: str = ""
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.bind("<Escape>", lambda _e: self.close())

        outer = ttk.Frame(self, padding=(16, 14))
        outer.pack(fill="both", expand=True)
        outer.columnconfigure(0, weight=1)
        outer.rowconfigure(0, weight=1)
        headings = {"name": _("Name"), "role": _("Role"), "group": _("Group"), "extension": _("Line")}
        self.tree = ttk.Treeview(outer, columns=COLUMNS, show="headings", height=12, selectmode="browse")
        for column in COLUMNS:
            self.tree.heading(column, text=headings[column], anchor="w")
            self.tree.column(column, width=150 if column == "name" else 110, anchor="w")
        self.tree.grid(row=0, column=0, sticky="nsew", padx=(0, 14))
        self.tree.bind("<<TreeviewSelect>>", lambda _e: self._selected())

        form = ttk.Frame(outer)
        form.grid(row=0, column=1, sticky="n")
        self.vars: dict[str, tk.StringVar] = {k: tk.StringVar() for k in ("name", "role", "group", "extension",
                                                                             "password")}
        self.vars["role"].set("agent")
        labels = {"name": _("Name"), "role": _("Role"), "group": _("Group"), "extension": _("Line (extension)"),
                  "password": _("Password")}
        self.entries: dict[str, tk.Widget] = {}
        for row, key in enumerate(("name", "role", "group", "extension", "password")):
            ttk.Label(form, text=labels[key]).grid(row=row, column=0, sticky="w", padx=(0, 8), pady=3)
            if key == "role":
                widget = ttk.Combobox(form, textvariable=self.vars[key], values=list(ROLES), state="readonly",
                                      width=22)
            elif key == "group":
                widget = ttk.Combobox(form, textvariable=self.vars[key], values=users.group_names(), width=22)
            else:
                widget = ttk.Entry(form, textvariable=self.vars[key], width=24,
                                   show="•" if key == "password" else "")
            widget.grid(row=row, column=1, sticky="ew", pady=3)
            self.entries[key] = widget
        buttons = ttk.Frame(form)
        buttons.grid(row=5, column=0, columnspan=2, sticky="ew", pady=(8, 0))
        self.add_button = ttk.Button(buttons, text=_("Add user"), bootstyle="primary", command=self.add)
        self.add_button.pack(side="left")
        self.save_button = ttk.Button(buttons, text=_("Save changes"), bootstyle="primary-outline",
                                      command=self.save, state="disabled")
        self.save_button.pack(side="left", padx=6)
        self.remove_button = ttk.Button(buttons, text=_("Remove"), bootstyle="danger-outline",
                                        command=self.remove, state="disabled")
        self.remove_button.pack(side="left")

        line = ttk.Labelframe(form, text=_("This user's line"), padding=(10, 6))
        line.grid(row=6, column=0, columnspan=2, sticky="ew", pady=(14, 0))
        self.line_vars: dict[str, tk.BooleanVar] = {}
        for row, (name, label) in enumerate(line_option_labels().items()):
            var = tk.BooleanVar(value=getattr(LineOptions(), name))
            ttk.Checkbutton(line, text=label, variable=var).grid(row=row, column=0, sticky="w", pady=1)
            self.line_vars[name] = var
        self.line_button = ttk.Button(line, text=_("Save line options"), bootstyle="primary-outline",
                                      command=self.save_line, state="disabled")
        self.line_button.grid(row=len(self.line_vars), column=0, sticky="w", pady=(6, 0))

        self.message = ttk.Label(outer, text="", foreground=STATE_COLOURS["held"], wraplength=680,
                                 justify="left")
        self.message.grid(row=1, column=0, columnspan=2, sticky="w", pady=(10, 0))
        self.transient(master)
        self.refresh()
        self.entries["name"].focus_set()

    # -- list -----------------------------------------------------------------------------
    def refresh(self) -> None:
        self.rows = {row["id"]: row for row in self.port.rows()}
        self.tree.delete(*self.tree.get_children())
        for user_id, row in self.rows.items():
            self.tree.insert("", "end", iid=user_id, values=(row["name"], role_label(row["role"]),
                                                            row["group"], row["extension"]))
        self.entries["group"].configure(values=self.port.group_names())
        if self.selected_id in self.rows:
            self.tree.selection_set(self.selected_id)
        else:
            self.selected_id = ""
            self._buttons()

    def select(self, name: str) -> None:
        """Select the user called ``name`` (tests, and after adding)."""
        for user_id, row in self.rows.items():
            if row["name"] == name:
                self.tree.selection_set(user_id)
                self.tree.see(user_id)
                self._selected()

    def _selected(self) -> None:
        chosen = self.tree.selection()
        self.selected_id = chosen[0] if chosen else ""
        row = self.rows.get(self.selected_id)
        if row is not None:
            for key in ("name", "role", "group", "extension"):
                self.vars[key].set(row[key])
            self.vars["password"].set("")
            options = self.port.line_options(row["extension"]) if row["extension"] else LineOptions()
            for name, var in self.line_vars.items():
                var.set(bool(getattr(options, name)))
        self._buttons()

    def _buttons(self) -> None:
        chosen = self.rows.get(self.selected_id) if self.selected_id else None
        state = "normal" if chosen else "disabled"
        self.save_button.configure(state=state)
        self.remove_button.configure(state=state)
        self.line_button.configure(state="normal" if chosen and chosen["extension"] else "disabled")

    # -- actions ----------------------------------------------------------------------------
    def _do(self, action: Callable[[], Any], done: str) -> bool:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - PermissionDenied / ValueError: say it, change nothing
            self.message.configure(text=str(exc), foreground=STATE_COLOURS["held"])
            return False
        self.message.configure(text=done, foreground="")
        self.refresh()
        if self._on_changed is not None:
            self._on_changed()
        return True

    def add(self) -> bool:
        v = {k: var.get() for k, var in self.vars.items()}
        ok = self._do(lambda: self.port.add_user(v["name"], v["role"], v["group"], v["extension"], v["password"]),
                      _("{name} added.").format(name=v["name"].strip()))
        if ok:
            self.select(v["name"].strip())
        return ok

    def save(self) -> bool:
        row = self.rows.get(self.selected_id)
        if row is None:
            return False
        v = {k: var.get() for k, var in self.vars.items()}

        def change() -> None:
            self.port.update_user(row["id"], name=v["name"], role=v["role"], group=v["group"],
                                  extension=v["extension"])
            if v["password"]:
                self.port.set_password(row["id"], v["password"])
        return self._do(change, _("{name} saved.").format(name=v["name"].strip()))

    def remove(self) -> bool:
        row = self.rows.get(self.selected_id)
        if row is None:
            return False
        from tkinter import messagebox
        if not messagebox.askyesno(_("Remove user"), _("Remove {name}? Their calls stay in the log.").format(
                name=row["name"]), parent=self):
            return False
        return self.remove_now()

    def remove_now(self) -> bool:
        row = self.rows.get(self.selected_id)
        if row is None:
            return False
        return self._do(lambda: self.port.remove_user(row["id"]), _("{name} removed.").format(name=row["name"]))

    def save_line(self) -> bool:
        row = self.rows.get(self.selected_id)
        if row is None or not row["extension"]:
            return False
        options = LineOptions(**{name: bool(var.get()) for name, var in self.line_vars.items()})
        return self._do(lambda: self.port.set_line_options(row["extension"], options),
                        _("Options of line {line} saved.").format(line=row["extension"]))

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.destroy()
        except tk.TclError:
            pass
