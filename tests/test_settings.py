"""Settings: defaults, per-user overrides, and errors that name the field (PKG-2, issue 3 item 8)."""
import json
import os
import stat
import subprocess
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


# -- issue 6 item 2: every number finite and in a sensible range -----------------------------

@pytest.mark.parametrize("text, field", [
    ('{"store": {"sync_interval": NaN}}', "store.sync_interval"),
    ('{"store": {"sync_interval": 1e300}}', "store.sync_interval"),
    ('{"store": {"sync_interval": Infinity}}', "store.sync_interval"),
    ('{"store": {"sync_interval": 0}}', "store.sync_interval"),
    ('{"store": {"sync_interval": 1' + "0" * 400 + '}}', "store.sync_interval"),
    ('{"ami": {"timeout": NaN}}', "ami.timeout"),
    ('{"ami": {"timeout": -Infinity}}', "ami.timeout"),
    ('{"ami": {"timeout": 1e9}}', "ami.timeout"),
    ('{"ami": {"port": 5038.0}}', "ami.port"),
    ('{"ami": {"port": 1e300}}', "ami.port"),
    ('{"notify": {"seconds": 1000000000000000000000000}}', "notify.seconds"),
    ('{"popup": {"auto_close_seconds": -1}}', "popup.auto_close_seconds"),
    ('{"popup": {"auto_close_seconds": "30"}}', "popup.auto_close_seconds"),
    ('{"dial": {"internal_length": 0}}', "dial.internal_length"),
])
def test_numbers_must_be_finite_and_in_range(tmp_path, text, field):
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path / "s.json", text), user_file=False)
    assert err.value.field == field
    assert "must be" in str(err.value) and len(str(err.value)) < 200


def test_every_number_setting_has_a_range():
    from callcore.settings import DEFAULTS, number_range
    for section, values in DEFAULTS.items():
        for key, default in values.items():
            if isinstance(default, (int, float)) and not isinstance(default, bool):
                limits = number_range(f"{section}.{key}")
                assert limits and limits[0] <= default <= limits[1], f"{section}.{key}"


def test_sensible_numbers_are_accepted(tmp_path):
    s = load_settings(write(tmp_path / "s.json", {"store": {"sync_interval": 2}, "ami": {"timeout": 30},
                                                  "popup": {"auto_close_seconds": 0}}), user_file=False)
    assert s.get("store.sync_interval") == 2.0 and isinstance(s.get("store.sync_interval"), float)
    assert s.get("ami.timeout") == 30.0 and s.get("popup.auto_close_seconds") == 0


def test_popup_auto_close_seconds_defaults_to_30(tmp_path):
    s = load_settings(write(tmp_path / "s.json", {}), user_file=False)
    assert s.get("popup.auto_close_seconds") == 30


def test_settings_dialog_refuses_odd_digits_instead_of_crashing():
    from ui.settings_form import validate
    _values, errors = validate({"notify.seconds": "²"})     # str.isdigit() is True for it
    assert errors == {"notify.seconds": "must be a whole number from 0 to 3600"}
    values, errors = validate({"popup.auto_close_seconds": "0"})
    assert not errors and values == {"popup": {"auto_close_seconds": 0}}
    _values, errors = validate({"popup.auto_close_seconds": "-5"})
    assert "popup.auto_close_seconds" in errors


# -- issue 6 item 3: errors name the field as the settings dialog labels it -------------------

def test_errors_lead_with_the_label_the_user_sees(tmp_path):
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path / "s.json", {"match": {"digits": 3}}), user_file=False)
    message = str(err.value)
    assert message.endswith("Compare last digits (match.digits): must be a whole number from 4 to 20, not 3")
    assert err.value.label == "Compare last digits" and err.value.field == "match.digits"
    with pytest.raises(SettingsError) as err:
        load_settings(write(tmp_path / "s.json", {"match": {"min_length": 12, "max_length": 8}}),
                      user_file=False)
    assert str(err.value).endswith("Shortest outside number (match.min_length): "
                                   "must not be more than Longest number")


def test_dialog_and_file_errors_use_the_same_labels(tmp_path):
    from ui.settings_form import fields, validate
    from callcore.settings import settings_from_dict
    for field in fields():
        if field.kind != "int":
            continue
        _values, errors = validate({field.dotted: str(field.high + 1)})
        assert field.dotted in errors
        with pytest.raises(SettingsError) as err:
            settings_from_dict({field.section: {field.key: field.high + 1}})
        assert str(err.value).startswith(f"{field.label} ({field.dotted}): ")
        assert err.value.problem.startswith(errors[field.dotted])


def test_every_setting_has_a_label():
    from callcore.settings import DEFAULTS
    from callcore.settings_labels import setting_labels
    labels = setting_labels()
    for section, values in DEFAULTS.items():
        assert section in labels
        for key in values:
            assert f"{section}.{key}" in labels and labels[f"{section}.{key}"] != f"{section}.{key}"


def test_labels_are_translated_in_errors_and_dialog(tmp_path):
    from callcore.i18n import load_language
    from ui.settings_form import fields
    (tmp_path / "el" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "el" / "LC_MESSAGES" / "operator.po").write_text(
        'msgid "Compare last digits"\nmsgstr "Σύγκριση τελευταίων ψηφίων"\n', encoding="utf-8")
    assert load_language("el", tmp_path)
    try:
        with pytest.raises(SettingsError) as err:
            load_settings(write(tmp_path / "s.json", {"match": {"digits": 99}}), user_file=False)
        assert "Σύγκριση τελευταίων ψηφίων (match.digits): " in str(err.value)
        assert [f.label for f in fields() if f.dotted == "match.digits"] == ["Σύγκριση τελευταίων ψηφίων"]
    finally:
        load_language("en")


# -- issue 6 item 4: the per-user file (AMI secret) is private and written atomically ---------

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


@pytest.fixture
def open_umask():
    """The most permissive umask: the file's privacy must not depend on the user's umask."""
    old = os.umask(0)
    yield
    os.umask(old)


@posix_only
def test_user_file_with_the_secret_is_readable_only_by_its_user(tmp_path, open_umask):
    target = tmp_path / "cfg" / "settings.json"
    save_user_settings({"ami": {"secret": "Пароль-1"}}, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    target.chmod(0o644)                            # an older version wrote it world-readable
    save_user_settings({"ami": {"secret": "Пароль-2"}}, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["ami"]["secret"] == "Пароль-2"
    assert [p.name for p in target.parent.iterdir()] == ["settings.json"]


@posix_only
def test_user_file_is_never_world_readable_even_before_it_is_in_place(tmp_path, open_umask, monkeypatch):
    """Watch every rename into place (the real one still runs): what is about to become the
    settings file is already private and complete."""
    target = tmp_path / "settings.json"
    seen = []
    real_replace = os.replace

    def watching_replace(src, dst, *args, **kwargs):
        if Path(dst) == target:
            seen.append((stat.S_IMODE(os.stat(src).st_mode), Path(src).read_text(encoding="utf-8")))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", watching_replace)
    save_user_settings({"ami": {"secret": "hunter2"}}, target)
    assert len(seen) == 1
    mode, text = seen[0]
    assert mode == 0o600 and json.loads(text)["ami"]["secret"] == "hunter2"


def test_a_full_disk_leaves_the_old_user_file_intact(tmp_path):
    """A real 64 KB tmpfs: the save fails, the old file is whole, no temp file is left."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        target = mount / "settings.json"
        save_user_settings({"station": {"extension": "201"}, "ami": {"secret": "old"}}, target)
        before = target.read_bytes()
        filler = mount / "filler"
        with open(filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError:
                pass
        big = {"station": {"extension": "305"}, "ami": {"secret": "new"},
               "lines": {str(n): "Ω" * 100 for n in range(100)}}
        with pytest.raises(OSError):
            save_user_settings(big, target)
        assert target.read_bytes() == before
        assert sorted(p.name for p in mount.iterdir()) == ["filler", "settings.json"]
        filler.unlink()
        save_user_settings(big, target)
        assert json.loads(target.read_text(encoding="utf-8"))["ami"]["secret"] == "new"
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@posix_only
def test_a_world_readable_user_file_from_an_older_version_is_closed_on_load(tmp_path):
    user = write(tmp_path / "user.json", {"ami": {"secret": "hunter2"}})
    user.chmod(0o644)
    s = load_settings(write(tmp_path / "s.json", {}), user_file=user)
    assert s.get("ami.secret") == "hunter2"
    assert stat.S_IMODE(user.stat().st_mode) == 0o600
