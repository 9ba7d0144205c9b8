"""Which folder is the share: an unmounted share (an empty mount point), another share,
a read-only share. Real folders; real mounts where the OS needs them (root)."""
from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import pytest

from callcore.store import Store

from .conftest import as_root, make_contact, needs_root


@contextlib.contextmanager
def unplugged(share: Path, tmp_path: Path, mounts):
    """The share's mount point without the share: an empty folder of the same name.
    As root a real bind mount is taken away; otherwise the folder is swapped for an
    empty one (the same thing as far as any program can tell)."""
    if mounts.mounted(share):
        mounts.umount(share)
        yield
        mounts.bind(tmp_path / "real-share", share)
    else:
        away = tmp_path / "share-away"
        share.rename(away)
        share.mkdir()
        yield
        share.rmdir()
        away.rename(share)


@pytest.fixture
def mounted_share(tmp_path, share, mounts):
    """``share`` as a mount point of the real share folder (when root)."""
    if as_root():
        real = tmp_path / "real-share"
        real.mkdir()
        mounts.bind(real, share)
    return share


def test_unmounted_share_is_not_written_and_work_is_published_when_it_is_back(open_store, tmp_path,
                                                                              mounted_share, mounts):
    share = mounted_share
    a, b = open_store("alpha"), open_store("beta")
    first = a.contacts.put(make_contact("before"))
    a.sync_now()
    b.sync_now()
    open_store("gamma").close()                        # has met the share before
    assert (share / "share.json").exists() and b.contacts.get(first.id) == first
    with unplugged(share, tmp_path, mounts):
        offline = a.contacts.put(make_contact("while the share was away"))
        report = a.sync_now()
        assert not report.online and "not available" in report.error and str(share) in report.error
        assert any("not available" in str(p) for p in a.problems)
        assert "not available" in a.share_status
        gamma = open_store("gamma")                    # opening writes a heartbeat …
        gamma.contacts.put(make_contact("gamma offline"))
        gamma.close()                                  # … closing publishes
        assert os.listdir(share) == []                 # nothing landed in the empty mount point
    report = a.sync_now()
    assert report.online and report.published == 1
    assert not a.share_status and not any("not available" in str(p) for p in a.problems)
    b.sync_now()
    assert b.contacts.get(offline.id) == offline


def test_a_different_share_is_refused_naming_both_ids(open_store, tmp_path, share):
    a = open_store("alpha")
    a.sync_now()
    mine = json.loads((share / "share.json").read_text())["share_id"]
    other = tmp_path / "other-share"
    other.mkdir()
    Store.open(tmp_path / "local-x", other, "x", background_sync=False).close()   # sets up another share
    theirs = json.loads((other / "share.json").read_text())["share_id"]
    a.close()
    again = open_store("alpha", shared=other)
    again.contacts.put(make_contact("stays local"))
    report = again.sync_now()
    assert not report.online and mine in report.error and theirs in report.error
    assert not (other / "stations" / "alpha").exists()


def test_first_contact_sets_up_an_empty_folder_but_refuses_one_with_other_files(open_store, tmp_path):
    busy = tmp_path / "documents"
    busy.mkdir()
    (busy / "letter.odt").write_text("not a store")
    store = open_store("alpha", shared=busy)
    report = store.sync_now()
    assert not report.online and "other files" in report.error and str(busy) in report.error
    assert sorted(os.listdir(busy)) == ["letter.odt"]


@needs_root
def test_read_only_share_still_merges_and_says_it_cannot_be_written(open_store, tmp_path, share, mounts):
    beta = open_store("beta")
    theirs = beta.contacts.put(make_contact("from beta"))
    beta.sync_now()
    ro = mounts.bind(share, tmp_path / "share-ro", read_only=True)
    alpha = open_store("alpha", shared=ro)
    mine = alpha.contacts.put(make_contact("from alpha"))
    report = alpha.sync_now()
    assert alpha.contacts.get(theirs.id) == theirs                  # merging works
    assert "cannot write to the shared folder" in report.error and str(ro) in report.error
    assert "read-only" in report.error or "permission denied" in report.error
    assert "unreachable" not in report.error and "not reachable" not in report.error
    assert any("cannot write to the shared folder" in str(p) for p in alpha.problems)
    beta.contacts.put(make_contact("more from beta"))
    beta.sync_now()
    assert alpha.sync_now().applied == 1                            # and goes on merging
    alpha.close()
    writable = open_store("alpha", shared=share)                    # the same share, writable
    assert writable.sync_now().published == 1
    beta.sync_now()
    assert beta.contacts.get(mine.id) == mine


def test_upgrade_without_share_json_adopts_the_real_share_not_an_empty_mount_point(tmp_path, share, mounts):
    """A workstation from before share.json (its state says it has synced) meets an empty
    folder first: that is an unmounted share, not a new one."""
    local = tmp_path / "local-alpha"
    with Store.open(local, share, "alpha", background_sync=False) as alpha:
        alpha.contacts.put(make_contact("old"))
        alpha.sync_now()
        alpha.checkpoint()                             # (the app does so every 30 s)
    (local / "identity.json").unlink()                 # as written by the previous version
    (share / "share.json").unlink()
    with unplugged(share, tmp_path, mounts):
        with Store.open(local, share, "alpha", background_sync=False) as alpha:
            alpha.contacts.put(make_contact("new"))
            report = alpha.sync_now()
            assert not report.online and "is empty" in report.error and "mounted" in report.error
        assert os.listdir(share) == []
    with Store.open(local, share, "alpha", background_sync=False) as alpha:
        assert alpha.sync_now().published == 1
    assert (share / "share.json").exists()
