"""The statistics tab's charts (REP-3) from ``callcore.stats.CallStats``, bar or line.

matplotlib Figures without pyplot (no global state, no GUI backend chosen); the tab embeds
them with FigureCanvasTkAgg. Colours follow ``reports/charts.py`` so the printed report and
the screen look alike; printing itself goes through the reports package.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from callcore.i18n import _
from callcore.stats import CallStats

if TYPE_CHECKING:
    from matplotlib.figure import Figure

COLOURS = {"answered": "#2e7d32", "missed": "#c62828", "unanswered": "#f9a825", "abandoned": "#ad1457",
           "bars": "#1565c0"}


def weekday_names() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def outcome_names() -> dict[str, str]:
    return {"answered": _("answered"), "missed": _("missed"), "unanswered": _("not answered"),
            "abandoned": _("abandoned")}


def dashboard(stats: CallStats, kind: str = "bar", width: float = 11.0, height: float = 6.4) -> "Figure":
    """Four panels: calls per period by outcome, line load (hour × weekday), calls and talk
    time per operator, the contacts that take most phone time (bar) or their monthly trend
    (line)."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    fig.set_facecolor("white")
    (periods, load), (operators, contacts) = fig.subplots(2, 2)
    _periods(periods, stats, kind)
    _load(fig, load, stats)
    _operators(operators, stats, kind)
    _contacts(contacts, stats, kind)
    return fig


def _periods(ax, stats: CallStats, kind: str) -> None:
    labels = [p.label for p in stats.periods]
    xs = range(len(labels))
    bottom = [0] * len(labels)
    for i, (key, name) in enumerate(outcome_names().items()):
        values = [p.counts[i] for p in stats.periods]
        if kind == "line":
            ax.plot(xs, values, marker="o", markersize=3, color=COLOURS[key], label=name)
        else:
            ax.bar(xs, values, bottom=bottom, color=COLOURS[key], label=name)
            bottom = [b + v for b, v in zip(bottom, values)]
    totals = [sum(p.counts) for p in stats.periods] if kind != "line" else \
        [max(p.counts) for p in stats.periods]
    ax.set_ylim(0, max(totals or [1]) * 1.35)          # room for the legend above the bars
    step = max(1, len(labels) // 10)
    ax.set_xticks(list(xs)[::step], labels[::step], rotation=30, ha="right", fontsize=7)
    title = {"day": _("Calls per day"), "week": _("Calls per week"), "month": _("Calls per month")}[stats.period]
    ax.set_title(title, fontsize=10)
    if labels:
        ax.legend(fontsize=7, ncols=4, loc="upper left")


def _load(fig, ax, stats: CallStats) -> None:
    image = ax.imshow(stats.load, aspect="auto", cmap="Blues")
    ax.set_yticks(range(7), weekday_names(), fontsize=7)
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)], fontsize=7)
    ax.set_title(_("Line load: calls per hour and weekday"), fontsize=10)
    fig.colorbar(image, ax=ax, shrink=0.8)


def _operators(ax, stats: CallStats, kind: str) -> None:
    items = stats.operators[:10]
    names = [t.name[:18] for t in items]
    if kind == "line":
        ax.plot(names, [t.calls for t in items], marker="o", color=COLOURS["bars"], label=_("calls"))
        ax.plot(names, [t.answered for t in items], marker="s", color=COLOURS["answered"], label=_("answered"))
        ax.legend(fontsize=7)
    else:
        ax.bar(names, [t.calls for t in items], color=COLOURS["bars"], label=_("calls"))
        ax.bar(names, [t.answered for t in items], color=COLOURS["answered"], width=0.5, label=_("answered"))
        ax.legend(fontsize=7)
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    ax.set_ylim(bottom=0)
    ax.set_title(_("Calls per operator"), fontsize=10)


def _contacts(ax, stats: CallStats, kind: str) -> None:
    if kind == "line" and stats.contact_trend:
        for name, points in stats.contact_trend.items():
            ax.plot([m for m, _v in points], [v / 60 for _m, v in points], marker="o", markersize=3, label=name[:24])
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=6, loc="best")
        ax.set_title(_("Talk minutes per month: top contacts"), fontsize=10)
        return
    items = list(reversed(stats.contacts[:10]))
    ax.barh([t.name[:26] for t in items], [t.talk_seconds / 60 for t in items], color=COLOURS["bars"])
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title(_("Who takes most phone time (talk minutes)"), fontsize=10)
