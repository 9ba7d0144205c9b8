"""Contact import that does not damage data (issue 6 §4), as an administrator runs it:
``operator_app.py --settings S contacts import FILE`` in a real process, real folders."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    (tmp_path / "share").mkdir()
    path = tmp_path / "desk-a.json"
    path.write_text(json.dumps({"station": {"id": "desk-a"},
                                "store": {"local_folder": "local-a", "shared_folder": "share"}}), encoding="utf-8")
    return path


def run(settings: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings), *args],
                          capture_output=True, timeout=120, env={"PYTHONIOENCODING": "ascii", "PATH": "/usr/bin:/bin"})


def out(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return proc.stdout.decode("utf-8")


def find(settings: Path, text: str) -> list[dict]:
    proc = run(settings, "contacts", "find", text, "--json", "--limit", "1000")
    return [json.loads(line) for line in out(proc).splitlines()]


def csv_file(tmp_path: Path, text: str, name: str = "contacts.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def add(settings: Path, name: str, *phones: str, company: str = "") -> str:
    args = ["contacts", "add", "--name", name, "--type", "supplier"]
    for phone in phones:
        args += ["--phone", phone]
    if company:
        args += ["--company", company]
    return out(run(settings, *args)).strip()


def test_row_with_existing_id_updates_only_the_columns_in_the_file(desk, tmp_path):
    contact_id = add(desk, "Μανουσάκης Γιώργος", "2101234567", "6971234567:mobile", company="Ωμέγα ΑΕ")
    # The file has no company, type or phone column, and an empty city cell for nobody.
    path = csv_file(tmp_path, f"id,name,city\n{contact_id},Μανουσάκης Γ.,Αθήνα\n,Иван Петров,Москва\n")
    summary = out(run(desk, "contacts", "import", str(path)))
    assert summary.splitlines()[0] == "imported 2 contacts: 1 added, 1 updated"
    [greek] = find(desk, "Μανουσάκης")
    assert greek["id"] == contact_id
    assert greek["name"] == "Μανουσάκης Γ." and greek["city"] == "Αθήνα"            # in the file
    assert greek["company"] == "Ωμέγα ΑΕ" and greek["type"] == "supplier"          # kept
    assert greek["phones"] == [{"number": "2101234567", "label": "work"},
                               {"number": "6971234567", "label": "mobile"}]        # kept
    [ivan] = find(desk, "Иван")
    assert ivan["city"] == "Москва" and ivan["type"] == "customer"


def test_empty_cell_of_an_existing_contact_never_blanks_it(desk, tmp_path):
    contact_id = add(desk, "Jiří Dvořák", "602123456", company="Škoda, a.s.")
    path = csv_file(tmp_path, f"id;name;company;phone\n{contact_id};Jiří Dvořák;;603123456\n")
    assert out(run(desk, "contacts", "import", str(path))).splitlines()[0] == "imported 1 contacts: 0 added, 1 updated"
    [jiri] = find(desk, "Dvořák")
    assert jiri["company"] == "Škoda, a.s."
    assert [p["number"] for p in jiri["phones"]] == ["602123456", "603123456"]


def test_duplicates_in_the_file_and_the_directory_are_reported_and_merged_by_default(desk, tmp_path):
    existing = add(desk, "رضا احمدی", "+30 210 1234567", company="Tehran Trading")
    path = csv_file(tmp_path, (
        "name,phone,mobile,company,email\n"
        "Reza Ahmadi,00302101234567,6971111111,Other Co,reza@example.com\n"   # 2: stored number
        "Иван Петров,2105555555,,,\n"                                         # 3: new
        "Ivan Petrov,,2105555555,ACME,ivan@example.com\n"                     # 4: same as row 3
    ))
    text = out(run(desk, "contacts", "import", str(path)))
    lines = text.splitlines()
    assert lines[0] == "imported 2 contacts: 1 added, 1 updated"
    assert "duplicates (2):" in lines
    row2 = next(line for line in lines if line.startswith("  row 2:"))
    assert "00302101234567" in row2 and "رضا احمدی" in row2 and "already in the directory" in row2
    assert "merged" in row2 and "company" in row2                  # the file's company was not taken
    row4 = next(line for line in lines if line.startswith("  row 4:"))
    assert "2105555555" in row4 and "Иван Петров" in row4 and "row 3" in row4 and "merged" in row4
    [reza] = find(desk, "احمدی")
    assert reza["id"] == existing
    assert reza["name"] == "رضا احمدی" and reza["company"] == "Tehran Trading"     # not overwritten
    assert reza["email"] == "reza@example.com"                                     # missing: added
    assert [p["number"] for p in reza["phones"]] == ["+30 210 1234567", "6971111111"]
    [ivan] = find(desk, "2105555555")
    assert ivan["name"] == "Иван Петров" and ivan["company"] == "ACME" and ivan["email"] == "ivan@example.com"
    assert len(ivan["phones"]) == 1


@pytest.mark.parametrize("mode, names", [("skip", ["Μαρία Κ."]), ("add", ["Maria K.", "Μαρία Κ."])])
def test_duplicates_skip_or_add(desk, tmp_path, mode, names):
    add(desk, "Μαρία Κ.", "6970000001")
    path = csv_file(tmp_path, "name,mobile\nMaria K.,697 000 0001\n")
    text = out(run(desk, "contacts", "import", str(path), "--duplicates", mode))
    expected = "imported 0 contacts: 0 added, 0 updated" if mode == "skip" else "imported 1 contacts: 1 added, 0 updated"
    assert text.splitlines()[0] == expected
    assert "row 2:" in text and ("skipped" if mode == "skip" else "added") in text
    assert sorted(c["name"] for c in find(desk, "6970000001")) == sorted(names)


def test_importing_the_same_file_twice_adds_nothing_the_second_time(desk, tmp_path):
    path = csv_file(tmp_path, (
        "name,phone,company\n"
        "Μανουσάκης Γιώργος,2101234567 / 6971234567,Ωμέγα\n"
        "Žofie Nováková,602123456,\n"
        "Без телефона,,Рога и копыта\n"
    ))
    assert out(run(desk, "contacts", "import", str(path))).splitlines()[0] == "imported 3 contacts: 3 added, 0 updated"
    again = out(run(desk, "contacts", "import", str(path))).splitlines()
    assert again[0] == "imported 0 contacts: 0 added, 0 updated"
    assert again[1].startswith("3 rows unchanged")
    assert len(find(desk, "2101234567")) == 1 and len(find(desk, "Без телефона")) == 1


def test_extension_number_is_found_by_the_callers_number(desk, tmp_path):
    path = csv_file(tmp_path, "name,phone\nΛογιστήριο,2101234567 ext 12\nReception,2101234567 ext 13\n")
    assert out(run(desk, "contacts", "import", str(path))).splitlines()[0] == "imported 2 contacts: 2 added, 0 updated"
    found = find(desk, "2101234567")
    assert sorted(c["name"] for c in found) == ["Reception", "Λογιστήριο"]
    assert {c["phones"][0]["number"] for c in found} == {"2101234567 ext 12", "2101234567 ext 13"}


def test_bad_rows_listed_good_rows_kept_and_spreadsheet_numbers_fixed(desk, tmp_path):
    path = csv_file(tmp_path, (
        "name,phone\n"
        "Ελένη,2101234568.0\n"
        "Broken,2.10123E+09\n"
        ",2109999999\n"
        "Мария,2107777777\n"
    ))
    text = out(run(desk, "contacts", "import", str(path)))
    assert text.splitlines()[0] == "imported 2 contacts: 2 added, 0 updated"
    assert "rejected 2 rows:" in text
    assert "  row 3: phone: number lost its digits (spreadsheet scientific format)" in text
    assert "  row 4: name:" in text
    assert [c["phones"][0]["number"] for c in find(desk, "Ελένη")] == ["2101234568"]


def test_legacy_encoding_is_refused_with_advice_then_read_with_encoding(desk, tmp_path):
    path = tmp_path / "greek.csv"
    path.write_bytes("name,phone\nΜανουσάκης Γιώργος,2101234567\n".encode("cp1253"))
    refused = run(desk, "contacts", "import", str(path))
    assert refused.returncode == 2
    message = refused.stderr.decode("utf-8")
    assert "not UTF-8" in message and "--encoding cp1253" in message and "CSV UTF-8" in message
    assert find(desk, "2101234567") == []
    text = out(run(desk, "contacts", "import", str(path), "--encoding", "cp1253"))
    assert text.splitlines()[0] == "imported 1 contacts: 1 added, 0 updated"
    assert [c["name"] for c in find(desk, "2101234567")] == ["Μανουσάκης Γιώργος"]
