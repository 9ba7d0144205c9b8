"""The directory index kept on disk (callcore/directory_cache.py): a start reads it instead
of building, gives the same answers, never serves a stale index, survives a bad file."""
from __future__ import annotations

import pickle
import threading
import zlib
from pathlib import Path

import pytest

from callcore import directory_cache
from callcore.directory import Directory
from callcore.directory_cache import cache_path, open_directory
from callcore.numbers import MatchRules
from callcore.records import Contact, Phone
from callcore.store import Store

RULES = MatchRules(digits=10, country_code="30", international_prefix="00", similar=True)
FIRST = ["Γιώργος", "Иван", "Jiří", "Anna", "Maria", "Ελένη", "Žofie", "رضا"]
LAST = ["Μανουσάκης", "Петров", "Dvořák", "Smith", "Novák", "Παπαδόπουλος", "احمدی"]
QUERIES = ["γιωργ", "ivan", "петр", "jiri", "dvorak", "an", "maria smith", "ελενη παπα", "acme",
           "acme j", "zofie", "رض", "nov", "ousak", "210", "6944", "2100000012", "+30 210", "kiki",
           "9", "smith 21", "zzz"]
NUMBERS = ["2100000007", "+30 2100000007", "00302100000031", "6944000013", "2100000099",
           "2100000008", "2107777777", "6944000140"]


def people(n: int = 120) -> list[Contact]:
    out = []
    for i in range(n):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 3) % len(LAST)]
        out.append(Contact(
            name=f"{first} {last}", first_name=first, last_name=last,
            short_name="Kiki" if i % 17 == 0 else "", company="Acme" if i % 5 == 0 else "",
            phones=[Phone(f"21{i:08d}"), Phone(f"+30 6944{i:06d}", "mobile")],
            popup_priority=i % 3))
    return out


def answers(directory: Directory) -> tuple:
    """What a user sees: search results (in order) and lookup matches."""
    found = tuple((q, tuple(c.id for c in directory.search(q, limit=30))) for q in QUERIES)
    matched = tuple((n, tuple((m.contact.id, m.phone.number, m.kind, m.digits_matched)
                              for m in directory.lookup(n))) for n in NUMBERS)
    return found, matched


def exact(directory: Directory, number: str) -> list[str]:
    """Ids of the contacts owning ``number`` (similar numbers left out)."""
    return [m.contact.id for m in directory.lookup(number) if m.kind == "exact"]


def built(store: Store) -> Directory:
    directory = Directory(RULES)
    directory.load(store.contacts.all())
    return directory


def load(store: Store, folder: Path, **kw):
    result = open_directory(store, RULES, folder, **kw)
    if result.saver is not None:
        result.saver.join()
    return result


@pytest.fixture
def share(tmp_path: Path) -> Path:
    (tmp_path / "share").mkdir()
    return tmp_path / "share"


@pytest.fixture
def stations(tmp_path: Path, share: Path):
    """open(station) -> a store on its own local folder sharing ``share``; closed at the end."""
    opened: list[Store] = []

    def open_(station: str = "alpha") -> Store:
        store = Store.open(tmp_path / f"local-{station}", share, station, background_sync=False)
        opened.append(store)
        return store
    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def filled(stations):
    """A station with 120 contacts; returns (open again, cache folder)."""
    store = stations("alpha")
    for contact in people():
        store.contacts.put(contact)
    store.close()
    return (lambda: stations("alpha")), store.local / "cache"


def test_second_start_reads_the_file_and_answers_exactly_as_a_build(filled):
    reopen, folder = filled
    store = reopen()
    first = load(store, folder)
    assert first.source == "build" and cache_path(folder).is_file()
    expected = answers(built(store))
    assert answers(first.directory) == expected
    store.close()

    store = reopen()
    second = load(store, folder)
    assert second.source == "cache"
    assert answers(second.directory) == expected
    assert len(second.directory) == 120
    # the restored index still takes edits like a built one
    some = store.contacts.get(next(iter(second.directory._contacts)))
    some.name = "Renamed Person"
    second.directory.put(some)
    assert [c.name for c in second.directory.search("renamed")] == ["Renamed Person"]


def test_lookup_is_announced_ready_when_read_from_the_file(filled):
    reopen, folder = filled
    store = reopen()
    load(store, folder)
    store.close()
    store = reopen()
    seen = {}
    directory = Directory(RULES)
    result = load(store, folder, directory=directory,
                  on_numbers_ready=lambda: seen.update(hit=directory.lookup("2100000007")))
    assert result.source == "cache"
    assert [m.contact.phones[0].number for m in seen["hit"] if m.kind == "exact"] == ["2100000007"]
    assert exact(directory, "2100000007") == [seen["hit"][0].contact.id]


def test_contacts_edited_deleted_added_while_closed_are_found_as_they_are_now(filled):
    reopen, folder = filled
    store = reopen()
    load(store, folder)
    ids = [c.id for c in store.contacts.all()]
    edited = store.contacts.get(ids[7])
    edited.name, edited.phones = "Ζωή Καινούργια", [Phone("2109999999")]
    store.contacts.put(edited)
    store.contacts.delete(ids[8])
    store.contacts.put(Contact(name="Newcomer Person", phones=[Phone("2108888888")]))
    store.close()

    store = reopen()
    result = load(store, folder)
    assert result.source == "cache+changes" and result.changed == 3
    directory = result.directory
    assert [c.name for c in directory.search("καινουργ")] == ["Ζωή Καινούργια"]
    assert ids[7] not in {c.id for q in ("γιωργ", "ivan", "jiri", "anna", "maria") for c in directory.search(q, 500)}
    assert exact(directory, "2100000007") == []                 # its old number
    assert exact(directory, "2109999999") == [ids[7]]
    assert exact(directory, "2100000008") == [] and ids[8] not in directory
    assert [c.name for c in directory.search("newcomer")] == ["Newcomer Person"]
    assert answers(directory) == answers(built(store))


def test_a_change_merged_from_another_station_is_seen_after_restart(stations, filled):
    reopen, folder = filled
    store = reopen()
    load(store, folder)
    target = store.contacts.get([c.id for c in store.contacts.all()][12])
    store.sync_now()                          # alpha's contacts reach the share
    store.close()

    beta = stations("beta")
    beta.sync_now()
    changed = beta.contacts.get(target.id)
    changed.name, changed.first_name, changed.last_name = "Μετονομάστηκε Αλλού", "", ""
    beta.contacts.put(changed)
    beta.sync_now()

    store = reopen()                          # alpha merges beta's edit, then closes
    assert store.sync_now().applied >= 1
    store.close()
    store = reopen()
    result = load(store, folder)
    assert result.source == "cache+changes"
    assert [c.id for c in result.directory.search("μετονομαστηκε")] == [target.id]
    assert target.id not in {c.id for c in result.directory.search(target.name, 500)}
    assert answers(result.directory) == answers(built(store))


def test_a_change_merged_while_the_index_is_read_is_not_lost(stations, filled):
    reopen, folder = filled
    store = reopen()
    load(store, folder)
    store.sync_now()
    target_id = [c.id for c in store.contacts.all()][3]
    store.close()
    beta = stations("beta")
    beta.sync_now()
    changed = beta.contacts.get(target_id)
    changed.name, changed.first_name, changed.last_name = "Merged During Start", "", ""
    beta.contacts.put(changed)
    beta.sync_now()

    store = reopen()
    directory = Directory(RULES)

    def feed(change) -> None:                 # what the app's directory feature does
        if change.table == "contacts":
            for key in change.keys:
                contact = store.contacts.get(key)
                directory.put(contact) if contact else directory.remove(key)
    store.subscribe(feed)
    merged = threading.Thread(target=store.sync_now)
    # The merge starts while the index is being read (it waits for the directory's lock).
    result = load(store, folder, directory=directory, on_numbers_ready=merged.start)
    merged.join()
    assert result.source == "cache"
    assert [c.id for c in directory.search("merged during")] == [target_id]
    assert answers(directory) == answers(built(store))


def test_many_changes_mean_a_fresh_build_and_file(filled, monkeypatch):
    reopen, folder = filled
    store = reopen()
    load(store, folder)
    for contact in list(store.contacts.all())[:5]:
        contact.name += " Χ"
        store.contacts.put(contact)
    store.close()
    monkeypatch.setattr(directory_cache, "MAX_CHANGED", 4)
    store = reopen()
    result = load(store, folder)
    assert result.source == "build" and "5 contacts changed" in result.problem
    assert answers(result.directory) == answers(built(store))
    store.close()
    assert load(reopen(), folder).source == "cache"


def test_other_match_rules_or_index_format_mean_a_build(filled, monkeypatch):
    reopen, folder = filled
    store = reopen()
    load(store, folder)
    other = open_directory(store, MatchRules(digits=8), folder)
    assert other.source == "build" and other.problem == "rules differs"
    other.saver.join()
    assert [m.contact.phones[0].number for m in other.directory.lookup("+44 99 00000007")] == ["2100000007"]
    monkeypatch.setattr(directory_cache, "INDEX_FORMAT", 999)
    assert load(store, folder).source == "build"


def damage_truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def damage_flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for tenth in range(1, 10):
        data[len(data) * tenth // 10] ^= 0x5A
    path.write_bytes(bytes(data))


def damage_empty(path: Path) -> None:
    path.write_bytes(b"")


def damage_garbage(path: Path) -> None:
    path.write_bytes(b"\x00" * 4096)


class Boom:
    def __reduce__(self):
        return (Path.write_text, (Path("should-not-exist.txt"), "ran"))


def damage_foreign_pickle(path: Path) -> None:
    """A file that passes every check but would run code if its index were unpickled naively."""
    header, data = directory_cache._read(path)
    begin, length, crc = header["sections"]["ids"]
    ids = bytes(data[len(directory_cache.MAGIC) + begin:][:length])
    evil = pickle.dumps(Boom())
    header["sections"] = {"ids": (0, len(ids), crc), "index": (len(ids), len(evil), zlib.crc32(evil))}
    head = pickle.dumps(header)
    path.write_bytes(directory_cache.MAGIC + ids + evil + head + len(head).to_bytes(4, "little"))


def damage_evil_header(path: Path) -> None:
    head = pickle.dumps(Boom())
    path.write_bytes(directory_cache.MAGIC + head + len(head).to_bytes(4, "little"))


@pytest.mark.parametrize("damage", [damage_truncate, damage_flip_bytes, damage_empty, damage_garbage,
                                    damage_foreign_pickle, damage_evil_header])
def test_a_damaged_or_foreign_file_is_ignored_and_replaced(filled, damage, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    reopen, folder = filled
    store = reopen()
    expected = answers(load(store, folder).directory)
    damage(cache_path(folder))
    result = load(store, folder)
    assert result.source == "build" and result.problem
    assert answers(result.directory) == expected
    assert not (tmp_path / "should-not-exist.txt").exists()
    if damage in (damage_foreign_pickle, damage_evil_header):
        assert "refuses pathlib" in result.problem
    assert load(store, folder).source == "cache"            # the file was written again


def test_a_folder_that_cannot_hold_the_file_only_costs_a_build(filled):
    reopen, folder = filled
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the cache folder should be")
    store = reopen()
    result = load(store, folder)
    assert result.source == "build"
    assert answers(result.directory) == answers(built(store))


def test_a_temporary_file_left_by_an_interrupted_write_is_cleaned_up(filled):
    reopen, folder = filled
    folder.mkdir(parents=True)
    left = folder / f"{directory_cache.CACHE_NAME}.99999.tmp"
    left.write_bytes(b"half a file")
    store = reopen()
    assert load(store, folder).source == "build"
    assert not left.exists() and cache_path(folder).is_file()
    assert load(store, folder).source == "cache"


def test_changed_records_are_found_whatever_order_the_store_keeps_them_in():
    snap = directory_cache._Snapshot
    clocks = [((1, "a"), None, None), ((2, "a"), None, None), ((3, "b"), None, None)]
    old = (["x", "y", "z"], *map(list, zip(*clocks)))
    same_order = snap([], ["x", "y", "z", "new"],
                      tuple(map(list, zip(*[clocks[0], ((9, "b"), None, None), clocks[2], ((4, "a"), None, None)]))))
    other_order = snap([], ["z", "x", "y"],
                       tuple(map(list, zip(*[clocks[2], clocks[0], (None, None, (5, "a"))]))))
    assert directory_cache._changed_keys(old, same_order) == ["new", "y"]
    assert directory_cache._changed_keys(old, other_order) == ["y"]
