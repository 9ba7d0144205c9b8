"""Item: damage in the local journal that has been recovered from the share stops being
reported (today it is reported at every start, forever)."""
from __future__ import annotations

from .conftest import make_contact


def damage_line(path, line_no: int) -> None:
    lines = path.read_bytes().split(b"\n")
    lines[line_no - 1] = lines[line_no - 1].replace(b'"name"', b'"nAme"')   # checksum no longer matches
    path.write_bytes(b"\n".join(lines))


def test_journal_damage_recovered_from_the_share_is_no_longer_reported(open_store, tmp_path, share):
    alpha = open_store("alpha")
    made = [alpha.contacts.put(make_contact(f"c{i}")) for i in range(3)]
    alpha.sync_now()                                   # on the share
    alpha.close()
    segment = sorted((tmp_path / "local-alpha" / "journal").glob("*.jsonl"))[0]
    damage_line(segment, 2)
    again = open_store("alpha")
    assert any("damaged journal lines 2" in str(p) for p in again.problems)
    assert again.contacts.get(made[1].id) is None       # lost locally …
    again.sync_now()                                    # … and merged back from the share
    assert again.contacts.get(made[1].id) == made[1]
    assert not any("journal" in str(p) for p in again.problems), again.problems
    assert not any("journal" in str(p) for p in again.check()), again.problems
    again.close()
    third = open_store("alpha")
    assert not third.problems and third.contacts.get(made[1].id) == made[1]
    assert not list((tmp_path / "local-alpha" / "quarantine").glob("journal-*"))


def test_journal_damage_not_on_the_share_stays_reported(open_store, tmp_path, share):
    alpha = open_store("alpha", shared=False)           # nothing was ever published
    alpha.contacts.put(make_contact("a"))
    alpha.contacts.put(make_contact("b"))
    alpha.close()
    segment = sorted((tmp_path / "local-alpha" / "journal").glob("*.jsonl"))[0]
    damage_line(segment, 1)
    again = open_store("alpha")
    again.sync_now()
    assert any("damaged journal lines 1" in str(p) for p in again.problems)
    problems = [str(p) for p in again.check()]
    assert any("damaged journal lines 1" in p for p in problems)
    assert any("changes 1-1 of workstation alpha" in p and "cannot be republished" in p for p in problems)
    assert len([p for p in problems if "changes 1-1" in p]) == 1            # said once, by its owner
