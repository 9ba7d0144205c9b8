"""Property tests: any shuffle/duplication of the same changes converges to one state,
and that state is what 'newest clock wins, tombstones hide older writes' says."""
from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from callcore.records import Contact
from callcore.store.changes import Change
from callcore.store.tables import CallLog, FieldTable

DEVICES = ["alpha#aaaaaa", "beta#bbbbbb", "gamma#cccccc"]
KEYS = ["k1", "k2"]
FIELDS = {"name": st.sampled_from(["Anna", "Ιβάν", "Žofie", "Μαρία"]),
          "city": st.sampled_from(["", "Praha", "Αθήνα"]),
          "popup_priority": st.integers(0, 3)}


@st.composite
def change_sets(draw):
    changes = []
    seqs = {d: 0 for d in DEVICES}
    last = {d: 0 for d in DEVICES}
    for _ in range(draw(st.integers(1, 25))):
        device = draw(st.sampled_from(DEVICES))
        seqs[device] += 1
        # small range: many clock ties between devices; one device's clock always moves on
        hlc = last[device] = max(last[device] + 1, draw(st.integers(1, 40)))
        key = draw(st.sampled_from(KEYS))
        if draw(st.integers(0, 5)) == 0:
            fields = None
        elif draw(st.booleans()):
            fields = {n: draw(s) for n, s in FIELDS.items()}
            fields.update(type="customer", phones=[{"number": "2101234567", "label": "work"}])
            fields.update({n: "" for n in ("first_name", "last_name", "short_name", "company", "company_id",
                                           "address", "area", "postcode", "email", "comments")})
        else:
            names = draw(st.lists(st.sampled_from(list(FIELDS)), min_size=1, unique=True))
            fields = {n: draw(FIELDS[n]) for n in names}
        changes.append(Change(device, seqs[device], hlc, "contacts", key, fields))
    return changes


def state_of(changes: list[Change]) -> dict[str, dict | None]:
    table = FieldTable("contacts", Contact)
    for change in changes:
        table.apply(change)
    return {k: (table.get(k).to_dict() if table.get(k) else None) for k in KEYS}


def reference(changes: list[Change]) -> dict[str, dict | None]:
    """Straightforward model: per field newest (clock, device) wins; a newer tombstone hides it."""
    out = {}
    for key in KEYS:
        mine = [c for c in changes if c.key == key]
        tombs = [c.clock for c in mine if c.fields is None]
        tomb = max(tombs) if tombs else None
        fields: dict[str, tuple] = {}
        for c in mine:
            for name, value in (c.fields or {}).items():
                if (tomb is None or c.clock > tomb) and (name not in fields or c.clock > fields[name][0]):
                    fields[name] = (c.clock, value)
        out[key] = {n: v for n, (_c, v) in fields.items()} if fields else None
    return out


@settings(max_examples=300, deadline=None)
@given(change_sets(), st.randoms(use_true_random=False))
def test_shuffled_and_duplicated_changes_converge(changes, rnd: random.Random):
    replicas = []
    for _ in range(3):
        copy = changes + rnd.sample(changes, k=rnd.randint(0, len(changes)))
        rnd.shuffle(copy)
        replicas.append(state_of(copy))
    assert replicas[0] == replicas[1] == replicas[2] == state_of(changes)


@settings(max_examples=300, deadline=None)
@given(change_sets())
def test_merged_state_is_newest_field_wins(changes):
    got = state_of(changes)
    want = reference(changes)
    for key in KEYS:
        assert (got[key] is None) == (want[key] is None)
        if want[key]:
            for name, value in want[key].items():
                if name == "phones":
                    continue
                assert got[key][name] == value, name


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(DEVICES), st.integers(1, 9), st.sampled_from(["c1", "c2", "c3"]),
                          st.sampled_from(["missed", "answered"])), min_size=1, max_size=20),
       st.randoms(use_true_random=False))
def test_call_log_is_insert_only_with_one_deterministic_winner(items, rnd: random.Random):
    changes = [Change(d, i + 1, hlc, "calls", key,
                      {"linkedid": key, "direction": "in", "status": status,
                       "started_at": "2024-02-01T10:00:00+00:00"})
               for i, (d, hlc, key, status) in enumerate(items)]
    unique = {}
    for c in changes:                 # one device never issues the same clock twice
        unique.setdefault(c.clock, c)
    changes = list(unique.values())

    def replay(order):
        log = CallLog(lambda m: [], [], window=2)
        for c in order:
            log.apply(c)
        return {k: row[:-2] for k, row in log.month("2024-02").items()}

    shuffled = changes * 2
    rnd.shuffle(shuffled)
    assert replay(shuffled) == replay(changes)
    for key, row in replay(changes).items():
        winner = min((c for c in changes if c.key == key), key=lambda c: c.clock)
        assert row[3] == winner.fields["status"]
