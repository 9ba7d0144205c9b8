"""Repo.put_many, the bulk path of an import (issue 6 §4): same results as put, one journal
write, and the table file written at the checkpoint from the journal's text reads back the
same contacts."""
from __future__ import annotations

import json

from callcore.records import Contact, Phone


def _contacts(n: int) -> list[Contact]:
    return [Contact(name=f"Γιώργος Μανουσάκης {i}", company="Εταιρεία \"Α\"", city="Αθήνα",
                    phones=[Phone(f"21{i:08d}"), Phone(f"69{i:08d}", "mobile")]) for i in range(n)]


def test_put_many_refuses_invalid_records_and_writes_the_others(open_store):
    store = open_store()
    good, bad = _contacts(2), Contact(name="  ", phones=[Phone("2100000000")])
    refused = store.contacts.put_many([good[0], bad, good[1]])
    assert [(r is bad, e.field) for r, e in refused] == [(True, "name")]
    assert sorted(c.name for c in store.contacts.all()) == sorted(c.name for c in good)


def test_the_caller_changing_a_record_after_put_many_does_not_change_the_store(open_store):
    store = open_store()
    contact = _contacts(1)[0]
    with store.batch():
        store.contacts.put_many([contact], validated=True)
    contact.name = "changed"
    contact.phones.append(Phone("2109999999"))
    stored = store.contacts.get(contact.id)
    assert stored.name == "Γιώργος Μανουσάκης 0" and len(stored.phones) == 2


def test_table_file_written_after_put_many_reads_back_the_same_contacts(tmp_path, open_store):
    store = open_store()
    contacts = _contacts(1500)                       # above the close-time checkpoint threshold
    with store.batch():
        store.contacts.put_many(contacts[:1000], validated=True)
        store.contacts.put_many(contacts[1000:])
    edited = store.contacts.get(contacts[0].id)      # changed after the whole write: its own doc
    edited.city = "Πάτρα"
    store.contacts.put(edited)
    expected = sorted((c.to_dict() for c in store.contacts.all()), key=lambda d: d["id"])
    store.close()
    table = json.loads((tmp_path / "local-alpha" / "tables" / "contacts.json").read_text(encoding="utf-8"))
    assert len(table["records"]) == 1500
    (tmp_path / "local-alpha" / "journal").rename(tmp_path / "journal-aside")   # read the table file only
    again = open_store()
    assert sorted((c.to_dict() for c in again.contacts.all()), key=lambda d: d["id"]) == expected
    assert again.contacts.get(contacts[0].id).city == "Πάτρα"
