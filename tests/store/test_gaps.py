"""Item: a batch file deleted from the share (or set aside) is a hole in its station's
numbered changes: `store check` names station and range (exit 1) and the owner
republishes it on its next sync — from its journal, or with a snapshot when the journal
no longer holds those lines."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import make_contact

ROOT = Path(__file__).resolve().parents[2]


def three_batches(store):
    made = []
    for name in ("one", "two", "three"):
        made.append(store.contacts.put(make_contact(name)))
        store.sync_now()
    return made, sorted((store.layout.own).glob("b-*"))


def cli_check(tmp_path: Path, share: Path, station: str) -> subprocess.CompletedProcess:
    settings = tmp_path / f"settings-{station}.json"
    settings.write_text(json.dumps({"station": {"id": station}, "store": {
        "local_folder": str(tmp_path / f"local-cli-{station}"), "shared_folder": str(share)}}), encoding="utf-8")
    return subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings),
                           "store", "check"], capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_deleted_batch_is_reported_then_republished_from_the_journal(open_store, tmp_path, share):
    alpha = open_store("alpha")
    made, files = three_batches(alpha)
    files[1].unlink()                                   # someone deletes a batch file
    checked = cli_check(tmp_path, share, "beta")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "changes 2-2 of workstation alpha" in checked.stdout
    beta = open_store("beta")
    beta.sync_now()
    assert beta.contacts.get(made[1].id) is None        # the hole, as everybody sees it
    alpha.sync_now()                                    # the owner's next sync fills it
    assert files[1].exists()
    beta.sync_now()
    assert {c.id for c in beta.contacts.all()} == {c.id for c in made}
    checked = cli_check(tmp_path, share, "beta2")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_batch_set_aside_as_damaged_is_republished_by_its_owner(open_store, share):
    alpha = open_store("alpha")
    made, files = three_batches(alpha)
    files[1].write_bytes(b"\0" * 200)                   # damaged on the share
    beta = open_store("beta", torn_grace=0)
    beta.sync_now()
    assert beta.contacts.get(made[1].id) is None and not files[1].exists()   # set aside
    assert any("2-2 of workstation alpha" in str(p) for p in beta.check())
    alpha.sync_now()
    beta.sync_now()
    assert beta.contacts.get(made[1].id) == made[1]
    assert not any("missing from the shared folder" in str(p) for p in beta.check())


def test_a_gap_no_longer_in_the_journal_is_filled_with_a_snapshot(open_store, share):
    alpha = open_store("alpha")
    made, files = three_batches(alpha)
    alpha.journal.rotate_if_big(limit=0)                # a new segment; the old one is now …
    alpha.checkpoint()                                  # … checkpointed + published: deleted
    assert all(seg.maxes.get(alpha.device, 0) == 0 for seg in alpha.journal.segments)
    files[0].unlink()
    alpha.sync_now()
    assert list(share.joinpath("snapshots").iterdir())  # written because the journal lacks them
    beta = open_store("beta")
    beta.sync_now()
    assert {c.id for c in beta.contacts.all()} == {c.id for c in made}
    assert not any("missing from the shared folder" in str(p) for p in beta.check())


def test_a_gap_nobody_can_fill_is_reported_clearly(open_store, tmp_path, share):
    alpha = open_store("alpha")
    made, files = three_batches(alpha)
    beta = open_store("beta")
    beta.sync_now()
    alpha.close()
    files[2].unlink()                                   # and alpha is gone for good
    problems = [str(p) for p in beta.check()]
    assert any("changes 3-3 of workstation alpha" in p and "missing from the shared folder" in p
               for p in problems), problems
