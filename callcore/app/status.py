"""Health a user can see and report: damaged files set aside, calls waiting to be saved,
the per-user log file. (``ui.ports.StatusPort``)"""
from __future__ import annotations

from pathlib import Path

from ..store import Store
from .calls import CallLogFeature


class StatusFeature:
    def __init__(self, store: Store, call_log: CallLogFeature | None, log_file: Path | None):
        self.store = store
        self.call_log = call_log
        self.log_file = log_file

    def store_problems(self) -> list[str]:
        return [str(p) for p in self.store.problems]

    def calls_waiting(self) -> int:
        return self.call_log.waiting if self.call_log is not None else 0

    def log_path(self) -> str:
        return str(self.log_file) if self.log_file else ""
