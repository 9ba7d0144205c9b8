"""Statistics and their charts (REP-3): the numbers from one pass over the calls, and the
chart builders the console will embed in Tk: matplotlib Figures, made without pyplot or
any GUI backend."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime

from reports import statistics
from tests.reports.helpers import ROOT, make_calls


def test_statistics_count_rates_hours_operators_and_contacts():
    calls = make_calls(100)
    s = statistics.compute(calls, datetime(2026, 1, 1), datetime(2026, 2, 1))
    assert s.calls == 100 and s.period == "day"
    assert (s.answered, s.missed, s.unanswered) == (60, 20, 20)     # answered+transferred, missed, unanswered
    assert round(s.rate(s.answered), 2) == 0.6
    assert sum(s.by_hour) == 100 and s.by_hour[8] == 10 and s.by_hour[7] == 0
    assert sum(c["answered"] for c in s.by_period.values()) == 60
    assert s.talk_seconds == sum(c.talk_seconds for c in calls)
    anna = s.per_user["anna"]
    assert anna.calls == sum(1 for c in calls if c.user == "anna")
    name, top = s.top_contacts(1)[0]
    assert top.talk_seconds == max(t.talk_seconds for t in s.per_contact.values())
    long = statistics.compute(make_calls(10, "2025-01") + make_calls(10, "2025-06"))
    assert long.period == "month" and sorted(long.by_period) == ["2025-01", "2025-06"]


def test_chart_builders_return_figures_without_any_gui_backend():
    code = (
        "import sys\n"
        "from reports import charts, statistics\n"
        "from tests.reports.helpers import make_calls\n"
        "s = statistics.compute(make_calls(200))\n"
        "figs = [charts.calls_per_period(s), charts.calls_per_hour(s), charts.outcome_rates(s),\n"
        "        charts.talk_per_user(s), charts.talk_per_contact(s)]\n"
        "from matplotlib.figure import Figure\n"
        "assert all(isinstance(f, Figure) for f in figs)\n"
        "png = charts.png(figs[1])\n"
        "assert png[:8] == b'\\x89PNG\\r\\n\\x1a\\n' and len(png) > 10000\n"
        "assert 'tkinter' not in sys.modules and 'matplotlib.pyplot' not in sys.modules\n"
        "print('ok', figs[1].axes[0].get_title())\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=str(ROOT), capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().strip() == "ok Line load: calls per hour of day"


def test_persian_names_in_charts_are_joined_and_right_to_left():
    from reports import charts
    s = statistics.compute(make_calls(200))
    s.per_contact["رضا احمدی"].talk_seconds += 3000          # the most talk time: in the chart
    fig = charts.talk_per_contact(s)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # joined presentation forms in visual order (what a reader sees), not the logical letters
    assert "\ufbfc\ufeaa\ufee4\ufea3\ufe8d \ufe8e\ufebf\ufead" in labels
    assert "رضا احمدی" not in labels and "Jiří Dvořák" in labels
