"""Item: the PC renamed (same local folder, another station id) or state.json lost: the
changes not yet published still reach the share and every other station."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from callcore.store import Store

from .conftest import make_contact

ROOT = Path(__file__).resolve().parents[2]


OFFLINE = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from callcore.store import Store
from tests.store.conftest import make_call, make_contact
local, share, away = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
with Store.open(local, share, "alpha", background_sync=False) as store:
    print(store.contacts.put(make_contact("published")).id)
    store.sync_now()
    share.rename(away)                                # the share goes away
    print(store.contacts.put(make_contact("not published yet")).id)
    call = make_call()
    store.calls.add(call)
    print(call.id)
    assert not store.sync_now().online
away.rename(share)
"""


def offline_change(local: Path, share: Path, tmp_path: Path) -> list[str]:
    """A workstation process publishes one change, then commits a contact and a call while
    the share is away and exits (they stay unpublished in its journal)."""
    done = subprocess.run([sys.executable, "-c", OFFLINE.format(root=str(ROOT)), str(local), str(share),
                           str(tmp_path / "share-away")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize("lost", ["renamed", "state.json", "state.json+identity.json", "damaged state.json"])
def test_unpublished_changes_reach_the_share_after_rename_or_lost_state(tmp_path, share, open_store, lost):
    local = tmp_path / "local-pc"
    sent, kept, call = offline_change(local, share, tmp_path)
    if lost == "renamed":
        station = "alpha-new-name"
    else:
        station = "alpha"
        if lost == "damaged state.json":
            (local / "state.json").write_bytes(b"\0" * 40)
        else:
            for name in lost.split("+"):
                (local / name).unlink()
    again = Store.open(local, share, station, background_sync=False)
    try:
        assert again.contacts.get(kept) is not None                      # still here locally
        report = again.sync_now()
        assert report.online and report.published >= 2
        fresh = again.contacts.put(make_contact("after"))                # and new work goes on
        again.sync_now()
    finally:
        again.close()
    other = open_store("beta")
    other.sync_now()
    assert {c.id for c in other.contacts.all()} == {sent, kept, fresh.id}
    assert other.calls.get(call) is not None
    assert not [p for p in other.check() if "missing" in p.problem], other.problems
    # and once published it is not published again, nor lost, on the next start
    with Store.open(local, share, station, background_sync=False) as third:
        assert third.sync_now().published == 0
        assert third.contacts.get(kept) is not None
