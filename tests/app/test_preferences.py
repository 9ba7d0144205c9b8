"""The settings dialog's save (PKG-2, PKG-3, PKG-5): only this workstation's overrides are
written, popups follow at once, and "start with the computer" creates the user's entry."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from callcore.app.preferences import PreferencesFeature
from callcore.settings import load_settings


@pytest.fixture
def office(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"ami": {"host": "pbx.office.lan", "port": 5038},
                                "lines": {"2101234567": "Sales"}}), encoding="utf-8")
    return path


def user_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "operator-app" / "settings.json"


def test_only_what_differs_from_the_office_file_is_saved(office, tmp_path):
    settings = load_settings(office, user_file=False)
    prefs = PreferencesFeature(settings)
    values = prefs.settings_values()                     # what the dialog shows …
    values["station"]["extension"] = "205"               # … with one change by the operator
    values["popup"]["auto_close_seconds"] = 90
    prefs.save_settings(values)
    saved = json.loads(user_file(tmp_path).read_text(encoding="utf-8"))
    assert saved == {"station": {"extension": "205"}, "popup": {"auto_close_seconds": 90}}
    assert settings.get("popup.auto_close_seconds") == 90          # the next popup follows
    merged = load_settings(office, user_file=user_file(tmp_path))
    assert merged.get("ami.host") == "pbx.office.lan" and merged.get("station.extension") == "205"


def test_a_later_office_change_still_reaches_the_workstation(office, tmp_path):
    prefs = PreferencesFeature(load_settings(office, user_file=False))
    values = prefs.settings_values()
    values["station"]["extension"] = "205"
    prefs.save_settings(values)
    office.write_text(json.dumps({"ami": {"host": "new-pbx.office.lan"}}), encoding="utf-8")
    assert load_settings(office, user_file=user_file(tmp_path)).get("ami.host") == "new-pbx.office.lan"


def test_start_with_the_computer_creates_and_removes_the_users_entry(office, tmp_path):
    prefs = PreferencesFeature(load_settings(office, user_file=False))
    entry = tmp_path / "config" / "autostart" / "operator-app.desktop"
    values = prefs.settings_values()
    values["ui"]["autostart"] = True
    prefs.save_settings(values)
    assert "operator_app.py" in entry.read_text(encoding="utf-8")
    values["ui"]["autostart"] = False
    prefs.save_settings(values)
    assert not entry.exists()


def test_the_demo_refuses_to_save(office):
    prefs = PreferencesFeature(load_settings(office, user_file=False), is_demo=True)
    with pytest.raises(ValueError, match="demo"):
        prefs.save_settings(prefs.settings_values())


@pytest.mark.pbx
def test_test_connection_against_the_real_pbx(pbx):
    from callcore.app.preferences import try_login
    from tests.pbx import plan
    good = {"host": plan.AMI_HOST, "port": plan.AMI_PORT, "username": plan.AMI_USER,
            "secret": plan.AMI_SECRET}
    assert try_login(good) == (True, f"Connected to the PBX at {plan.AMI_HOST}:{plan.AMI_PORT} and logged in.")
    ok, message = try_login({**good, "secret": "not-it"})
    assert not ok and "refused the login" in message and "not-it" not in message
