"""The one translation function every user-visible string goes through.

English is the source language. Catalogs are plain JSON files in ``assets/i18n/<lang>.json``
mapping an English message to its translation; a missing entry falls back to English, so
an incomplete catalog never hides text.
"""
from __future__ import annotations

import json
from pathlib import Path

_catalog: dict[str, str] = {}


def _(message: str) -> str:
    """Translate ``message`` to the active language (English when none is loaded)."""
    return _catalog.get(message, message)


def load_language(lang: str, assets: Path | None = None) -> bool:
    """Activate ``lang``; returns False (and keeps English) when no catalog exists."""
    global _catalog
    folder = assets or Path(__file__).resolve().parent.parent / "assets" / "i18n"
    path = folder / f"{lang}.json"
    if lang in ("", "en") or not path.is_file():
        _catalog = {}
        return lang in ("", "en")
    _catalog = json.loads(path.read_text(encoding="utf-8"))
    return True
