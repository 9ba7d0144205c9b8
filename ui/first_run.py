"""First-run wizard and settings dialog (SPEC PKG-1, PKG-3).

Asks for the settings, checks them field by field (:mod:`ui.settings_form`) and returns
nested sections; the caller writes them (the UI does no file I/O).

    values = ask_first_run_settings(root)          # None when cancelled
    SettingsDialog(root, current, save=services.save_settings).show()
"""
from __future__ import annotations

import tkinter as tk
from tkinter import filedialog
from typing import Any, Callable, Mapping

import ttkbootstrap as ttk

from callcore.i18n import _

from .look import CONNECTION_COLOURS, STATE_COLOURS, setup_fonts
from .rtl import shown
from .settings_form import Field, fields, initial_value, page_titles, validate

Save = Callable[[dict[str, dict[str, Any]]], None]


class TextVariable:
    """A multi-line text box that answers ``get``/``set`` like a ``tk.StringVar``, so the
    dialog treats every field alike."""

    def __init__(self, master: tk.Misc, value: str = ""):
        self.widget = tk.Text(master, height=5, width=40, wrap="none", undo=True)
        self.widget.bind("<Return>", self._newline)   # Enter adds a line, it does not save
        self.set(value)

    def _newline(self, _event: object) -> str:
        self.widget.insert("insert", "\n")
        return "break"

    def get(self) -> str:
        return self.widget.get("1.0", "end-1c")

    def set(self, value: str) -> None:
        self.widget.delete("1.0", "end")
        self.widget.insert("1.0", value)


class SettingsDialog(ttk.Toplevel):
    """Modal settings form with one tab per page; ``result`` holds the saved sections."""

    def __init__(self, master: tk.Misc, current: Mapping[str, Mapping[str, Any]] | None = None, *,
                 title: str | None = None, first_run: bool = False, save: Save | None = None,
                 test_connection: Callable[[dict[str, Any]], Any] | None = None):
        super().__init__(title=title or _("Settings"), master=master, minsize=(520, 420))
        self._test_connection = test_connection
        self._testing: Any = None
        setup_fonts(master)
        self.first_run = first_run
        self.result: dict[str, dict[str, Any]] | None = None
        self._save = save
        self.variables: dict[str, tk.Variable] = {}
        self.error_labels: dict[str, ttk.Label] = {}
        self._page_of: dict[str, int] = {}
        self.protocol("WM_DELETE_WINDOW", self.cancel)
        self.bind("<Escape>", lambda _e: self.cancel())
        self.bind("<Return>", lambda _e: self.submit())

        outer = ttk.Frame(self, padding=(18, 16, 18, 14))
        outer.pack(fill="both", expand=True)
        if first_run:
            ttk.Label(outer, text=_("Welcome! Let's connect this workstation."),
                      font="OperatorTitleFont").pack(anchor="w")
            ttk.Label(outer, text=_("These settings are kept for your user on this computer. "
                                    "You can change them later under Settings."),
                      foreground="#6c7a7c", wraplength=520, justify="left").pack(anchor="w",
                                                                                 pady=(2, 12))
        self.notebook = ttk.Notebook(outer)
        self.notebook.pack(fill="both", expand=True)
        pages: dict[str, ttk.Frame] = {}
        rows: dict[str, int] = {}
        for field in fields():
            if first_run and not field.first_run:
                continue
            if field.page not in pages:
                page = ttk.Frame(self.notebook, padding=(16, 14))
                page.columnconfigure(1, weight=1)
                self.notebook.add(page, text=page_titles()[field.page])
                pages[field.page] = page
                rows[field.page] = 0
            self._page_of[field.dotted] = list(pages).index(field.page)
            self._add_row(pages[field.page], rows[field.page], field,
                          initial_value(field, current))
            rows[field.page] += 1
        if test_connection is not None and "connection" in pages:
            self.test_button = ttk.Button(pages["connection"], text=_("Test connection"),
                                          underline=0, bootstyle="primary-outline",
                                          command=self.test_connection)
            self.test_button.grid(row=rows["connection"] * 2, column=1, sticky="w", pady=(8, 0))
            self.test_result = ttk.Label(pages["connection"], text="", wraplength=380,
                                         justify="left")
            self.test_result.grid(row=rows["connection"] * 2 + 1, column=1, columnspan=2,
                                  sticky="w", pady=(4, 0))
            self.bind("<Alt-t>", lambda _e: self.test_connection())
            ttk.ToolTip(self.test_button, text=_("Log in to the PBX with these values once (Alt+T)"))

        self.message = ttk.Label(outer, text="", foreground=STATE_COLOURS["held"], wraplength=520,
                                 justify="left")
        self.message.pack(fill="x", pady=(10, 0))
        buttons = ttk.Frame(outer)
        buttons.pack(fill="x", pady=(10, 0))
        self.save_button = ttk.Button(buttons, text=_("Start") if first_run else _("Save"),
                                      bootstyle="primary", width=12, command=self.submit)
        self.save_button.pack(side="right")
        ttk.Button(buttons, text=_("Cancel"), bootstyle="primary-outline", width=12,
                   command=self.cancel).pack(side="right", padx=(0, 8))

    def _add_row(self, page: ttk.Frame, row: int, field: Field, value: Any) -> None:
        grid = {"pady": (0, 2)}
        if field.kind == "bool":
            var: tk.Variable = tk.BooleanVar(self, value=bool(value))
            ttk.Checkbutton(page, text=field.label, variable=var).grid(
                row=row * 2, column=0, columnspan=3, sticky="w", **grid)
        else:
            var = tk.StringVar(self, value=str(value))
            ttk.Label(page, text=field.label + (" *" if field.required else "")).grid(
                row=row * 2, column=0, sticky="w", padx=(0, 12), **grid)
            if field.kind == "choice":
                if field.dotted == "ui.language" and self.first_run:
                    from callcore.i18n import system_language   # default: the system's language
                    var.set(field.label_for(system_language()))
                var.set(shown(var.get()))   # Tk cannot join Persian letters itself
                widget: tk.Widget = ttk.Combobox(page, textvariable=var, state="readonly", width=14,
                                                 values=[shown(c) for c in field.shown_choices()])
                widget.grid(row=row * 2, column=1, sticky="w", **grid)
            elif field.kind in ("lines", "pbxes"):
                var = TextVariable(page, str(value))  # type: ignore[assignment]
                var.widget.grid(row=row * 2, column=1, columnspan=2, sticky="ew", **grid)
            else:
                short = field.kind in ("int", "float")
                widget = ttk.Entry(page, textvariable=var, show="•" if field.kind == "secret" else "",
                                   width=12 if short else 32)
                widget.grid(row=row * 2, column=1, sticky="w" if short else "ew", **grid)
            if field.kind in ("folder", "file"):
                ttk.Button(page, text=_("Browse…"), bootstyle="primary-outline",
                           command=lambda v=var, k=field.kind: self._browse(v, k)).grid(
                    row=row * 2, column=2, sticky="w", padx=(6, 0), **grid)
        self.variables[field.dotted] = var
        below = ttk.Label(page, text=field.hint, foreground="#8a9496", font="OperatorSmallFont")
        below.grid(row=row * 2 + 1, column=1 if field.kind != "bool" else 0,
                   columnspan=2 if field.kind != "bool" else 3, sticky="w",
                   pady=(0, 2) if field.kind == "bool" and not field.hint else (0, 8))
        below.hint = field.hint  # type: ignore[attr-defined]
        self.error_labels[field.dotted] = below

    def _browse(self, var: tk.StringVar, kind: str = "folder") -> None:
        if kind == "file":
            chosen = filedialog.askopenfilename(parent=self, initialfile=var.get() or None)
        else:
            chosen = filedialog.askdirectory(parent=self, initialdir=var.get() or None,
                                             mustexist=False)
        if chosen:
            var.set(chosen)

    def test_connection(self) -> None:
        """Try the connection fields as typed (not yet saved); the answer shows below."""
        if self._test_connection is None or self._testing is not None:
            return
        raw = {d: v.get() for d, v in self.variables.items() if d.startswith("ami.")}
        values, errors = validate(raw)
        if errors:
            labels = {f.dotted: f.label for f in fields()}
            dotted, problem = next(iter(errors.items()))
            self._show_test(False, _("{field}: {problem}").format(field=labels.get(dotted, dotted),
                                                                   problem=problem))
            return
        self.test_result.configure(text=_("Connecting…"), foreground="#6c7a7c")
        self.test_button.configure(state="disabled")
        self._testing = self._test_connection(values.get("ami", {}))
        self.after(100, self._poll_test)

    def _poll_test(self) -> None:
        future = self._testing
        if future is None or not self.winfo_exists():
            return
        if not future.done():
            self.after(100, self._poll_test)
            return
        self._testing = None
        self.test_button.configure(state="normal")
        ok, message = future.result()
        self._show_test(ok, message)

    def _show_test(self, ok: bool, message: str) -> None:
        self.test_result.configure(text=message, foreground=CONNECTION_COLOURS[
            "connected" if ok else "auth_failed"])

    def set_value(self, dotted: str, value: Any) -> None:
        """Fill a field (tests and callers that pre-fill)."""
        self.variables[dotted].set(value)

    def submit(self) -> None:
        raw = {dotted: var.get() for dotted, var in self.variables.items()}
        for field in fields():
            if field.choice_labels and field.dotted in raw:   # shown (shaped) label → label
                raw[field.dotted] = {shown(c): c for c in field.shown_choices()}.get(
                    raw[field.dotted], raw[field.dotted])
        values, errors = validate(raw, first_run=self.first_run)
        labels = {field.dotted: field.label for field in fields()}
        for dotted, label in self.error_labels.items():
            if dotted in errors:
                label.configure(text=_("{field}: {problem}").format(field=labels[dotted],
                                                                     problem=errors[dotted]),
                                foreground=STATE_COLOURS["held"])
            else:
                label.configure(text=label.hint, foreground="#8a9496")  # type: ignore[attr-defined]
        self.errors = errors
        if errors:
            first = min(errors, key=lambda d: self._page_of.get(d, 0))
            self.notebook.select(self._page_of.get(first, 0))
            self.message.configure(text=_("Please correct the marked fields."))
            return
        if self._save is not None:
            try:
                self._save(values)
            except ValueError as exc:
                self.message.configure(text=str(exc))
                return
        self.result = values
        self.destroy()

    def cancel(self) -> None:
        self.result = None
        self.destroy()

    def show(self) -> dict[str, dict[str, Any]] | None:
        """Run modally until saved or cancelled; returns the sections or None."""
        try:
            if self.master.winfo_viewable():
                self.transient(self.master)
            self.wait_visibility()
            self.grab_set()
        except tk.TclError:
            pass
        self.focus_force()
        self.wait_window()
        return self.result


def ask_first_run_settings(root: tk.Misc, current: Mapping[str, Mapping[str, Any]] | None = None
                           ) -> dict[str, dict[str, Any]] | None:
    """The first-run wizard: the settings to write, or None when the user cancelled."""
    dialog = SettingsDialog(root, current, title=_("Operator — first start"), first_run=True)
    return dialog.show()
