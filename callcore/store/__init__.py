"""Store: local-first TinyDB files + a change journal synced through a shared folder.

See docs/store.md for the design. Public API::

    store = Store.open(local_folder, shared_folder, station_id)
    store.contacts.put(contact); store.calls.add(call); store.subscribe(callback)
    store.sync_now(); store.compact(); store.check(); store.close()
"""
from .base import StoreError, StoreIOError, StoreProblem
from .engine import ChangeSet, CompactReport, Store, SyncReport
from .lock import StationInUseError

__all__ = ["Store", "ChangeSet", "StoreProblem", "StoreError", "StationInUseError", "SyncReport",
           "CompactReport", "StoreIOError"]
