"""'Last calls with this number' at scale: months outside memory are skipped when their
number digest proves they hold no such number, and a digest never hides a call that
arrives later (merged from another station into an old month)."""
from __future__ import annotations

from tests.store.conftest import make_call


def months_read(store, monkeypatch) -> list[str]:
    seen: list[str] = []
    original = store.calllog._load_month

    def counting(month):
        seen.append(month)
        return original(month)
    monkeypatch.setattr(store.calllog, "_load_month", counting)
    return seen


def test_unknown_number_reads_old_months_once_then_never(open_store, monkeypatch):
    store = open_store("alpha", calls_window=1)
    for month, number in (("01", "2101111111"), ("02", "2102222222"), ("03", "6945123456")):
        store.calls.add(make_call(f"2024-{month}-05T09:30:00+02:00", caller_number=number,
                                  caller_name="Μανουσάκης"))
    store.checkpoint()           # month files written: old months leave memory on reopen
    store.close()
    store = open_store("alpha", calls_window=1)
    seen = months_read(store, monkeypatch)
    assert store.calls.for_number("6999999999") == []
    first_pass = list(seen)
    assert sorted(first_pass) == ["2024-01", "2024-02"]       # the resident month is not re-read
    assert store.calls.for_number("6999999998") == []
    assert seen == first_pass                                   # digests answered: nothing read
    found = store.calls.for_number("210-111-1111")
    assert [c.caller_number for c in found] == ["2101111111"]
    assert seen == first_pass + ["2024-01"]                     # only the month that has it


def test_a_call_merged_into_an_old_month_is_found(open_store):
    alpha = open_store("alpha", calls_window=1)
    alpha.calls.add(make_call("2024-01-05T09:30:00+02:00", caller_number="2101111111"))
    alpha.calls.add(make_call("2024-03-05T09:30:00+02:00", caller_number="2103333333"))
    alpha.checkpoint()
    alpha.close()
    alpha = open_store("alpha", calls_window=1)
    assert alpha.calls.for_number("2109999999") == []           # January's digest is made
    beta = open_store("beta")
    late = make_call("2024-01-20T11:00:00+02:00", caller_number="2109999999", caller_name="Иван")
    beta.calls.add(late)
    beta.sync_now()
    alpha.sync_now()
    assert [c.id for c in alpha.calls.for_number("2109999999")] == [late.id]


def test_limited_look_back(open_store):
    store = open_store("alpha", calls_window=1)
    for month in ("01", "02", "03"):
        store.calls.add(make_call(f"2024-{month}-05T09:30:00+02:00", caller_number="2101111111"))
    assert len(store.calls.for_number("2101111111", limit=10)) == 3
    assert len(store.calls.for_number("2101111111", limit=10, months=2)) == 2


def test_prepare_number_search_makes_every_old_digest(open_store):
    store = open_store("alpha", calls_window=1)
    for month in ("01", "02", "03"):
        store.calls.add(make_call(f"2024-{month}-05T09:30:00+02:00", caller_number="2101111111"))
    store.checkpoint()           # month files written: old months leave memory on reopen
    store.close()
    store = open_store("alpha", calls_window=1)
    store.calls.prepare_number_search(pause=0)
    assert set(store.calllog.digests) == {"2024-01", "2024-02"}


def test_only_the_newest_month_is_read_at_open_the_window_s_others_at_first_use(open_store, monkeypatch):
    """Start-up at 1,000,000 calls (issue 6 §6): one month is read while the window waits;
    the window's other month becomes resident when first used, and stays (read once)."""
    store = open_store("alpha", calls_window=2)
    for month, number in (("01", "2101111111"), ("02", "2102222222"), ("03", "6945123456")):
        store.calls.add(make_call(f"2024-{month}-05T09:30:00+02:00", caller_number=number))
    store.checkpoint()
    store.close()
    store = open_store("alpha", calls_window=2)
    assert sorted(store.calllog.months) == ["2024-03"]
    seen = months_read(store, monkeypatch)
    assert [c.caller_number for c in store.calls.for_number("2102222222")] == ["2102222222"]
    assert [c.caller_number for c in store.calls.for_number("2102222222")] == ["2102222222"]
    # each month read once: the window's 2024-02 stays resident, the older one leaves a digest
    assert seen == ["2024-02", "2024-01"]
    assert sorted(store.calllog.months) == ["2024-02", "2024-03"]


def test_number_search_preparation_makes_the_window_resident(open_store, monkeypatch):
    store = open_store("alpha", calls_window=2)
    for month in ("01", "02", "03"):
        store.calls.add(make_call(f"2024-{month}-05T09:30:00+02:00"))
    store.checkpoint()
    store.close()
    store = open_store("alpha", calls_window=2)
    seen = months_read(store, monkeypatch)
    store.calls.prepare_number_search(pause=0)        # after start-up, in the background
    assert sorted(seen) == ["2024-01", "2024-02"]
    assert sorted(store.calllog.months) == ["2024-02", "2024-03"]
