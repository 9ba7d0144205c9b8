"""Change lines, checksums, torn and damaged lines, applied-sequence ranges."""
from __future__ import annotations

import pytest

from callcore.store.changes import Change, DamagedLine, RangeSet, decode, encode, parse_lines


def test_line_round_trips_with_unicode_and_tombstones():
    a = Change("alpha#1a2b3c", 7, 123456789, "contacts", "k1", {"name": "Žluťoučký Μανουσάκης"})
    b = Change("beta#000001", 1, 5, "contacts", "k1", None)
    for change in (a, b):
        line = encode(change)
        assert line.endswith("\n") and "\\u" not in line
        assert decode(line) == change


def test_a_flipped_character_fails_the_checksum():
    line = encode(Change("a#1", 1, 1, "contacts", "k", {"name": "Anna"}))
    with pytest.raises(DamagedLine):
        decode(line.replace("Anna", "Anne"))


def test_torn_last_line_is_not_damage_but_a_bad_middle_line_is():
    lines = [encode(Change("a#1", i, i, "t", f"k{i}", {"x": i})) for i in range(1, 4)]
    torn = "".join(lines).encode() + lines[0][:10].encode()
    parsed = parse_lines(torn)
    assert len(parsed.changes) == 3 and parsed.torn_last and not parsed.bad_lines
    broken = (lines[0] + "garbage\n" + lines[2]).encode()
    parsed = parse_lines(broken)
    assert [c.seq for c in parsed.changes] == [1, 3] and parsed.bad_lines == [2]


def test_nul_filled_file_is_damage_not_a_torn_line():
    parsed = parse_lines(b"\x00" * 512)
    assert parsed.bad_lines and not parsed.changes and not parsed.torn_last


def test_range_set_merges_and_answers_coverage():
    r = RangeSet()
    for seq in (5, 1, 2, 3, 7):
        r.add(seq)
    assert r.to_json() == [[1, 3], [5, 5], [7, 7]]
    r.add(4)
    r.add(6)
    assert r.to_json() == [[1, 7]]
    assert r.covers(2, 7) and not r.covers(2, 8) and 8 not in r
    r.add_range(10, 20)
    assert RangeSet([[11, 12]]).issubset(r) and not RangeSet([[8, 9]]).issubset(r)


def test_table_files_leave_out_default_fields_and_read_back_the_same(tmp_path):
    """A third smaller contacts file (issue 6 §6: read at every start): fields still at
    their default and the default phone label are not written; reading fills them in."""
    from callcore.records import Contact, Phone
    from callcore.store import Store
    from callcore.store.tablefiles import read_table_file
    contact = Contact(name="Ελένη Παπαδοπούλου", city="Αθήνα",
                      phones=[Phone("2101234567"), Phone("6971234567", "mobile")])
    store = Store.open(tmp_path / "local", None, "alpha", background_sync=False)
    store.contacts.put(contact)
    store.checkpoint()     # written as its journal line had it (not encoded twice)
    store.contacts.put(Contact(name="Иван Петров"))
    store.checkpoint()     # the table rewritten: from the records
    store.close()
    [doc] = [d for d in read_table_file(tmp_path / "local" / "tables" / "contacts.json")
             if d["k"] == contact.id]
    assert doc["v"] == {"name": "Ελένη Παπαδοπούλου", "city": "Αθήνα",
                        "phones": [{"number": "2101234567"}, {"number": "6971234567", "label": "mobile"}]}
    store = Store.open(tmp_path / "local", None, "alpha", background_sync=False)
    try:
        assert store.contacts.get(contact.id) == contact
    finally:
        store.close()


@pytest.mark.parametrize("text", [
    '{"a": NaN, "b": [Infinity, -Infinity]}',            # the standard parser accepts these
    '{"name": "\\ud800 lone surrogate"}',
    '{"name": "Ελένη Новак Dvořák مریم", "h": [111501885782753280, "ws0#000000"], "x": 1.5}',
    '{"dup": 1, "dup": 2}',
])
@pytest.mark.parametrize("fast", [True, False], ids=["orjson", "without-orjson"])
def test_table_files_parse_exactly_as_the_standard_json_module(text, fast, monkeypatch):
    import json
    import math
    from callcore.store import tablefiles
    from callcore.store.tablefiles import parse_json
    assert tablefiles._orjson is not None, "orjson is in requirements.txt"
    if not fast:
        monkeypatch.setattr(tablefiles, "_orjson", None)
    got, want = parse_json(text.encode("utf-8")), json.loads(text)
    assert json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)
    if "NaN" in text:
        assert math.isnan(got["a"])


@pytest.mark.parametrize("data", [b'{"records": {"1": ', b'\xff\xfe{"a": 1}', b'{"a": 1} trailing'])
def test_unparsable_table_bytes_raise_value_error(data):
    from callcore.store.tablefiles import parse_json
    with pytest.raises(ValueError):
        parse_json(data)
