"""The program's front door when there is no window: clear errors that name the problem."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "operator_app.py"), *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=60)


def test_recorder_without_settings_file_says_so(tmp_path):
    missing = tmp_path / "nowhere.json"
    result = run("--settings", str(missing), "--recorder")
    assert result.returncode == 2
    assert "nowhere.json" in result.stderr and "settings" in result.stderr


def test_recorder_with_invalid_settings_names_the_field(tmp_path):
    bad = tmp_path / "s.json"
    bad.write_text(json.dumps({"ami": {"port": "five"}}), encoding="utf-8")
    result = run("--settings", str(bad), "--recorder")
    assert result.returncode == 2
    assert "ami.port" in result.stderr


def test_secret_never_in_recorder_output(tmp_path):
    settings = tmp_path / "s.json"
    settings.write_text(json.dumps({"ami": {"port": 1, "secret": "Sup3r-Secret"},
                                    "store": {"local_folder": str(tmp_path / "local")}}),
                        encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings),
                             "--recorder"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=4)
    except subprocess.TimeoutExpired:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "failing" in out                  # it said the PBX cannot be reached…
    assert "Sup3r-Secret" not in out         # …without showing the secret
    for path in (tmp_path / "local").rglob("*"):
        if path.is_file():
            assert b"Sup3r-Secret" not in path.read_bytes(), path
