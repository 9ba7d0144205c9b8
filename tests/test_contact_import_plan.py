"""What an import decides to write (callcore.contact_merge), from real CSV text: the cases
that need no store to show (the CLI tests cover the same rules end to end)."""
from __future__ import annotations

from callcore.contact_import import parse_contacts_text
from callcore.contact_merge import plan_import
from callcore.numbers import MatchRules
from callcore.records import Contact, Phone

GREEK = MatchRules(country_code="30")


def plan(text: str, existing=(), **options):
    result = parse_contacts_text(text)
    assert result.rejected == []
    return plan_import(result.rows, list(existing), GREEK, **options)


def test_one_number_twice_in_a_row_is_kept_once():
    [contact] = plan("name,phone,mobile\nΜανουσάκης,+30 210 1234567,2101234567\n").writes
    assert contact.phones == [Phone("+30 210 1234567")]


def test_update_by_id_reports_a_number_another_contact_has():
    ivan = Contact(name="Иван Петров", phones=[Phone("2105555555")])
    maria = Contact(name="Мария Иванова", phones=[Phone("2106666666")])
    result = plan(f"id,name,phone\n{maria.id},Мария Иванова,2105555555\n", [ivan, maria])
    [written] = result.writes
    assert written.id == maria.id and [p.number for p in written.phones] == ["2106666666", "2105555555"]
    [duplicate] = result.duplicates
    assert duplicate.row == 2 and duplicate.other_name == "Иван Петров" and "kept on both" in str(duplicate)
    assert (result.added, result.updated) == (0, 1)


def test_merge_never_overwrites_type_priority_or_a_filled_field():
    stored = Contact(name="Jiří Dvořák", type="supplier", popup_priority=5, company="Škoda",
                     phones=[Phone("602123456", "mobile")])
    result = plan("name,type,popup_priority,company,city,mobile\n"
                  "Jiri Dvorak,customer,1,Tatra,Praha,602 123 456\n", [stored])
    [merged] = result.writes
    assert (merged.name, merged.type, merged.popup_priority, merged.company) == ("Jiří Dvořák", "supplier", 5, "Škoda")
    assert merged.city == "Praha" and merged.phones == stored.phones
    assert stored.city == ""                                   # the store's object is not touched
    [duplicate] = result.duplicates
    assert duplicate.kept == ("company", "name")


def test_extensions_of_one_switchboard_are_different_people_but_a_plain_number_is_not():
    result = plan("name,phone\n"
                  "Λογιστήριο,2101234567 ext 12\n"
                  "Reception,2101234567 ext 13\n"
                  "Λογιστήριο (2),210 123 4567 εσωτ. 12\n")
    assert [c.name for c in result.writes] == ["Λογιστήριο", "Reception"]
    assert [d.row for d in result.duplicates] == [4]
