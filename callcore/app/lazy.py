"""A feature built the first time it is used.

The call console holds numpy and a large index; most operators open it rarely, so the
window starts without importing or building it (start-up time and memory at 1,000,000
calls, issue 6 §6) and the feature is made at the first call of any of its methods.
"""
from __future__ import annotations

import threading
from typing import Any, Callable


class LazyFeature:
    """Stands in for the object ``make()`` returns, making it at the first attribute
    access (from any thread; made once)."""

    def __init__(self, make: Callable[[], Any], name: str = "feature"):
        self._make = make
        self._name = name
        self._made: Any = None
        self._lock = threading.Lock()

    @property
    def made(self) -> bool:
        return self._made is not None

    def get(self) -> Any:
        """The feature, made now if it was not yet."""
        if self._made is None:
            with self._lock:
                if self._made is None:
                    self._made = self._make()
        return self._made

    def close_if_made(self, method: str = "close") -> None:
        """Close the feature if it was ever made (closing must not make it)."""
        if self._made is not None:
            getattr(self._made, method)()

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        return getattr(self.get(), attribute)

    def __repr__(self) -> str:
        return f"LazyFeature({self._name}, made={self.made})"
