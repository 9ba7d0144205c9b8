"""Every setting has a place in the settings dialog (PKG-3): a setting added to
callcore/settings_schema.py without a field fails here, naming it."""
from __future__ import annotations

import pytest

from ui.settings_form import fields, parse_line_notes, unplaced_settings, validate


@pytest.mark.no_display
def test_every_setting_has_a_field_in_the_dialog():
    assert unplaced_settings() == []


@pytest.mark.no_display
def test_every_field_has_a_label_the_user_reads():
    for field in fields():
        assert field.label != field.dotted, f"{field.dotted} has no label in callcore/settings_labels.py"


@pytest.mark.no_display
def test_line_notes_and_decimal_numbers_are_checked():
    notes, problem = parse_line_notes("2101234567 = Πωλήσεις — τιμές\n\n2101234500=Support")
    assert (notes, problem) == ({"2101234567": "Πωλήσεις — τιμές", "2101234500": "Support"}, "")
    assert "line 2" in parse_line_notes("2101234567 = a\nno equals sign")[1]
    values, errors = validate({"store.sync_interval": "0,5", "ami.timeout": "nan"})
    assert values["store"]["sync_interval"] == 0.5
    assert "ami.timeout" in errors


def test_test_connection_tries_the_values_as_typed(root):
    from tests.gui.conftest import wait_until
    from tests.gui.fakes import FakeServices
    from ui.first_run import SettingsDialog
    services = FakeServices()
    dialog = SettingsDialog(root, {"ami": {"host": "pbx.lan", "port": 5038, "username": "op",
                                           "secret": "wrong"}},
                            save=services.save_settings, test_connection=services.test_connection)
    try:
        dialog.set_value("ami.secret", "right")
        assert "<Alt-Key-t>" in dialog.bind()
        dialog.test_button.invoke()
        assert wait_until(root, lambda: dialog.test_result.cget("text") == "answer for pbx.lan")
        assert services.actions[-1][1]["secret"] == "right"           # not the saved one
        dialog.set_value("ami.port", "99999")
        dialog.test_connection()
        root.update()
        assert "AMI port" in dialog.test_result.cget("text")          # checked before trying
    finally:
        dialog.destroy()
