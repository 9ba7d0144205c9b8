"""``operator_app.py campaign …`` as real processes on a real store (CAMP-1..4): create
from an .xlsx with --map (duplicates reported), list --json, next --json (exit 3 when
none is left), outcome (refused for an entry this station does not hold), stats --json,
results exported to .xlsx and read back."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def office(tmp_path: Path, station: str = "ws-cli", user: str = "anna") -> Path:
    (tmp_path / "shared").mkdir(exist_ok=True)
    path = tmp_path / f"{station}.json"
    path.write_text(json.dumps({
        "ami": {"host": "127.0.0.1", "port": 1},
        "station": {"id": station, "extension": "201", "user": user},
        "store": {"local_folder": f"local-{station}", "shared_folder": "shared", "sync_interval": 0.25},
    }), encoding="utf-8")
    return path


def run(settings: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings), *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_create_next_outcome_stats_export(tmp_path):
    from openpyxl import Workbook, load_workbook
    wb = Workbook()
    wb.active.append(["Όνομα πελάτη", "Αριθμός", "Σημείωση"])
    for row in (["Αλφα", 2101000001, "first"], ["Beta", "2101000002", ""], ["Alpha dup", "210 1000001", ""]):
        wb.active.append(row)
    wb.save(tmp_path / "list.xlsx")
    s = office(tmp_path)
    made = run(s, "campaign", "create", "Spring", "--from", str(tmp_path / "list.xlsx"),
               "--map", "name=Όνομα πελάτη,number=Αριθμός,comment=Σημείωση", "--max-tries", "2")
    assert made.returncode == 0, made.stderr
    assert "2 entries added, 1 duplicates in the input" in made.stdout
    assert "210 1000001 (Alpha dup) is in the input twice" in made.stdout
    listed = [json.loads(line) for line in run(s, "campaign", "list", "--json").stdout.splitlines()]
    assert [(c["code"], c["status"], c["counters"]["total"], c["counters"]["pending"]) for c in listed] == [
        ("Spring", "not_started", 2, 2)]

    first = run(s, "campaign", "next", "Spring", "--json")
    assert first.returncode == 0, first.stderr
    entry = json.loads(first.stdout)
    assert (entry["name"], entry["number"], entry["comment"], entry["station"], entry["user"]) == (
        "Αλφα", "2101000001", "first", "ws-cli", "anna")
    other = office(tmp_path, "ws-other", "bob")
    refused = run(other, "campaign", "outcome", "Spring", entry["id"], "interested")
    assert refused.returncode == 2 and "not claimed by this workstation (held by ws-cli)" in refused.stderr
    second = json.loads(run(other, "campaign", "next", "Spring", "--json").stdout)
    assert second["name"] == "Beta"                         # never the entry ws-cli holds
    again = json.loads(run(other, "campaign", "next", "Spring", "--json").stdout)
    assert (again["id"], again["claim_id"]) == (second["id"], second["claim_id"])   # still held: the same
    assert run(s, "campaign", "outcome", "Spring", entry["id"], "maybe").returncode == 2
    done = run(s, "campaign", "outcome", "Spring", entry["id"], "interested", "--note", "θέλει προσφορά")
    assert done.returncode == 0, done.stderr
    busy = run(other, "campaign", "outcome", "Spring", second["id"], "busy")
    assert busy.returncode == 0 and "retry after" in busy.stdout
    none_left = run(s, "campaign", "next", "Spring", "--json")
    assert none_left.returncode == 3 and none_left.stdout == ""
    assert "1 waiting for a retry" in none_left.stderr
    stats = json.loads(run(s, "campaign", "stats", "Spring", "--json").stdout)
    assert {k: stats[k] for k in ("total", "completed", "unanswered", "pending", "in_progress", "status")} == {
        "total": 2, "completed": 1, "unanswered": 1, "pending": 0, "in_progress": 0, "status": "in_progress"}
    assert stats["by_outcome"] == {"interested": 1, "busy": 1} and stats["by_operator"] == {"anna": 1, "bob": 1}
    exported = run(s, "campaign", "export", "Spring", "--to", str(tmp_path / "results.xlsx"))
    assert exported.returncode == 0, exported.stderr
    rows = list(load_workbook(tmp_path / "results.xlsx").active.values)
    assert rows[0][:9] == ("No.", "Name", "Number", "Company", "City", "State", "Result", "Tries", "Notes")
    assert [r[1:3] + r[5:9] for r in rows[1:]] == [("Αλφα", "2101000001", "completed", "Interested", 1, "θέλει προσφορά"),
                                                 ("Beta", "2101000002", "unanswered", "Busy", 1, None)]
    assert run(s, "campaign", "next", "Nope").returncode == 2
