"""PKG-4 languages: catalogs complete and sound, placeholders guarded, plural forms, locale
formats, and every user-visible literal marked for translation."""
from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from callcore import i18n, locale_format
from callcore.i18n import _, _n, load_language

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("el", "ru", "cs", "fa")


def _script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("i18n_script", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def english():
    yield
    load_language("en")


def _po(folder: Path, lang: str, body: str, plural_forms: str = "nplurals=2; plural=(n != 1);") -> Path:
    path = folder / lang / "LC_MESSAGES" / "operator.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                    f'"Plural-Forms: {plural_forms}\\n"\n\n{body}', encoding="utf-8")
    return path


# -- the shipped catalogs -------------------------------------------------------------------

@pytest.mark.parametrize("lang", SHIPPED)
def test_catalog_translates_every_message_of_the_program(lang):
    """`scripts/i18n.py check` in-process: a message added to the code without a
    translation, a fuzzy entry or a broken {placeholder} fails here, listed by name."""
    problems = _script().check([lang])[0]
    assert problems.lines() == []


@pytest.mark.parametrize("lang", SHIPPED)
def test_shipped_catalog_loads_and_translates_the_window_title(lang, english):
    assert load_language(lang)
    assert i18n.active_language() == lang
    assert _("Operator") != "Operator" and _("Settings") != "Settings"
    for k in (1, 2, 5):
        assert str(k) in _n("{n} call", "{n} calls", k).format(n=k)


def test_russian_and_czech_have_three_plural_forms_persian_two(english):
    load_language("ru")
    forms_ru = [_n("{n} call", "{n} calls", k) for k in (1, 3, 5, 21, 22, 25)]
    assert forms_ru[0] == forms_ru[3] and forms_ru[1] == forms_ru[4] and forms_ru[2] == forms_ru[5]
    assert len({forms_ru[0], forms_ru[1], forms_ru[2]}) == 3
    load_language("cs")
    forms_cs = [_n("{n} call", "{n} calls", k) for k in (1, 3, 5)]
    assert len(set(forms_cs)) == 3
    load_language("fa")
    forms_fa = {_n("{n} call", "{n} calls", k) for k in (1, 2, 7)}
    assert 1 <= len(forms_fa) <= 2 and "{n}" in next(iter(forms_fa))


# -- placeholders, plural rules, compiled catalogs on temporary files --------------------------

def test_translation_with_other_placeholders_is_refused_and_check_fails(tmp_path, english):
    _po(tmp_path, "el", 'msgid "Calling {number}…"\nmsgstr "Κλήση {αριθμός}…"\n\n'
                        'msgid "Save"\nmsgstr "Αποθήκευση"\n')
    assert load_language("el", tmp_path)
    assert _("Save") == "Αποθήκευση"
    assert _("Calling {number}…").format(number="201") == "Calling 201…"   # English, no KeyError
    script = _script()
    template = script.Catalog()
    template.add("Calling {number}…")
    template.add("Save")
    template.add("Quit")
    problems = script.check_catalog("el", template, tmp_path / "el" / "LC_MESSAGES" / "operator.po")
    assert problems.placeholders == ["Calling {number}…"]
    assert problems.untranslated == ["Quit"]


def test_plural_rule_of_the_catalog_header_picks_the_form(tmp_path, english):
    _po(tmp_path, "ru", 'msgid "{n} call"\nmsgid_plural "{n} calls"\n'
                        'msgstr[0] "{n} звонок"\nmsgstr[1] "{n} звонка"\nmsgstr[2] "{n} звонков"\n',
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);")
    load_language("ru", tmp_path)
    assert [_n("{n} call", "{n} calls", k).format(n=k) for k in (1, 2, 5, 11, 21)] == [
        "1 звонок", "2 звонка", "5 звонков", "11 звонков", "21 звонок"]


def test_compiled_catalog_says_the_same_as_its_source(tmp_path, english):
    """`scripts/i18n.py compile` in a real process writes .mo files that load with the
    same translations (and plural forms) as the .po they came from."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "i18n.py"), "compile"], check=True,
                   cwd=ROOT, capture_output=True)
    for lang in SHIPPED:
        mo = ROOT / "locale" / lang / "LC_MESSAGES" / "operator.mo"
        assert mo.is_file()
        copy = tmp_path / lang / "LC_MESSAGES"
        copy.mkdir(parents=True)
        (copy / "operator.mo").write_bytes(mo.read_bytes())
        from_mo = i18n.read_catalog(lang, tmp_path)
        source = i18n._from_po(ROOT / "locale" / lang / "LC_MESSAGES" / "operator.po")[0]
        assert from_mo.messages == {k: v for k, v in source.items() if isinstance(k, str)
                                    and i18n.placeholders(k) == i18n.placeholders(v)}
        assert from_mo.plural_index(5) == i18n.gettext.c2py(
            _script()._read(ROOT / "locale" / lang / "LC_MESSAGES" / "operator.po", lang)
            .plural_expr)(5)


def test_update_merges_a_new_message_into_every_catalog(tmp_path):
    """The one command: a message added to the code shows up, untranslated, in every .po."""
    script = _script()
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "new.py").write_text(
        'from callcore.i18n import _, _n\nA = _("A brand new label")\nB = _n("{n} fish", "{n} fishes", 2)\n',
        encoding="utf-8")
    script.update(tmp_path, tmp_path / "locale")
    template = script.extract(tmp_path)
    for lang in SHIPPED:
        problems = script.check_catalog(lang, template, script._po(lang, tmp_path / "locale"))
        assert sorted(problems.untranslated) == ["A brand new label", "{n} fish"]
        assert (tmp_path / "locale" / lang / "LC_MESSAGES" / "operator.mo").is_file()
    ru = script._read(tmp_path / "locale" / "ru" / "LC_MESSAGES" / "operator.po", "ru")
    assert ru.num_plurals == 3
    fa = script._read(tmp_path / "locale" / "fa" / "LC_MESSAGES" / "operator.po", "fa")
    assert fa.num_plurals == 2


# -- locale formats ----------------------------------------------------------------------

def test_dates_and_numbers_follow_the_language():
    moment = datetime(2026, 3, 14, 15, 7)
    assert locale_format.format_time(moment, "en") == "15:07"
    assert locale_format.format_time(moment, "el") == "15:07"
    assert "Μαρ" in locale_format.format_day(moment, "el")
    assert "мар" in locale_format.format_day(moment, "ru")
    assert "2026" in locale_format.format_day(moment, "cs", year=True)
    assert locale_format.format_number(1234567, "en") == "1,234,567"
    assert locale_format.format_number(1234567, "el") == "1.234.567"
    assert locale_format.format_number(1234567, "ru").replace("\xa0", " ") == "1 234 567"
    assert locale_format.format_duration(3725) == "1:02:05"


def test_window_times_follow_the_active_language(english):
    from ui.look import format_when
    now = datetime(2026, 3, 20, 12, 0)
    load_language("el")
    assert "Μαρ" in format_when("2026-03-14T15:07:00", now)
    load_language("en")
    assert format_when("2026-03-14T15:07:00", now) == "14.03. 15:07"


# -- every user-visible literal goes through _() --------------------------------------------

_BOXES = {"showinfo", "showerror", "showwarning", "askyesno", "askokcancel", "askyesnocancel",
          "askquestion", "askretrycancel"}
# _() over a variable is invisible to the extractor; these are known and their texts are
# marked where they are written (N_, Column labels, literal tuples).
_DYNAMIC_ALLOWED = {("look.py", "_(one)"), ("look.py", "_(many)"),
                    ("columns.py", "_(self.label)"), ("make.py", "_(label)"),
                    ("contact_import.py", "_(guess[1])"), ("window.py", "_(t.replace('_', ' '))")}


def _literal(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(node.value.strip(" …:·—-"))


def test_dialog_titles_menus_and_message_boxes_are_marked():
    """The widget-text boundary test misses these: message boxes, window titles, menu
    labels, Combobox/Treeview values given as bare literals."""
    offenders = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        if path.name == "selftest.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in _BOXES and any(_literal(arg) for arg in node.args):
                offenders.append(f"{path.name}:{node.lineno} {name}(literal)")
            if name in ("title", "wm_title") and node.args and _literal(node.args[0]):
                offenders.append(f"{path.name}:{node.lineno} title(literal)")
            for keyword in node.keywords:
                if keyword.arg in ("label", "message", "detail", "title", "text") and _literal(keyword.value):
                    offenders.append(f"{path.name}:{node.lineno} {keyword.arg}={keyword.value.value!r}")
    assert offenders == []


def test_every_translated_text_is_a_literal_the_extractor_can_see():
    """``_(variable)`` is never in the catalog, so it would stay English in every language."""
    offenders = []
    for folder in ("callcore", "ui", "reports"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                        and node.func.id in ("_", "N_") and node.args \
                        and not (isinstance(node.args[0], ast.Constant)):
                    if (path.name, ast.unparse(node)) not in _DYNAMIC_ALLOWED:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
    assert offenders == []


# -- Persian shaping for Tk (ui/rtl.py) -------------------------------------------------------

def test_shown_joins_persian_letters_into_their_presentation_forms():
    """Tk draws what it is given: the name must reach it already joined (the forms
    arabic-reshaper picks: initial/medial/final) and in visual order (right to left)."""
    import arabic_reshaper
    from ui.rtl import shown
    name = "رضا محمدی"
    joined = arabic_reshaper.reshape(name)
    assert joined != name                                  # the letters do change form
    assert shown(name) == joined[::-1]                     # one right-to-left run: mirrored
    assert all(not ("\u0620" <= ch <= "\u06ff") or ch == " " for ch in shown(name))


def test_shown_keeps_digits_and_latin_words_in_reading_order():
    import arabic_reshaper
    from ui.rtl import shown
    shaped = arabic_reshaper.reshape
    assert shown("تماس 1234 با Ali") == "Ali " + shaped("با")[::-1] + " 1234 " + shaped("تماس")[::-1]
    assert shown("+98 21 8888 7777 — رضا") == shaped("رضا")[::-1] + " — +98 21 8888 7777"
    assert shown("Ελληνικά 123") == "Ελληνικά 123"          # no right-to-left letters: unchanged
    once = shown("مشتری دربارهٔ سفارش 4471 می‌پرسد")
    assert shown(once) == once                            # a label set twice is not reversed back
    assert shown("خط اول\nخط دوم").split("\n") == [shown("خط اول"), shown("خط دوم")]
    # brackets are mirrored: the opening one ends up on the right of what it encloses
    assert shown("ذخیره (Ctrl+S)") == "(Ctrl+S) " + shaped("ذخیره")[::-1]
    assert shown("نام (دفتر)") == "(" + shaped("دفتر")[::-1] + ") " + shaped("نام")[::-1]


def test_window_language_comes_from_the_settings_file_before_any_window(tmp_path, english):
    """operator_app loads ui.language from the settings (or --language) before building
    the window; without settings (first start) the system's language."""
    import argparse
    import json
    import operator_app
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"station": {"id": "t", "extension": "201"}, "ui": {"language": "cs"}}),
                        encoding="utf-8")
    operator_app._load_language(argparse.Namespace(language="", settings=str(settings), demo=False))
    assert i18n.active_language() == "cs" and _("Settings") == "Nastavení"
    operator_app._load_language(argparse.Namespace(language="fa", settings=str(settings), demo=False))
    assert i18n.active_language() == "fa"


def test_places_that_show_dates_follow_the_language(english):
    """Reminder 'Due …', the schedule table and the activities list: locale dates in
    Russian, each place's own compact form in English."""
    from ui.reminder_window import format_local
    load_language("en")
    assert format_local("2026-03-14T15:07:00") == "2026-03-14 15:07"
    load_language("ru")
    assert "мар" in format_local("2026-03-14T15:07:00") and "15:07" in format_local("2026-03-14T15:07:00")


def test_persian_menu_entries_get_no_misplaced_underline():
    from ui.look import mnemonic
    assert mnemonic("&Connect") == ("Connect", 0)
    assert mnemonic("Di&rectory…") == ("Directory…", 2)
    assert mnemonic("&اتصال") == ("اتصال", -1)
