"""Contacts from .xlsx and CSV with a column mapping (DIR-4), as an administrator imports
them: ``contacts import FILE.xlsx [--map …] [--rejected R.xlsx]`` in a real process."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from reports.xlsx_import import guess_mapping, parse_mapping, preview, read_contacts
from tests.reports.helpers import ok, run


def find(settings: Path, text: str) -> list[dict]:
    out = ok(run(settings, "contacts", "find", text, "--json", "--limit", "1000"))
    return [json.loads(line) for line in out.splitlines()]


def workbook(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize("headers,expected", [
    (["Επωνυμία", "Τηλέφωνο", "Κινητό", "Πόλη", "Σχόλια"],
     {"name": "Επωνυμία", "phone": "Τηλέφωνο", "phone:mobile": "Κινητό", "city": "Πόλη", "comments": "Σχόλια"}),
    (["Фамилия", "Имя", "Телефон", "Мобильный", "Город", "E-mail"],
     {"last_name": "Фамилия", "first_name": "Имя", "phone": "Телефон", "phone:mobile": "Мобильный",
      "city": "Город", "email": "E-mail"}),
    (["Jméno", "Příjmení", "Telefon", "Mobil", "Město", "PSČ"],
     {"first_name": "Jméno", "last_name": "Příjmení", "phone": "Telefon", "phone:mobile": "Mobil",
      "city": "Město", "postcode": "PSČ"}),
    (["Name", "Phone", "Mobile", "Company", "Notes", "Colour"],
     {"name": "Name", "phone": "Phone", "phone:mobile": "Mobile", "company": "Company", "comments": "Notes"}),
])
def test_headers_are_guessed_in_four_languages(headers, expected):
    assert guess_mapping(headers) == expected


def test_xlsx_with_greek_headers_imports_with_numbers_text_and_rejects_listed(office, tmp_path):
    path = workbook(tmp_path / "πελάτες.xlsx", [
        ["Κατάλογος πελατών"],                                     # a title row above the header
        [],
        ["Επωνυμία", "Τηλέφωνο", "Κινητό", "Πόλη", "Τηλέφωνο 2", "Άγνωστη στήλη"],
        ["Μανουσάκης Γιώργος", 2101234567, "697 123 4567", "Αθήνα", "2109999999 ext 12", "x"],
        ['=HYPERLINK("http://evil.example","x")', "+30 210 7654321", None, "Πάτρα", None, None],
        ["Χωρίς Αριθμό", "χωρίς", None, None, None, None],         # rejected: no digits
        [None, "2105555555", None, "Λάρισα", None, None],           # rejected: no name
        ["Λάθος Excel", 2.10123e9, None, None, None, None],         # number lost digits? no: whole
    ])
    ws = openpyxl.load_workbook(path)
    ws.active["B8"] = "2.10123E+09"                                # scientific text: digits lost
    ws.active["A5"].data_type = "s"                                # text that looks like a formula
    ws.save(path)
    report = tmp_path / "rejected.xlsx"
    out = ok(run(office, "contacts", "import", str(path), "--rejected", str(report)))
    lines = out.splitlines()
    assert lines[0] == "columns: name=Επωνυμία, phone=Τηλέφωνο, phone:mobile=Κινητό, city=Πόλη"
    assert "imported 2 contacts: 2 added, 0 updated" in lines
    assert "warning: columns not imported (not a contact field): 'Άγνωστη στήλη'" in lines
    assert "rejected 3 rows:" in lines
    [greek] = find(office, "Μανουσάκης")
    assert [(p["number"], p["label"]) for p in greek["phones"]] == [
        ("2101234567", "work"), ("697 123 4567", "mobile"), ("2109999999 ext 12", "work")]
    assert greek["city"] == "Αθήνα"
    [hostile] = find(office, "2107654321")
    assert hostile["name"] == '=HYPERLINK("http://evil.example","x")'
    assert hostile["phones"] == [{"number": "+30 210 7654321", "label": "work"}]
    rejected = openpyxl.load_workbook(report).active
    rows = [[c.value for c in r] for r in rejected.iter_rows()]
    assert rows[0][:4] == ["Row", "Reason", "Επωνυμία", "Τηλέφωνο"]
    assert [r[0] for r in rows[1:]] == [6, 7, 8]
    assert "has no digits" in rows[1][1] and rows[1][2] == "Χωρίς Αριθμό"
    assert "name" in rows[2][1] and rows[2][3] == "2105555555"
    assert "lost its digits" in rows[3][1]
    assert all(c.data_type != "f" for r in rejected.iter_rows() for c in r)


def test_map_option_overrides_the_guess(office, tmp_path):
    path = workbook(tmp_path / "k.xlsx", [["Όνομα", "Επωνυμία", "Τηλ.", "Σημειώσεις"],
                                           ["Ελένη", "Ωμέγα ΑΕ", "2101112223", "VIP"]])
    out = ok(run(office, "contacts", "import", str(path), "--map", "name=Επωνυμία,first_name=Όνομα,comments=Σημειώσεις"))
    assert "imported 1 contacts: 1 added, 0 updated" in out
    [contact] = find(office, "2101112223")
    assert (contact["name"], contact["first_name"], contact["comments"]) == ("Ωμέγα ΑΕ", "Ελένη", "VIP")
    proc = run(office, "contacts", "import", str(path), "--map", "name=Missing")
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == (
        "--map: the file has no column 'Missing' (columns: 'Όνομα', 'Επωνυμία', 'Τηλ.', 'Σημειώσεις')")
    proc = run(office, "contacts", "import", str(path), "--map", "colour=Όνομα")
    assert proc.returncode == 2 and proc.stderr.decode().startswith("--map: unknown field 'colour'")


def test_csv_with_cyrillic_headers_in_cp1251_and_duplicates_option(office, tmp_path):
    path = tmp_path / "контакты.csv"
    path.write_bytes("Фамилия;Имя;Телефон;Город\nПетров;Иван;+7 495 123-45-67;Москва\n"
                     "Петрова;Анна;+7 495 123-45-67;Москва\n".encode("cp1251"))
    out = ok(run(office, "contacts", "import", str(path), "--encoding", "cp1251", "--duplicates", "skip",
                 "--map", "city=Город"))
    assert "imported 1 contacts: 1 added, 0 updated" in out and "1 duplicate rows skipped" in out
    [ivan] = find(office, "74951234567")
    assert (ivan["name"], ivan["city"]) == ("Иван Петров", "Москва")


def test_csv_with_greek_headers_needs_no_map(office, tmp_path):
    path = tmp_path / "πελάτες.csv"
    path.write_text("Επωνυμία;Κινητό;Πόλη\nΩμέγα ΑΕ;6971234567;Πάτρα\n", encoding="utf-8")
    out = ok(run(office, "contacts", "import", str(path)))
    assert "imported 1 contacts: 1 added, 0 updated" in out
    [omega] = find(office, "6971234567")
    assert (omega["name"], omega["city"], omega["phones"][0]["label"]) == ("Ωμέγα ΑΕ", "Πάτρα", "mobile")


def test_export_then_import_round_trip(office, tmp_path):
    ok(run(office, "contacts", "add", "--name", "Jiří Dvořák", "--type", "other", "--phone", "602123456:mobile",
           "--phone", "+420 222 333 444"))
    out = tmp_path / "contacts.xlsx"
    ok(run(office, "export", "contacts", "--out", str(out)))
    read = read_contacts(out)
    [row] = read.result.rows
    assert row.contact.name == "Jiří Dvořák" and row.contact.type == "other"
    assert [(p.number, p.label) for p in row.contact.phones] == [("+420 222 333 444", "work"), ("602123456", "mobile")]
    assert "id" in row.present and not read.result.rejected
    again = ok(run(office, "contacts", "import", str(out)))
    assert "imported 0 contacts: 0 added, 0 updated" in again and "1 rows unchanged" in again


def test_preview_shows_the_first_rows_and_the_mapping(tmp_path):
    path = workbook(tmp_path / "p.xlsx", [["Jméno", "Telefon", "Datum"]] +
                    [[f"Novák {i}", 602000000 + i, datetime(2026, 1, 2)] for i in range(30)])
    shown = preview(path, rows=5)
    assert shown.headers == ["Jméno", "Telefon", "Datum"]
    assert shown.mapping == {"first_name": "Jméno", "phone": "Telefon"}
    assert shown.rows == [[f"Novák {i}", str(602000000 + i), "2026-01-02T00:00:00"] for i in range(5)]
    csv_path = tmp_path / "p.csv"
    csv_path.write_text("Επωνυμία,Κινητό\nΑ,6971\nΒ,6972\nΓ,6973\n", encoding="utf-8")
    assert preview(csv_path, rows=2).rows == [["Α", "6971"], ["Β", "6972"]]
    assert parse_mapping("name=Επωνυμία, mobile=Κινητό") == {"name": "Επωνυμία", "phone:mobile": "Κινητό"}


def test_import_progress_is_reported(tmp_path):
    path = workbook(tmp_path / "big.xlsx", [["Name", "Phone"]] + [[f"N {i}", f"69{i:08d}"] for i in range(2500)])
    seen: list[tuple[int, int | None]] = []
    read = read_contacts(path, progress=lambda done, total: seen.append((done, total)))
    assert len(read.result.rows) == 2500
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500)]
