"""First-run wizard and settings dialog: field-by-field validation, returns sections (PKG-1, PKG-3)."""
from __future__ import annotations

import pytest

from ui.settings_form import validate


@pytest.mark.no_display
def test_validate_types_and_names_the_bad_field():
    values, errors = validate({"ami.host": "pbx.local", "ami.port": "50x8", "ami.username": "op",
                               "ami.secret": " s3 cret ", "ami.tls": True,
                               "station.extension": "201", "station.technology": "PJSIP",
                               "station.context": "from-internal"}, first_run=True)
    assert errors == {"ami.port": "must be a whole number from 1 to 65535"}
    values, errors = validate({"ami.host": "pbx.local", "ami.port": " 5039 ", "ami.username": "op",
                               "ami.secret": " s3 cret ", "ami.tls": True,
                               "station.extension": "201", "station.technology": "PJSIP",
                               "station.context": "from-internal", "store.shared_folder": "",
                               "store.local_folder": "/home/Ελένη/operator"}, first_run=True)
    assert errors == {}
    assert values["ami"] == {"host": "pbx.local", "port": 5039, "username": "op",
                             "secret": " s3 cret ", "tls": True}
    assert values["station"]["extension"] == "201"
    assert values["store"]["local_folder"] == "/home/Ελένη/operator"


@pytest.mark.no_display
@pytest.mark.parametrize("key, value", [("ami.port", "0"), ("ami.port", "70000"), ("ami.host", "  "),
                                        ("station.extension", "20 1"), ("station.technology", "H323"),
                                        ("notify.seconds", "-1"), ("match.digits", "3")])
def test_validate_refuses(key, value):
    _values, errors = validate({key: value})
    assert key in errors


@pytest.mark.no_display
def test_min_length_not_above_max_length():
    _values, errors = validate({"match.min_length": "12", "match.max_length": "8"})
    assert "match.min_length" in errors


def test_first_run_dialog_marks_errors_then_returns_settings(root):
    from ui.first_run import SettingsDialog
    dialog = SettingsDialog(root, {"ami": {"host": "pbx.office.lan"}}, first_run=True)
    assert "popup.silent" not in dialog.variables          # settings-dialog-only fields
    dialog.set_value("ami.port", "abc")
    dialog.set_value("ami.username", "operator")
    dialog.set_value("ami.secret", "Пароль-1")
    dialog.set_value("station.extension", "")
    dialog.submit()
    assert dialog.result is None and dialog.winfo_exists()
    assert dialog.error_labels["ami.port"].cget("text") == "AMI port: must be a whole number from 1 to 65535"
    assert "is required" in dialog.error_labels["station.extension"].cget("text")
    dialog.set_value("ami.port", "5038")
    dialog.set_value("station.extension", "201")
    dialog.submit()
    assert dialog.result["ami"]["port"] == 5038
    assert dialog.result["ami"]["secret"] == "Пароль-1"
    assert dialog.result["station"] == {"extension": "201", "technology": "PJSIP",
                                        "context": "from-internal"}


def test_settings_dialog_shows_refusal_from_save(root):
    from ui.first_run import SettingsDialog

    def refuse(values):
        raise ValueError("store.shared_folder: cannot be reached")

    current = {"ami": {"host": "h", "port": 5038, "username": "u", "secret": "x", "tls": False},
               "station": {"extension": "201", "technology": "SIP", "context": "c"},
               "popup": {"on_incoming": True, "on_outgoing": False, "silent": True,
                         "bring_to_front": True},
               "notify": {"seconds": 10}, "match": {"digits": 10, "min_length": 4,
                                                    "max_length": 20, "similar": False}}
    dialog = SettingsDialog(root, current, save=refuse)
    assert dialog.variables["popup.silent"].get() is True
    assert dialog.variables["station.technology"].get() == "SIP"
    dialog.submit()
    assert dialog.result is None
    assert dialog.message.cget("text") == "store.shared_folder: cannot be reached"
    dialog.cancel()
