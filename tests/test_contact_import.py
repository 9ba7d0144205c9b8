"""Contact CSV import: good rows become contacts, bad rows are listed with their line."""
from __future__ import annotations

import codecs

import pytest

from callcore.contact_import import ImportFileError, parse_contacts_csv, parse_contacts_text
from callcore.records import Phone


def write(tmp_path, text: str, name: str = "contacts.csv", bom: bool = False, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode(encoding))
    return path


def by_name(result):
    return {c.name: c for c in result.contacts}


def test_comma_file_with_bom_repeated_phone_columns_and_labels(tmp_path):
    path = write(tmp_path, (
        "name,type,phone,phone,Mobile,phone:home,Fax,company,city\n"
        "Μανουσάκης Γιώργος,customer,+30 210 1234567,,6941234567,,2101234568,,Αθήνα\n"
        "Иван Петров,contact person,\"210 5555555; 210 5555556\",,,2107777777,,ACME,\n"
    ), bom=True)
    result = parse_contacts_csv(path)
    assert result.rejected == [] and result.warnings == [] and result.delimiter == ","
    people = by_name(result)
    greek = people["Μανουσάκης Γιώργος"]
    assert greek.phones == [Phone("+30 210 1234567"), Phone("6941234567", "mobile"),
                            Phone("2101234568", "fax")]
    assert greek.city == "Αθήνα" and greek.type == "customer"
    ivan = people["Иван Петров"]
    assert ivan.type == "contact_person" and ivan.company == "ACME"
    assert [p.number for p in ivan.phones] == ["210 5555555", "210 5555556", "2107777777"]
    assert ivan.phones[2].label == "home"
    for contact in result.contacts:
        contact.validate()


def test_semicolon_file_is_detected(tmp_path):
    path = write(tmp_path, "Name;Phone;Phone;Company\nŽluťoučký kůň;602123456;603123456;Škoda, a.s.\n")
    result = parse_contacts_csv(path)
    assert result.delimiter == ";"
    [contact] = result.contacts
    assert contact.company == "Škoda, a.s."
    assert [p.number for p in contact.phones] == ["602123456", "603123456"]


def test_excel_sep_hint_line(tmp_path):
    path = write(tmp_path, "sep=;\nname;phone\nA, B;2101\nBad;none\n")
    result = parse_contacts_csv(path)
    assert result.delimiter == ";" and [c.name for c in result.contacts] == ["A, B"]
    assert [r.row for r in result.rejected] == [4]


def test_tab_file_and_other_fields_by_name(tmp_path):
    path = write(tmp_path, "name\tfirst name\tlast_name\tshort_name\temail\tpopup_priority\tpostcode\n"
                           "Smith John\tJohn\tSmith\tJS\tjs@example.com\t3\t10558\n")
    [contact] = parse_contacts_csv(path).contacts
    assert (contact.first_name, contact.last_name, contact.short_name) == ("John", "Smith", "JS")
    assert (contact.email, contact.popup_priority, contact.postcode) == ("js@example.com", 3, "10558")


def test_name_composed_from_first_and_last_when_missing(tmp_path):
    path = write(tmp_path, "first_name,last_name,type,mobile\nΕλένη,Παπαδοπούλου,other,6940000000\n")
    [contact] = parse_contacts_csv(path).contacts
    assert contact.name == "Ελένη Παπαδοπούλου" and contact.type == "other"


def test_bad_rows_are_listed_with_line_and_field_and_good_rows_kept(tmp_path):
    path = write(tmp_path, (
        "name,type,phone,popup_priority,comments\n"          # line 1
        "Good One,customer,2101111111,1,\n"                  # 2
        ",customer,2102222222,1,\n"                          # 3: no name
        "Bad Type,grocer,2103333333,1,\n"                    # 4
        "\n"                                                 # 5: blank, skipped
        "Multi Line,customer,2104444444,1,\"first line\n"    # 6-7: comment spans two lines
        "second line\"\n"
        "No Digits,customer,call reception,1,\n"             # 8
        "Bad Priority,customer,2105555555,high,\n"           # 9
        "Negative,customer,2106666666,-1,\n"                 # 10
        "Good Two,supplier,2107777777,,\n"                   # 11
    ))
    result = parse_contacts_csv(path)
    assert [c.name for c in result.contacts] == ["Good One", "Multi Line", "Good Two"]
    assert result.contacts[1].comments == "first line\nsecond line"
    rejected = {r.row: r.reason for r in result.rejected}
    assert sorted(rejected) == [3, 4, 8, 9, 10]
    assert rejected[3].startswith("name:")
    assert rejected[4].startswith("type:") and "grocer" in rejected[4]
    assert rejected[8].startswith("phone:") and "call reception" in rejected[8]
    assert rejected[9].startswith("popup_priority:") and "high" in rejected[9]
    assert rejected[10].startswith("popup_priority:")
    assert str(result.rejected[0]).startswith("line 3: name:")


def test_unknown_columns_warned_once_not_an_error(tmp_path):
    path = write(tmp_path, "name,colour,phone,shoe size\nA,red,2101,42\nB,blue,2102,43\n")
    result = parse_contacts_csv(path)
    assert len(result.contacts) == 2 and result.rejected == []
    assert len(result.warnings) == 1
    assert "colour" in result.warnings[0] and "shoe size" in result.warnings[0]


def test_numbered_phone_columns(tmp_path):
    path = write(tmp_path, "name,phone 1,phone 2,mobile2,tel.fax\nA,2101,2102,6943,2104\n")
    result = parse_contacts_csv(path)
    assert result.warnings == []
    assert result.contacts[0].phones == [Phone("2101"), Phone("2102"), Phone("6943", "mobile"),
                                         Phone("2104", "fax")]


def test_unknown_phone_label_warns_and_imports_as_other(tmp_path):
    path = write(tmp_path, "name,phone:pager\nA,2101234567\n")
    result = parse_contacts_csv(path)
    assert result.contacts[0].phones == [Phone("2101234567", "other")]
    assert len(result.warnings) == 1 and "pager" in result.warnings[0]


def test_row_with_more_cells_than_header_is_rejected(tmp_path):
    path = write(tmp_path, "name,phone\nAcme, Ltd,2101234567\nGood,2101234568\n")
    result = parse_contacts_csv(path)
    assert [c.name for c in result.contacts] == ["Good"]
    assert result.rejected[0].row == 2 and "3 cells" in result.rejected[0].reason


def test_unclosed_quote_is_reported_and_earlier_rows_kept(tmp_path):
    path = write(tmp_path, "name,phone\nFirst,2101234567\n\"Broken,2101234568\nLost,2101234569\n")
    result = parse_contacts_csv(path)
    assert [c.name for c in result.contacts] == ["First"]
    assert result.rejected[0].row == 3 and "quote" in result.rejected[0].reason


def test_repeated_id_is_rejected(tmp_path):
    path = write(tmp_path, "id,name\nabc-1,First\nabc-1,Second\n")
    result = parse_contacts_csv(path)
    assert [c.id for c in result.contacts] == ["abc-1"]
    assert result.rejected[0].row == 3 and "line 2" in result.rejected[0].reason


def test_not_utf8_names_file_and_byte_offset(tmp_path):
    path = write(tmp_path, "name,phone\nΜανουσάκης,2101234567\n", encoding="cp1253")
    with pytest.raises(ImportFileError) as raised:
        parse_contacts_csv(path)
    message = str(raised.value)
    assert str(path) in message and "byte 11" in message and "line 2" in message


@pytest.mark.parametrize("text", ["", "\n\n", "colour,size\nred,1\n"])
def test_file_without_usable_header_is_an_error(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(ImportFileError) as raised:
        parse_contacts_csv(path)
    assert str(path) in str(raised.value)


def test_missing_file_is_an_import_error(tmp_path):
    with pytest.raises(ImportFileError):
        parse_contacts_csv(tmp_path / "nope.csv")


def test_parse_text_directly_and_crlf_line_endings():
    result = parse_contacts_text("name;phone\r\nΑ;2101\r\nΒ;2102\r\n", "pasted")
    assert [c.name for c in result.contacts] == ["Α", "Β"]
