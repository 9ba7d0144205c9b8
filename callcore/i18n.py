"""The one translation function every user-visible string goes through.

English is the source language. Translations are standard gettext catalogs:
``locale/<lang>/LC_MESSAGES/operator.po`` in the repository (kept up to date with
``python3 scripts/i18n.py update``), compiled to ``operator.mo`` for the build and the
tests. A missing entry falls back to English, so an incomplete catalog never hides text.

Messages are ``str.format`` templates (``_("{n} calls").format(n=3)``): a translation whose
``{placeholders}`` differ from the English ones would raise or lose data at run time, so
it is refused here (English is shown) and ``scripts/i18n.py check`` fails on it.
"""
from __future__ import annotations

import gettext
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

DOMAIN = "operator"
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Language:
    code: str
    name: str          # the language's own name, shown in the language choice lists
    rtl: bool = False  # written right to left (labels are shaped and right-aligned)


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English"),
    Language("el", "Ελληνικά"),
    Language("ru", "Русский"),
    Language("cs", "Čeština"),
    Language("fa", "فارسی", rtl=True),
)

_PLACEHOLDER = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})")


def placeholders(text: str) -> set[str]:
    """The ``str.format`` field names in ``text`` (``{n}``, ``{name}``, ``{byte:02x}`` → byte)."""
    names = set()
    for field in _PLACEHOLDER.findall(text):
        names.add(re.split(r"[!:.\[]", field, maxsplit=1)[0])
    return names


def _english_plural(n: int) -> int:
    return 0 if n == 1 else 1


_catalog: dict[str, str] = {}
_plurals: dict[tuple[str, str], tuple[str, ...]] = {}
_plural_index: Callable[[int], int] = _english_plural
_active = SOURCE_LANGUAGE


def _(message: str) -> str:
    """Translate ``message`` to the active language (English when none is loaded)."""
    return _catalog.get(message, message)


def _n(singular: str, plural: str, n: int) -> str:
    """The form of a counted message for ``n`` in the active language (Russian and Czech
    have three forms, Persian and Greek two); English when untranslated. The caller
    formats: ``_n("{n} call", "{n} calls", k).format(n=k)``."""
    forms = _plurals.get((singular, plural))
    if forms:
        index = _plural_index(n)
        if 0 <= index < len(forms) and forms[index]:
            return forms[index]
    return singular if n == 1 else plural


def N_(message: str) -> str:
    """Marks a message for the catalog without translating it yet (translated where shown)."""
    return message


def active_language() -> str:
    return _active


_RTL_CODES = frozenset(language.code for language in LANGUAGES if language.rtl)


def is_rtl(lang: str | None = None) -> bool:
    return (_active if lang is None else lang) in _RTL_CODES


def locale_folder() -> Path:
    """``locale/`` beside the program: the unpacked bundle when frozen, the repo otherwise."""
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) / "locale" if base else Path(__file__).resolve().parent.parent / "locale"


def available_languages(folder: Path | None = None) -> list[str]:
    """Codes of the languages with a catalog (and English), in LANGUAGES order."""
    root = folder or locale_folder()
    return [lang.code for lang in LANGUAGES if lang.code == SOURCE_LANGUAGE
            or (root / lang.code / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()
            or (root / lang.code / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()]


def system_language(folder: Path | None = None) -> str:
    """The user's language when there is a catalog for it, English otherwise: Windows'
    UI language there; elsewhere LANGUAGE / LC_ALL / LC_MESSAGES / LANG (gettext's order)."""
    import locale
    import os
    code = ""
    if sys.platform == "win32":
        try:
            import ctypes
            code = locale.windows_locale.get(ctypes.windll.kernel32.GetUserDefaultUILanguage(), "")
        except (AttributeError, OSError):
            code = ""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if code:
            break
        code = os.environ.get(var, "").split(":")[0]
    if not code:
        try:
            code = locale.getlocale()[0] or ""
        except ValueError:
            code = ""
    lang = code.split(".")[0].split("_")[0].split("-")[0].lower()
    return lang if lang in available_languages(folder) else SOURCE_LANGUAGE


@dataclass
class LoadedCatalog:
    messages: dict[str, str]
    plurals: dict[tuple[str, str], tuple[str, ...]]
    plural_index: Callable[[int], int]
    refused: list[str]      # msgids whose translation had other placeholders than English


def _plural_rule(header: str) -> Callable[[int], int]:
    match = re.search(r"plural=([^;\n]+)", header)
    return gettext.c2py(match.group(1)) if match else _english_plural


def _from_mo(path: Path) -> tuple[dict, Callable[[int], int]]:
    """Entries of a compiled catalog: ``msgid → text`` and, for counted messages,
    ``(singular, index) → form`` plus ``(singular, "plural") → English plural``."""
    import struct
    data = path.read_bytes()
    endian = "<" if struct.unpack("<I", data[:4])[0] == 0x950412DE else ">"
    _revision, count, originals, translated = struct.unpack(endian + "4I", data[4:20])
    raw: dict = {}
    header = ""
    for i in range(count):
        o_len, o_off = struct.unpack(endian + "2I", data[originals + 8 * i:originals + 8 * i + 8])
        t_len, t_off = struct.unpack(endian + "2I", data[translated + 8 * i:translated + 8 * i + 8])
        original = data[o_off:o_off + o_len].decode("utf-8")
        text = data[t_off:t_off + t_len].decode("utf-8")
        if not original:
            header = text
        elif "\x00" in original:
            singular, plural = original.split("\x00", 1)
            raw[(singular, "plural")] = plural
            for index, form in enumerate(text.split("\x00")):
                raw[(singular, index)] = form
        else:
            raw[original] = text
    return raw, _plural_rule(header)


def _from_po(path: Path) -> tuple[dict, Callable[[int], int]]:
    """A catalog straight from its .po (a source checkout that was not compiled yet)."""
    from babel.messages.pofile import read_po
    with path.open("rb") as handle:
        catalog = read_po(handle)
    raw: dict = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, (list, tuple)):
            for index, form in enumerate(message.string):
                raw[(message.id[0], index)] = form
            raw[(message.id[0], "plural")] = message.id[1]
        elif message.string:
            raw[message.id] = message.string
    return raw, gettext.c2py(catalog.plural_expr)


def read_catalog(lang: str, folder: Path | None = None) -> LoadedCatalog | None:
    """The catalog of ``lang`` checked for placeholders, or None when there is none.
    Prefers the compiled .mo unless the .po is newer (a translator just edited it)."""
    base = (folder or locale_folder()) / lang / "LC_MESSAGES"
    mo, po = base / f"{DOMAIN}.mo", base / f"{DOMAIN}.po"
    if mo.is_file() and not (po.is_file() and po.stat().st_mtime > mo.stat().st_mtime):
        raw, index = _from_mo(mo)
    elif po.is_file():
        raw, index = _from_po(po)
    else:
        return None
    messages: dict[str, str] = {}
    forms: dict[str, dict[int, str]] = {}
    refused: list[str] = []
    for key, text in raw.items():
        if isinstance(key, tuple):
            if key[1] != "plural":
                forms.setdefault(key[0], {})[key[1]] = text
        elif ("{" in text or "{" in key) and placeholders(text) != placeholders(key):
            refused.append(key)
        else:
            messages[key] = text
    plurals: dict[tuple[str, str], tuple[str, ...]] = {}
    for singular, by_index in forms.items():
        english_plural = raw.get((singular, "plural"), singular)
        texts = tuple(by_index[i] for i in sorted(by_index))
        if not all(texts):
            continue
        if any(placeholders(text) != placeholders(english_plural) for text in texts):
            refused.append(singular)
            continue
        plurals[(singular, english_plural)] = texts
    for msgid in refused:
        log.warning("translation of %r in %s refused: its placeholders differ", msgid, lang)
    return LoadedCatalog(messages, plurals, index, refused)


def load_language(lang: str, folder: Path | None = None) -> bool:
    """Activate ``lang`` (before any window is built: module-level texts are translated
    when first used). Returns False, and keeps English, when there is no catalog."""
    global _catalog, _plurals, _plural_index, _active
    loaded = None if lang in ("", SOURCE_LANGUAGE) else read_catalog(lang, folder)
    if loaded is None:
        _catalog, _plurals, _plural_index, _active = {}, {}, _english_plural, SOURCE_LANGUAGE
        return lang in ("", SOURCE_LANGUAGE)
    _catalog, _plurals, _plural_index, _active = (loaded.messages, loaded.plurals,
                                                  loaded.plural_index, lang)
    return True
