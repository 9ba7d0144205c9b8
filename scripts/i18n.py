"""Keep the translation catalogs up to date — one command after UI strings changed.

    python3 scripts/i18n.py update   # extract → locale/operator.pot → merge into every .po → compile .mo
    python3 scripts/i18n.py compile  # .po → .mo only (the build and the tests run this)
    python3 scripts/i18n.py check    # exit 1: untranslated/fuzzy entries, broken placeholders

Messages are found by Babel in every ``_("…")``, ``_n("…", "…", n)``, ``N_("…")``,
``plural(n, "…", "…")`` (ui/look.py) and report ``Column(key, "Label", …)`` call in the
program's sources (not the tests). See docs/languages.md.
"""
from __future__ import annotations

import argparse
import io
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_file  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from callcore.i18n import DOMAIN, LANGUAGES, SOURCE_LANGUAGE, placeholders  # noqa: E402

LOCALE = ROOT / "locale"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"
SOURCES = ("operator_app.py", "callcore", "ui", "reports")
KEYWORDS = {"_": None, "N_": None, "_n": (1, 2), "plural": (2, 3), "Column": (2,)}
# Persian counts as one/other (CLDR: "one" is 0 and 1); Babel's table has a single form.
PLURAL_FORMS = {"fa": "nplurals=2; plural=(n > 1);"}


def source_files(root: Path | None = None) -> list[Path]:
    root = root or ROOT
    files: list[Path] = []
    for name in SOURCES:
        path = root / name
        if path.is_dir():
            files.extend(sorted(path.rglob("*.py")))
        elif path.is_file():
            files.append(path)
    return [f for f in files if "__pycache__" not in f.parts]


def extract(root: Path | None = None) -> Catalog:
    """Every marked message of the program, with where it is used."""
    root = root or ROOT
    template = Catalog(project="operator-app", domain=DOMAIN, charset="utf-8",
                       creation_date=datetime(2026, 1, 1, tzinfo=timezone.utc))
    for path in source_files(root):
        relative = path.relative_to(root).as_posix()
        for lineno, message, comments, context in extract_from_file(
                "python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
                strip_comment_tags=True):
            if isinstance(message, tuple) and len(message) == 1:
                message = message[0]
            if not message or (isinstance(message, tuple) and not all(message)):
                continue
            template.add(message, None, [(relative, lineno)], auto_comments=comments,
                         context=context)
    return template


def _po(lang: str, locale: Path | None = None) -> Path:
    return (locale or LOCALE) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def _write(catalog: Catalog, path: Path) -> None:
    """Write only on change, so the files (and their times) stay put when nothing moved."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, ignore_obsolete=True,
             include_previous=False, sort_output=False)
    data = buffer.getvalue()
    if not path.is_file() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def translated_languages() -> list[str]:
    return [lang.code for lang in LANGUAGES if lang.code != SOURCE_LANGUAGE]


def _new_catalog(lang: str) -> Catalog:
    catalog = Catalog(locale=lang, domain=DOMAIN, project="operator-app", charset="utf-8",
                      creation_date=datetime(2026, 1, 1, tzinfo=timezone.utc))
    return catalog


def _fix_header(catalog: Catalog, lang: str) -> None:
    if lang in PLURAL_FORMS:
        catalog._num_plurals = int(PLURAL_FORMS[lang].split("nplurals=")[1].split(";")[0])
        catalog._plural_expr = PLURAL_FORMS[lang].split("plural=")[1].rstrip(";")
    catalog.revision_date = datetime(2026, 1, 1, tzinfo=timezone.utc)
    catalog.fuzzy = False


def update(root: Path | None = None, locale: Path | None = None) -> Catalog:
    """extract → template → merge into every language's .po → compile."""
    template = extract(root)
    _write(template, (locale or LOCALE) / TEMPLATE.name)
    for lang in translated_languages():
        path = _po(lang, locale)
        catalog = _read(path, lang) if path.is_file() else _new_catalog(lang)
        _fix_header(catalog, lang)
        catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
        _fix_header(catalog, lang)
        _write(catalog, path)
    compile_all(locale)
    return template


def compile_all(locale: Path | None = None) -> list[Path]:
    """.po → .mo for every language (the .mo files are build products, not in git)."""
    written = []
    for lang in translated_languages():
        path = _po(lang, locale)
        if not path.is_file():
            continue
        catalog = _read(path, lang)
        _fix_header(catalog, lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        target = path.with_suffix(".mo")
        if not target.is_file() or target.read_bytes() != buffer.getvalue():
            target.write_bytes(buffer.getvalue())
        written.append(target)
    return written


@dataclass
class Problems:
    lang: str
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)
    missing_file: bool = False

    def __bool__(self) -> bool:
        return bool(self.untranslated or self.fuzzy or self.placeholders or self.missing_file)

    def lines(self) -> list[str]:
        out = []
        if self.missing_file:
            out.append(f"{self.lang}: no catalog {_po(self.lang)}")
        for kind, items in (("untranslated", self.untranslated), ("fuzzy", self.fuzzy),
                            ("placeholders differ", self.placeholders)):
            for msgid in items:
                out.append(f"{self.lang}: {kind}: {msgid!r}")
        return out


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, (list, tuple)) else message.id


def check_catalog(lang: str, template: Catalog | None = None, path: Path | None = None) -> Problems:
    """What is wrong with one language's catalog against the program's current messages."""
    problems = Problems(lang)
    path = path or _po(lang)
    if not path.is_file():
        problems.missing_file = True
        return problems
    catalog = _read(path, lang)
    template = template if template is not None else extract()
    for wanted in template:
        if not wanted.id:
            continue
        message = catalog.get(wanted.id)
        key = _key(wanted)
        if message is None:
            problems.untranslated.append(key)
            continue
        if message.fuzzy:
            problems.fuzzy.append(key)
            continue
        if isinstance(wanted.id, (list, tuple)):
            forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
            if len(forms) != catalog.num_plurals or not all(forms):
                problems.untranslated.append(key)
            elif any(placeholders(form) != placeholders(wanted.id[1]) for form in forms):
                problems.placeholders.append(key)
        elif not message.string:
            problems.untranslated.append(key)
        elif placeholders(message.string) != placeholders(wanted.id):
            problems.placeholders.append(key)
    return problems


def check(langs: list[str] | None = None) -> list[Problems]:
    template = extract()
    return [check_catalog(lang, template) for lang in (langs or translated_languages())]


def stats() -> dict[str, int]:
    """How many messages each catalog translates (for reports)."""
    counts = {}
    for lang in translated_languages():
        path = _po(lang)
        if path.is_file():
            counts[lang] = sum(1 for m in _read(path, lang) if m.id and not m.fuzzy
                               and (all(m.string) if isinstance(m.string, (list, tuple)) else m.string))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("update", "compile", "check", "stats"))
    parser.add_argument("languages", nargs="*", help="check only these (default: all)")
    args = parser.parse_args(argv)
    if args.command == "update":
        template = update()
        print(f"{len([m for m in template if m.id])} messages in {TEMPLATE.relative_to(ROOT)}")
        for lang, count in stats().items():
            print(f"{lang}: {count} translated")
        return 0
    if args.command == "compile":
        for path in compile_all():
            print(path.relative_to(ROOT))
        return 0
    if args.command == "stats":
        for lang, count in stats().items():
            print(f"{lang}: {count} translated")
        return 0
    failed = False
    for problems in check(args.languages):
        for line in problems.lines():
            print(line)
        failed |= bool(problems)
        if not problems:
            print(f"{problems.lang}: complete")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
