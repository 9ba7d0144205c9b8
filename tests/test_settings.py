"""Settings: defaults, per-user overrides, and errors that name the field (PKG-2, issue 3 item 8)."""
import json
from pathlib import Path

import pytest

from callcore.settings import SettingsError, load_settings, save_user_settings


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def test_defaults_fill_what_the_file_leaves_out(tmp_path):
    s = load_settings(write(tmp_path / "s.json", {"ami": {"host": "pbx.local"}}), user_file=False)
    assert s.get("ami.host") == "pbx.local"
    assert s.get("ami.port") == 5038
    assert s.get("match.digits") == 10


def test_user_overrides_win_over_office_defaults(tmp_path):
    office = write(tmp_path / "s.json", {"station": {"extension": "201"}})
    user = write(tmp_path / "user.json", {"station": {"extension": "305"}, "ami": {"secret": "s3cr3t"}})
    s = load_settings(office, user_file=user)
    assert s.get("station.extension") == "305"
    assert s.get("ami.secret") == "s3cr3t"


@pytest.mark.parametrize("data, field", [
    ({"ami": {"port": "abc"}}, "ami.port"),
    ({"ami": {"port": 70000}}, "ami.port"),
    ({"ami": {"tls": "yes"}}, "ami.tls"),
    ({"match": {"digits": True}}, "match.digits"),
    ({"popup": {"silent": 1}}, "popup.silent"),
    ({"ami": {"hots": "x"}}, "ami.hots"),
    ({"amy": {}}, "amy"),
    ({"match": {"min_length": 12, "max_length": 8}}, "match.min_length"),
    ({"store": []}, "store"),
])
def test_invalid_values_name_the_field(tmp_path, data, field):
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path / "s.json", data), user_file=False)
    assert err.value.field == field
    assert field in str(err.value)


def test_broken_json_names_line_and_file(tmp_path):
    path = write(tmp_path / "s.json", '{"ami": {"port": 5038,,}}')
    with pytest.raises(SettingsError) as err:
        load_settings(path, user_file=False)
    assert "line 1" in str(err.value) and "s.json" in str(err.value)


def test_missing_file_is_first_run(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_settings(tmp_path / "nope.json", user_file=False)


def test_secret_is_redacted_for_logs(tmp_path):
    s = load_settings(write(tmp_path / "s.json", {"ami": {"secret": "hunter2"}}), user_file=False)
    assert "hunter2" not in json.dumps(s.redacted())


def test_save_user_settings_validates_before_writing(tmp_path):
    target = tmp_path / "cfg" / "settings.json"
    with pytest.raises(SettingsError):
        save_user_settings({"ami": {"port": "x"}}, target)
    assert not target.exists()
    save_user_settings({"station": {"extension": "201"}, "ami": {"host": "Αθήνα-pbx"}}, target)
    assert json.loads(target.read_text(encoding="utf-8"))["ami"]["host"] == "Αθήνα-pbx"


def test_shipped_settings_json_is_valid():
    s = load_settings(Path(__file__).resolve().parent.parent / "settings.json", user_file=False)
    assert s.get("ami.port") == 5038


def test_user_file_alone_is_enough_after_first_run(tmp_path, monkeypatch):
    """The first-run wizard writes only the user's file; the next start must accept it."""
    from callcore import settings as mod
    user = write(tmp_path / "user.json", {"station": {"extension": "201"}})
    monkeypatch.setattr(mod, "program_folder", lambda: tmp_path / "nowhere")
    s = load_settings(user_file=user)
    assert s.get("station.extension") == "201"
