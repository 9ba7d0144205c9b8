"""Statistics charts (REP-3) as matplotlib Figures: the PDF report draws them to PNG in
memory (:func:`png`); the console embeds the same Figures in Tk (FigureCanvasTkAgg,
in ui/). No pyplot, so no GUI backend is chosen here and nothing global is kept.

matplotlib is imported when a chart is first built: the app starts without it.
"""
from __future__ import annotations

import functools
import io
import re
from typing import TYPE_CHECKING

from callcore.i18n import _

from .statistics import Statistics

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_RTL = re.compile("[\u0590-\u08ff]")


@functools.lru_cache(maxsize=1024)
def shaped(text: str) -> str:
    """Text as matplotlib must be given it: it neither joins Arabic letters nor orders a
    right-to-left line, so Persian (a name, or every label in Persian) is reshaped
    (arabic-reshaper) and put into visual order (python-bidi) first; other text as is."""
    if not _RTL.search(text):
        return text
    import arabic_reshaper
    from bidi.algorithm import get_display
    return get_display(arabic_reshaper.reshape(text))


COLOURS = {"answered": "#2e7d32", "missed": "#c62828", "unanswered": "#f9a825", "bars": "#1565c0"}


def _figure(width: float = 9.0, height: float = 2.6) -> "Figure":
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    fig.set_facecolor("white")
    return fig


def calls_per_period(stats: Statistics) -> "Figure":
    """Stacked bars: answered / missed / unanswered per day (or month)."""
    fig = _figure()
    ax = fig.add_subplot()
    periods = sorted(stats.by_period)
    bottom = [0] * len(periods)
    for result, label in (("answered", _("answered")), ("missed", _("missed")),
                          ("unanswered", _("unanswered"))):
        values = [stats.by_period[p][result] for p in periods]
        ax.bar(range(len(periods)), values, bottom=bottom, color=COLOURS[result], label=shaped(label))
        bottom = [b + v for b, v in zip(bottom, values)]
    step = max(1, len(periods) // 16)
    ax.set_xticks(range(0, len(periods), step), [periods[i] for i in range(0, len(periods), step)],
                  rotation=45, ha="right", fontsize=7)
    ax.set_title(shaped(_("Calls per month") if stats.period == "month" else _("Calls per day")))
    ax.set_ylabel(shaped(_("calls")))
    if periods:
        ax.legend(fontsize=8)
    return fig


def calls_per_hour(stats: Statistics) -> "Figure":
    """Line load: calls started in each hour of the day."""
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot(range(24), stats.by_hour, marker="o", color=COLOURS["bars"])
    ax.fill_between(range(24), stats.by_hour, alpha=0.15, color=COLOURS["bars"])
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)], fontsize=7)
    ax.set_xlim(0, 23)
    ax.set_ylim(bottom=0)
    ax.set_title(shaped(_("Line load: calls per hour of day")))
    ax.set_ylabel(shaped(_("calls")))
    return fig


def outcome_rates(stats: Statistics) -> "Figure":
    """Answered / missed / unanswered as a share of all calls."""
    fig = _figure(4.5, 2.9)
    ax = fig.add_subplot()
    names = [shaped(_("answered")), shaped(_("missed")), shaped(_("unanswered"))]
    counts = [stats.answered, stats.missed, stats.unanswered]
    bars = ax.bar(names, [100 * stats.rate(c) for c in counts],
                  color=[COLOURS["answered"], COLOURS["missed"], COLOURS["unanswered"]])
    for bar, count in zip(bars, counts):
        ax.annotate(f"{100 * stats.rate(count):.0f}% ({count})", (bar.get_x() + bar.get_width() / 2,
                    bar.get_height()), ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, 110)
    ax.set_ylabel("%")
    ax.set_title(shaped(_("Answered, missed, unanswered")))
    return fig


def talk_per_user(stats: Statistics, top: int = 12) -> "Figure":
    """Horizontal bars: talk minutes per operator."""
    return _talk_bars([(name, t.talk_seconds) for name, t in stats.users()[:top]],
                      _("Talk time per operator (minutes)"))


def talk_per_contact(stats: Statistics, top: int = 12) -> "Figure":
    """Horizontal bars: the contacts that take most of our phone time."""
    return _talk_bars([(name, t.talk_seconds) for name, t in stats.top_contacts(top)],
                      _("Talk time per contact (minutes)"))


def _talk_bars(items: list[tuple[str, float]], title: str) -> "Figure":
    fig = _figure(4.5, 2.9)
    ax = fig.add_subplot()
    items = list(reversed(items))
    ax.barh([shaped(name[:28]) for name, _s in items], [s / 60 for _n, s in items], color=COLOURS["bars"])
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title(shaped(title), fontsize=10)
    return fig


def png(fig: "Figure", dpi: int = 150) -> bytes:
    """The figure as PNG bytes (Agg, in memory)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi)
    return out.getvalue()
