"""The admin command line as a user runs it: a real process, real folders, UTF-8 output."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def office(tmp_path: Path):
    (tmp_path / "share").mkdir()

    def settings(station: str, **extra) -> Path:
        path = tmp_path / f"{station}.json"
        data = {"station": {"id": station}, "store": {"local_folder": f"local-{station}", "shared_folder": "share"}}
        data.update(extra)
        path.write_text(json.dumps(data), encoding="utf-8")
        return path
    return settings


def run(settings: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings), *args],
                          capture_output=True, timeout=60, env={"PYTHONIOENCODING": "ascii", "PATH": "/usr/bin:/bin"})


def lines(proc: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]


def test_contact_added_on_one_station_is_found_on_another_in_utf8(office):
    a, b = office("desk-a"), office("desk-b")
    added = run(a, "contacts", "add", "--name", "ΜΑΝΟΥΣΑΚΗΣ Γιώργος", "--phone", "2126877610",
                "--phone", "6971234567:mobile", "--type", "supplier", "--company", "Ωμέγα ΑΕ")
    assert added.returncode == 0, added.stderr
    found = run(b, "contacts", "find", "μανουσακης", "--json")
    assert found.returncode == 0, found.stderr
    assert "ΜΑΝΟΥΣΑΚΗΣ".encode() in found.stdout and b"\\u" not in found.stdout
    (contact,) = lines(found)
    assert contact["name"] == "ΜΑΝΟΥΣΑΚΗΣ Γιώργος" and contact["type"] == "supplier"
    assert contact["phones"] == [{"number": "2126877610", "label": "work"}, {"number": "6971234567", "label": "mobile"}]
    by_number = lines(run(b, "contacts", "find", "00302126877610", "--json"))
    assert [c["id"] for c in by_number] == [contact["id"]]


def test_calls_json_has_every_field_and_since_filters(office):
    a = office("desk-a")
    for i, day in enumerate(("2024-01-05", "2024-03-07")):
        call = {"id": f"call-{i}", "linkedid": f"l{i}", "direction": "in", "status": "missed",
                "started_at": f"{day}T10:00:00+02:00", "caller_name": "Žluťoučký"}
        assert run(a, "calls", "add", "--json-line", json.dumps(call)).returncode == 0
    every = lines(run(a, "calls", "--json"))
    assert [c["id"] for c in every] == ["call-0", "call-1"]
    from callcore.records import CallRecord
    import dataclasses
    assert set(every[0]) == {f.name for f in dataclasses.fields(CallRecord)}
    assert every[0]["caller_name"] == "Žluťoučký"
    assert [c["id"] for c in lines(run(office("desk-b"), "calls", "--json", "--since", "2024-02-01"))] == ["call-1"]


def test_bad_input_is_refused_naming_the_field_with_exit_2(office, tmp_path):
    a = office("desk-a")
    bad_type = run(a, "contacts", "add", "--name", "X", "--type", "friend")
    assert bad_type.returncode == 2 and b"type" in bad_type.stderr
    bad_call = run(a, "calls", "add", "--json-line", '{"id": "c", "linkedid": "l", "direction": "in", '
                   '"status": "missed", "started_at": "monday"}')
    assert bad_call.returncode == 2 and b"started_at" in bad_call.stderr
    assert lines(run(a, "calls", "--json")) == [] and lines(run(a, "contacts", "find", "X", "--json")) == []
    bad_settings = tmp_path / "bad.json"
    bad_settings.write_text('{"ami": {"port": "abc"}}', encoding="utf-8")
    proc = run(bad_settings, "store", "sync")
    assert proc.returncode == 2 and b"ami.port" in proc.stderr


def test_import_reports_rejected_rows_and_keeps_good_ones(office, tmp_path):
    a = office("desk-a")
    csv = tmp_path / "contacts.csv"
    csv.write_text("name,type,phone,company\nИван Петров,customer,2101234567;6971234567,\n"
                   "Bad,friend,123456,\nŽofie,supplier,+420 123 456 789,Firma\n", encoding="utf-8")
    proc = run(a, "contacts", "import", str(csv))
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode("utf-8")
    assert "2" in text.splitlines()[0] and "row 3" in text
    names = {c["name"] for c in lines(run(office("desk-b"), "contacts", "find", "иван", "--json"))}
    assert names == {"Иван Петров"}


def test_store_check_names_damage_and_exits_non_zero(office, tmp_path):
    a, b = office("desk-a"), office("desk-b")
    for i in range(3):
        assert run(a, "contacts", "add", "--name", f"n{i}", "--phone", f"21000000{i}").returncode == 0
    batches = sorted((tmp_path / "share" / "stations" / "desk-a").glob("b-*.jsonl"))
    assert len(batches) == 3
    batches[0].write_bytes(batches[0].read_bytes()[:25])                 # truncated
    batches[1].write_bytes(b"\x00" * 200)                                 # NUL-filled
    (batches[2].parent / "b-ffffff-000000000001-000000000001.jsonl").write_bytes(b"{garbage\n")
    check = run(b, "store", "check")
    assert check.returncode == 1
    out = check.stdout.decode("utf-8")
    for path in batches[:2]:
        assert path.name in out
    assert run(b, "store", "sync").returncode == 0
    assert [c["name"] for c in lines(run(b, "contacts", "find", "n2", "--json"))] == ["n2"]
    clean = run(office("desk-c"), "store", "compact")
    assert clean.returncode == 0, clean.stderr
