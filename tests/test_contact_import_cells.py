"""Contact import, issue 6 §4: phone cells as spreadsheets write them, and file encodings.

Each test reads a real file written the way a spreadsheet or an old Windows program
writes it, and checks what the user gets: the numbers stored, or the message shown.
"""
from __future__ import annotations

import codecs

import pytest

from callcore.contact_import import ImportFileError, parse_contacts_csv
from callcore.directory import Directory
from callcore.records import Phone


def write(tmp_path, text: str, encoding: str = "utf-8", bom: bytes = b"", name: str = "contacts.csv"):
    path = tmp_path / name
    path.write_bytes(bom + text.encode(encoding))
    return path


def numbers(contact) -> list[str]:
    return [p.number for p in contact.phones]


# ------------------------------------------------------------------ phone cells

def test_several_numbers_in_one_cell_become_several_phones(tmp_path):
    path = write(tmp_path, (
        "name;phone;mobile\n"
        "Μανουσάκης Γιώργος;2101234567 / 6971234567;\n"
        "Иван Петров;\"2101111111, 2102222222\";6973333333|6974444444\n"
        "Jiří Dvořák;602123456;\n"
    ))
    result = parse_contacts_csv(path)
    assert result.rejected == []
    greek, ivan, jiri = result.contacts
    assert numbers(greek) == ["2101234567", "6971234567"]
    assert numbers(ivan) == ["2101111111", "2102222222", "6973333333", "6974444444"]
    assert [p.label for p in ivan.phones] == ["work", "work", "mobile", "mobile"]
    assert numbers(jiri) == ["602123456"]


def test_area_code_slash_is_one_number_not_two(tmp_path):
    path = write(tmp_path, "name,phone\nŽofie Nováková,030/1234567\n")
    assert numbers(parse_contacts_csv(path).contacts[0]) == ["030/1234567"]


def test_spreadsheet_float_number_gets_its_digits_back(tmp_path):
    path = write(tmp_path, "name;phone;mobile\nΕλένη Παπαδοπούλου;2101234568.0;6971234567,0\n")
    [contact] = parse_contacts_csv(path).contacts
    assert numbers(contact) == ["2101234568", "6971234567"]


@pytest.mark.parametrize("cell", ["2.10123E+09", "\"2,10123E+09\"", "\"2101234567; 6.97123E+09\""])
def test_scientific_format_number_is_refused_and_other_rows_kept(tmp_path, cell):
    path = write(tmp_path, f"name,phone\nرضا احمدی,{cell}\nمریم,2101234567\n")
    result = parse_contacts_csv(path)
    assert [c.name for c in result.contacts] == ["مریم"]
    [bad] = result.rejected
    assert bad.row == 2
    assert "number lost its digits (spreadsheet scientific format)" in bad.reason
    assert bad.reason.startswith("phone:")


@pytest.mark.parametrize("cell, stored", [
    ("2101234567 ext 12", "2101234567 ext 12"),
    ("2101234567 ext. 12", "2101234567 ext 12"),
    ("2101234567x12", "2101234567 ext 12"),
    ("\"2101234567, ext 12\"", "2101234567 ext 12"),
    ("+30 210 1234567 εσωτ. 12", "+30 210 1234567 ext 12"),
    ("210 123 4567 доб. 12", "210 123 4567 ext 12"),
])
def test_extension_is_kept_and_the_caller_still_matches(tmp_path, cell, stored):
    path = write(tmp_path, f"name,phone\nΓραφείο Αθήνας,{cell}\n")
    [contact] = parse_contacts_csv(path).contacts
    assert contact.phones == [Phone(stored)]
    directory = Directory()
    directory.load([contact])
    [match] = directory.lookup("2101234567")
    assert match.contact.id == contact.id and match.phone.number == stored
    assert [c.id for c in directory.search("2101234567")] == [contact.id]


# ------------------------------------------------------------------ encodings

def test_utf16_without_bom_is_detected(tmp_path):
    text = "name\tphone\nΜανουσάκης Γιώργος\t2101234567\nИван Петров\t6971234567\nرضا احمدی\t2109999999\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        path = write(tmp_path, text, encoding, name=f"{encoding}.txt")
        result = parse_contacts_csv(path)
        assert result.encoding == encoding
        assert [c.name for c in result.contacts] == ["Μανουσάκης Γιώργος", "Иван Петров", "رضا احمدی"]
        assert numbers(result.contacts[2]) == ["2109999999"]


def test_utf16_with_bom_as_excel_unicode_text(tmp_path):
    path = write(tmp_path, "name\tphone\nŽluťoučký kůň\t602123456\n", "utf-16-le", bom=codecs.BOM_UTF16_LE)
    assert [c.name for c in parse_contacts_csv(path).contacts] == ["Žluťoučký kůň"]


@pytest.mark.parametrize("encoding, names, script", [
    ("cp1253", ["Μανουσάκης Γιώργος", "Παπαδοπούλου Ελένη"], "Greek"),
    ("cp1251", ["Иван Петров", "Мария Иванова"], "Cyrillic"),
])
def test_legacy_windows_file_says_how_to_save_as_utf8_or_read_with_encoding(tmp_path, encoding, names, script):
    path = write(tmp_path, "name,phone\n" + "".join(f"{n},21012345{i}\n" for i, n in enumerate(names)), encoding)
    with pytest.raises(ImportFileError) as raised:
        parse_contacts_csv(path)
    message = str(raised.value)
    assert str(path) in message and "not UTF-8" in message
    assert script in message and f"--encoding {encoding}" in message
    assert "CSV UTF-8" in message                            # how to save it in Excel
    result = parse_contacts_csv(path, encoding=encoding)
    assert [c.name for c in result.contacts] == names


def test_wrong_encoding_name_is_a_file_error(tmp_path):
    path = write(tmp_path, "name\nA\n")
    with pytest.raises(ImportFileError) as raised:
        parse_contacts_csv(path, encoding="no-such-codec")
    assert "no-such-codec" in str(raised.value)
