"""Several PBXs (AMI-4) in the settings: the old single ``ami.*`` file loads unchanged as
"the first PBX", the ``pbxes`` list is checked naming the PBX and the field, it has its
place in the settings dialog, and which PBX serves an extension. No PBX needed."""
from __future__ import annotations

import json

import pytest

from callcore.pbxes import parse_pbx_list, pattern_matches, server_for
from callcore.settings import SettingsError, load_settings

BRANCH = {"name": "branch", "host": "10.1.0.5", "port": 5038, "username": "crm",
          "secret": "br4nch-secret", "serves": ["3xx", "4101"]}


def write(path, data):
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_an_old_single_pbx_file_loads_unchanged(tmp_path):
    old = {"ami": {"host": "pbx.office", "port": 5038, "username": "crm", "secret": "s3cret"},
           "station": {"extension": "201"}}
    settings = load_settings(write(tmp_path / "s.json", old), user_file=False)
    assert settings.get("ami.host") == "pbx.office" and settings.get("ami.secret") == "s3cret"
    assert parse_pbx_list(settings.data.get("pbxes")) == []


def test_a_list_of_pbxs_loads_and_its_secrets_are_redacted(tmp_path):
    settings = load_settings(write(tmp_path / "s.json", {"pbxes": [BRANCH]}), user_file=False)
    [spec] = parse_pbx_list(settings.data["pbxes"])
    assert (spec.name, spec.host, spec.port, spec.serves) == ("branch", "10.1.0.5", 5038, ("3xx", "4101"))
    assert "br4nch-secret" not in json.dumps(settings.redacted())
    assert "br4nch-secret" not in repr(spec)


@pytest.mark.parametrize("entry, words", [
    ({**BRANCH, "port": "x"}, ["PBX 2 “branch”", "port", "1 to 65535"]),
    ({**BRANCH, "host": ""}, ["PBX 2 “branch”", "host", "is required"]),
    ({**BRANCH, "name": ""}, ["PBX 2", "name", "is required"]),
    ({**BRANCH, "serves": ["3?x"]}, ["serves", "'3?x'"]),
    ({**BRANCH, "tls": "yes"}, ["tls", "true or false"]),
    ({**BRANCH, "colour": "red"}, ["colour", "unknown setting"]),
])
def test_a_wrong_pbx_is_named_with_its_field(tmp_path, entry, words):
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path / "s.json", {"pbxes": [entry]}), user_file=False)
    assert err.value.field == "pbxes"
    message = str(err.value)
    assert "Other PBXs (pbxes): " in message
    for word in words:
        assert word in message, message


def test_two_pbxs_need_two_names(tmp_path):
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path / "s.json", {"ami": {"server": "main"},
                                                  "pbxes": [{**BRANCH, "name": "main"}]}), user_file=False)
    assert "'main' is used twice" in str(err.value)


def test_which_pbx_serves_an_extension():
    specs = parse_pbx_list([BRANCH, {**BRANCH, "name": "far", "serves": ["5*"]}])
    assert server_for("301", specs, "main") == "branch"
    assert server_for("4101", specs, "main") == "branch"
    assert server_for("4102", specs, "main") == "main"
    assert server_for("5", specs, "main") == "far" and server_for("5123", specs, "main") == "far"
    assert server_for("201", specs, "main") == "main"
    assert not pattern_matches("3xx", "3001") and not pattern_matches("3xx", "30a")


def test_the_dialog_has_a_place_for_the_pbx_list_and_recordings():
    from ui.settings_form import fields, initial_value, unplaced_settings, validate
    assert unplaced_settings() == []
    dotted = {f.dotted for f in fields()}
    assert {"pbxes", "recordings.folder", "recordings.file_pattern", "recordings.url_pattern"} <= dotted
    [field] = [f for f in fields() if f.dotted == "pbxes"]
    text = initial_value(field, {"pbxes": [BRANCH]})
    assert "name=branch" in text and "serves=3xx,4101" in text
    values, errors = validate({"pbxes": text})
    assert not errors and values["pbxes"] == [BRANCH]
    _values, errors = validate({"pbxes": "name=branch host=h port=99999 username=u"})
    assert "line 1" in errors["pbxes"] and "port" in errors["pbxes"]


def test_the_dialog_round_trip_keeps_the_pbx_list(tmp_path):
    """Open the settings dialog's values, change the list, save: the user's file has it and
    the next start loads it (office file untouched)."""
    from callcore.app.preferences import PreferencesFeature
    from callcore.settings import save_user_settings
    from ui.settings_form import fields, initial_value, validate
    office = write(tmp_path / "office.json", {"ami": {"host": "pbx.office"}, "pbxes": [BRANCH]})
    settings = load_settings(office, user_file=False)
    prefs = PreferencesFeature(settings)
    current = prefs.settings_values()
    [field] = [f for f in fields() if f.dotted == "pbxes"]
    text = initial_value(field, current) + "\nname=far host=10.2.0.9 username=crm secret=f4r-secret serves=5*"
    values, errors = validate({"pbxes": text, "ami.host": "pbx.office"})
    assert not errors
    overrides = prefs.overrides(values)
    assert [p["name"] for p in overrides["pbxes"]] == ["branch", "far"] and "ami" not in overrides
    user = tmp_path / "user.json"
    save_user_settings(overrides, user)
    again = load_settings(office, user_file=user)
    assert [spec.name for spec in parse_pbx_list(again.data["pbxes"])] == ["branch", "far"]
    assert prefs.overrides({"pbxes": [BRANCH]}) == {}           # unchanged: nothing of its own
