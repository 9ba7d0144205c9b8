"""The console's statistics tab (REP-3): totals and rates, charts (bar or line) for the
calls the console's filters select, printable through the reports package."""
from __future__ import annotations

import tkinter as tk
from typing import Any, Callable

import ttkbootstrap as ttk

from callcore.i18n import _, _n

from ..ports import UiPorts


def period_labels() -> dict[str, str]:
    return {"auto": _("Automatic"), "day": _("Per day"), "week": _("Per week"), "month": _("Per month")}


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def summary_text(stats: Any) -> str:
    pct = lambda name: f"{100 * stats.rate(name):.0f}%"  # noqa: E731
    return "  ·  ".join([
        _n("{n} call", "{n} calls", stats.calls).format(n=stats.calls),
        _("answered {n} ({p})").format(n=stats.outcomes["answered"], p=pct("answered")),
        _("missed {n} ({p})").format(n=stats.outcomes["missed"], p=pct("missed")),
        _("not answered {n} ({p})").format(n=stats.outcomes["unanswered"], p=pct("unanswered")),
        _("abandoned {n} ({p})").format(n=stats.outcomes["abandoned"], p=pct("abandoned")),
        _("ring {total} (avg {avg:.0f} s)").format(total=_duration(stats.ring_total), avg=stats.ring_average),
        _("talk {total} (avg {avg:.0f} s)").format(total=_duration(stats.talk_total), avg=stats.talk_average),
    ])


class StatsView(ttk.Frame):
    def __init__(self, master: tk.Misc, ports: UiPorts, *, call_soon: Callable[..., None],
                 query: Callable[[], Any], ask_path: Callable[[str], str], office: str = ""):
        super().__init__(master, padding=6)
        self.ports, self.call_soon, self.query, self.ask_path, self.office = ports, call_soon, query, ask_path, office
        self.stats: Any = None
        self.canvas: Any = None
        self.figure: Any = None
        self.shown = 0                     # tests wait on this
        bar = ttk.Frame(self)
        bar.pack(fill="x")
        ttk.Label(bar, text=_("Period")).pack(side="left")
        self.period = ttk.Combobox(bar, state="readonly", width=12, values=list(period_labels().values()))
        self.period.set(period_labels()["auto"])
        self.period.pack(side="left", padx=(4, 12))
        self.period.bind("<<ComboboxSelected>>", lambda _e: self.refresh())
        self.kind = tk.StringVar(value="bar")
        for value, label in (("bar", _("Bars")), ("line", _("Lines"))):
            ttk.Radiobutton(bar, text=label, value=value, variable=self.kind,
                            command=self.redraw).pack(side="left", padx=(0, 8))
        ttk.Button(bar, text=_("Refresh"), command=self.refresh, bootstyle="secondary").pack(side="left")
        ttk.Button(bar, text=_("Print / PDF…"), command=self.print_pdf,
                   bootstyle="secondary-outline").pack(side="right")
        self.summary = ttk.Label(self, text=_("Statistics of the calls the filters on the Calls tab select."),
                                 wraplength=1100, justify="left")
        self.summary.pack(fill="x", pady=(6, 4))
        tables = ttk.Frame(self)
        tables.pack(side="bottom", fill="x", pady=(4, 0))
        self.tables: dict[str, ttk.Treeview] = {}
        for key, title in (("operators", _("Operator")), ("lines", _("Line / DID")), ("companies", _("Company"))):
            tree = ttk.Treeview(tables, columns=("calls", "answered", "talk", "average"), height=4,
                                show="headings tree")
            tree.heading("#0", text=title, anchor="w")
            tree.column("#0", width=110, minwidth=80)
            for column, label, width in (("calls", _("calls"), 58), ("answered", _("answered"), 88),
                                         ("talk", _("talk"), 66), ("average", _("average"), 76)):
                tree.heading(column, text=label, anchor="e")
                tree.column(column, width=width, minwidth=40, anchor="e", stretch=False)
            tree.pack(side="left", fill="x", expand=True, padx=(0, 6))
            self.tables[key] = tree
        self.area = ttk.Frame(self)
        self.area.pack(fill="both", expand=True)

    def refresh(self) -> None:
        period = list(period_labels())[max(0, self.period.current())]
        self.summary.configure(text=_("Counting…"))
        query = self.query()
        self.ports.stats.statistics(query, lambda s: self.call_soon(self._show, s), period)

    def _show(self, stats: Any) -> None:
        if not self.winfo_exists():
            return
        self.stats = stats
        self.summary.configure(text=summary_text(stats))
        for key, tallies in (("operators", stats.operators[:50]), ("lines", stats.lines[:50]),
                             ("companies", stats.companies)):
            tree = self.tables[key]
            tree.delete(*tree.get_children())
            for t in tallies:
                tree.insert("", "end", text=t.name, values=(t.calls, t.answered, _duration(t.talk_seconds),
                                                            _duration(t.average_talk)))
        self.redraw()

    def table_rows(self, key: str) -> list[tuple]:
        """What one table shows (name, calls, answered, talk, average), for tests."""
        tree = self.tables[key]
        return [(tree.item(i, "text"), *tree.item(i, "values")) for i in tree.get_children()]

    def redraw(self) -> None:
        if self.stats is None:
            return
        from matplotlib.backends.backend_tkagg import FigureCanvasTkAgg
        from .charts import dashboard
        self.figure = dashboard(self.stats, self.kind.get())
        if self.canvas is not None:
            self.canvas.get_tk_widget().destroy()
        self.canvas = FigureCanvasTkAgg(self.figure, master=self.area)
        self.canvas.draw()
        self.canvas.get_tk_widget().pack(fill="both", expand=True)
        self.shown += 1

    def print_pdf(self) -> None:
        window = self.winfo_toplevel()
        result = getattr(window, "result", None)
        if result is None:
            return
        path = self.ask_path("stats-pdf")
        if path:
            self.summary.configure(text=_("Writing {path}…").format(path=path))
            self.ports.console.export(result, path, "stats-pdf",
                                      lambda r: self.call_soon(self._printed, r), office=self.office)

    def _printed(self, outcome: Any) -> None:
        if self.winfo_exists():
            self.summary.configure(text=str(outcome) if isinstance(outcome, Exception)
                                   else _("Saved {path}").format(path=outcome))
