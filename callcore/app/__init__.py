"""The application layer: one composition root (:func:`build_app`), the event hub, and one
module per feature. See docs/architecture.md, "Where a new feature goes"."""
from .container import App, AppMode, build_app, open_store
from .hub import EventHub

__all__ = ["App", "AppMode", "EventHub", "build_app", "open_store"]
