"""PKG-4 languages in the window: Persian shaped and right to left, the language choice in
the settings dialog and the first-run wizard.

Screenshots of the main window, a popup and the settings dialog in every language:

    python3 tests/gui/test_languages.py [OUTPUT_DIR]     (default docs/screenshots/languages)
"""
from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from callcore.i18n import _, load_language  # noqa: E402

UNSHAPED = re.compile("[\u0620-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc]")   # plain Arabic-script letters
SHAPED = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")                              # presentation forms


@pytest.fixture
def english():
    load_language("en")
    yield
    load_language("en")


def _texts(widget) -> list[str]:
    """Every text a user sees in a window: labels, buttons, tabs, table headings and cells,
    menu entries and the title."""
    out = []
    try:
        out.append(str(widget.cget("text")))
    except Exception:  # noqa: BLE001 - widgets without a text option
        pass
    if widget.winfo_class() == "Treeview":
        for column in ("#0", *widget["columns"]):
            out.append(str(widget.heading(column, "text")))
        for item in widget.get_children(""):
            out.extend(str(v) for v in widget.item(item, "values"))
    if widget.winfo_class() == "TNotebook":
        out.extend(str(widget.tab(tab, "text")) for tab in widget.tabs())
    if widget.winfo_class() == "Menu":
        last = widget.index("end")
        for index in range(0 if last is None else last + 1):
            try:
                out.append(str(widget.entrycget(index, "label")))
            except Exception:  # noqa: BLE001 - separators
                pass
    if hasattr(widget, "title"):
        out.append(str(widget.title()))
    for child in widget.winfo_children():
        out.extend(_texts(child))
    return out


def _persian_call(ui, services):
    from callcore.events import ConnectionStateChanged
    from tests.gui.fakes import ringing
    ui.ui_event(ConnectionStateChanged("connected"))
    ui.ui_event(ringing("L7", "+98 21 8888 7777"))
    ui.pump.drain()
    return ui.popups["L7"]


def test_persian_window_shows_every_text_joined_and_right_to_left(root, make_ui):
    """In Persian every label, button, heading, table cell, menu entry and title is drawn
    with joined letters (presentation forms), none as separate unjoined letters; the
    caller's Persian name in the popup too. The notes box keeps what is typed as typed."""
    from tests.gui.fakes import FakeServices, sample_contacts
    from ui.rtl import shown
    load_language("fa")
    try:
        services = FakeServices(extension="201", contacts=sample_contacts())
        ui = make_ui(services)
        popup = _persian_call(ui, services)
        root.update()
        texts = _texts(ui.root) + _texts(popup)
        persian = [t for t in texts if SHAPED.search(t) or UNSHAPED.search(t)]
        assert len(persian) > 20
        assert [t for t in persian if UNSHAPED.search(t)] == []
        assert shown("رضا محمدی") in " ".join(_texts(popup))
        assert shown(_("Call notes")) in texts
        assert popup._contacts_heading.pack_info()["anchor"] == "e"   # headings sit on the right
        popup.notes.insert("1.0", "تماس دوباره ساعت ۱۵")
        assert popup.notes.get("1.0", "end-1c") == "تماس دوباره ساعت ۱۵"
    finally:
        load_language("en")


def test_greek_window_is_greek(root, make_ui):
    from tests.gui.fakes import FakeServices
    load_language("el")
    try:
        ui = make_ui(FakeServices(extension="201"))
        root.update()
        texts = _texts(ui.root)
        assert "Διάρκεια" in texts and "&Σύνδεση" not in texts
        assert any(t == "Σύνδεση" for t in texts)     # the menu shows the word, & is the underline
    finally:
        load_language("en")


def test_russian_window_counts_with_the_right_plural_form(root, make_ui):
    """'N calls waiting to be saved' and the call counter use Russian's three forms."""
    from tests.gui.fakes import FakeServices
    load_language("ru")
    try:
        ui = make_ui(FakeServices(extension="201"))
        ui.window.show_calls_waiting(2)
        root.update()
        assert any("2 звонка ждут сохранения" in t for t in _texts(ui.root))
        ui.window.show_calls_waiting(5)
        root.update()
        assert any("5 звонков ждут сохранения" in t for t in _texts(ui.root))
    finally:
        load_language("en")


def _settings_dialog(root, current=None, *, first_run=False):
    from ui.first_run import SettingsDialog
    saved = []
    current = current or {"ami": {"host": "pbx.lan", "port": 5038, "username": "op", "secret": "x"},
                          "station": {"extension": "201", "technology": "PJSIP",
                                      "context": "from-internal"}}
    dialog = SettingsDialog(root, current, first_run=first_run, save=saved.append)
    return dialog, saved


def _combobox_for(dialog, dotted):
    var = dialog.variables[dotted]
    stack = [dialog]
    while stack:
        widget = stack.pop()
        if widget.winfo_class() == "TCombobox" and str(widget.cget("textvariable")) == str(var):
            return widget
        stack.extend(widget.winfo_children())
    raise AssertionError(f"no list for {dotted}")


def test_settings_dialog_lists_languages_by_their_own_names_and_saves_the_code(root, english):
    from ui.rtl import shown
    dialog, saved = _settings_dialog(root, {
        "ami": {"host": "pbx.lan", "port": 5038, "username": "op", "secret": "x"},
        "station": {"extension": "201", "technology": "PJSIP", "context": "from-internal"},
        "ui": {"language": "el"}})
    try:
        box = _combobox_for(dialog, "ui.language")
        assert list(box.cget("values")) == ["English", "Ελληνικά", "Русский", "Čeština", shown("فارسی")]
        assert box.get() == "Ελληνικά"
        assert _("Used from the next start of the program") in _texts(dialog)
        box.set("Русский")
        dialog.submit()
        assert saved and saved[-1]["ui"]["language"] == "ru"
    finally:
        if dialog.winfo_exists():
            dialog.destroy()


def test_settings_dialog_saves_persian_chosen_from_the_list(root, english):
    dialog, saved = _settings_dialog(root)
    try:
        box = _combobox_for(dialog, "ui.language")
        box.set(box.cget("values")[-1])
        dialog.submit()
        assert saved[-1]["ui"]["language"] == "fa"
    finally:
        if dialog.winfo_exists():
            dialog.destroy()


def test_first_run_offers_the_system_language(root, english, monkeypatch):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "cs_CZ.UTF-8")
    dialog, _saved = _settings_dialog(root, {}, first_run=True)
    try:
        assert _combobox_for(dialog, "ui.language").get() == "Čeština"
    finally:
        dialog.destroy()


# -- screenshots ---------------------------------------------------------------------------

def _grab(widget, path: Path) -> None:
    widget.lift()
    for _i in range(3):
        widget.update()
        time.sleep(0.1)
    subprocess.run(["import", "-window", widget.wm_frame(), str(path)], check=True)
    print("wrote", path)


def screenshots(lang: str, out: Path) -> None:
    """Main window with calls, a popup and the settings dialog in ``lang``."""
    load_language(lang)
    from callcore.events import (ConnectionStateChanged, ExtensionStateChanged, LegAnswered,
                                 LegHeld, TransferNoteReceived)
    from tests.gui.fakes import FakeServices, ringing, sample_contacts, sample_log
    from ui.app import OperatorUi
    from ui.first_run import SettingsDialog
    now = datetime.now(timezone.utc)
    services = FakeServices(extension="201", contacts=sample_contacts(), calls_log=sample_log(now),
                            line_notes={"2101234500": "خط فروش — Γραμμή πωλήσεων"}, waiting=3,
                            notify_seconds=30)
    ui = OperatorUi(services, notify_backend=None)
    root = ui.root
    root.geometry("980x470+20+20")
    ui.ui_event(ConnectionStateChanged("connected"))
    ui.ui_event(ExtensionStateChanged("201", "busy"))
    held = ringing("L1", "+7 495 765 4321", at=now - timedelta(minutes=4, seconds=12))
    ui.ui_event(held)
    ui.ui_event(LegAnswered("L1", held.call_id, "201", now - timedelta(minutes=4)))
    ui.ui_event(LegHeld("L1", held.call_id, "201", now - timedelta(seconds=40)))
    persian = ringing("L2", "+98 21 8888 7777", at=now - timedelta(seconds=95))
    ui.ui_event(persian)
    ui.ui_event(LegAnswered("L2", persian.call_id, "201", now - timedelta(seconds=88)))
    for popup in list(ui.popups.values()):
        popup.close()
    call = ringing("L3", "+98 21 8888 7777", line="2101234500", at=now - timedelta(seconds=6),
                   transferred_by="204", linkedid=f"shot-{lang}")
    ui.ui_event(TransferNoteReceived(call.call_id, "204", "201", "مشتری دربارهٔ سفارش 4471 می‌پرسد"))
    ui.ui_event(call)
    popup = ui.popups["L3"]
    popup.geometry("660x700+20+20")
    popup.notes.insert("1.0", "Πελάτης ρωτά για παράδοση.\nتماس دوباره ساعت ۱۵")
    ui.pump.drain()
    deadline = time.time() + 3
    while time.time() < deadline and popup.recent.exists("loading"):
        root.update()
        ui.pump.drain()
        time.sleep(0.05)
    ui.refresh_counters()
    _grab(root, out / f"main-window-{lang}.png")
    _grab(popup, out / f"popup-{lang}.png")
    dialog = SettingsDialog(root, {"ami": {"host": "pbx.office.lan", "port": 5038, "username": "operator",
                                           "secret": "s3cret"},
                                   "station": {"extension": "201"}, "ui": {"language": lang}})
    dialog.geometry("+20+20")
    dialog.notebook.select(1)
    _grab(dialog, out / f"settings-{lang}.png")
    dialog.destroy()
    ui.close()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots" / "languages"
    target.mkdir(parents=True, exist_ok=True)
    languages = sys.argv[2:] or ["el", "ru", "cs", "fa"]
    if len(languages) > 1:   # one process per language: module texts are translated at first use
        for code in languages:
            subprocess.run([sys.executable, __file__, str(target), code], check=True)
    else:
        screenshots(languages[0], target)
