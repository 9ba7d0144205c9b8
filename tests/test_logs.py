"""The log file a user would send: real processes write it, crashes in every kind of thread
end up in it, and the AMI secret never does, whatever was logged by accident."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from callcore import logs

ROOT = Path(__file__).resolve().parents[1]
SECRET = "s3cret-Ωmega"          # given to the AMI connection (registered)
OTHER = "hunter2-pw"             # never registered: only its key gives it away

CRASHING_PROGRAM = textwrap.dedent('''
    import asyncio, gc, json, logging, sys, threading
    from pathlib import Path
    from callcore.ami.connection import AmiConnection
    from callcore.logs import (asyncio_exception_handler, install_exception_hooks,
                               setup_logging, tk_report_callback_exception)
    from callcore.settings import settings_from_dict

    SECRET, OTHER = sys.argv[2], sys.argv[3]
    path = setup_logging("recorder", "DEBUG", Path(sys.argv[1]))
    again = setup_logging("recorder", "INFO", Path(sys.argv[1]))
    install_exception_hooks()
    install_exception_hooks()
    print(json.dumps({"path": str(path), "again": str(again),
                      "handlers": len(logging.getLogger().handlers)}), flush=True)

    settings = settings_from_dict({"ami": {"host": "127.0.0.1", "username": "op", "secret": SECRET}})
    conn = AmiConnection.from_settings(settings)           # registers the secret
    log = logging.getLogger("accident")
    log.warning("settings: %s", settings.data)
    log.warning("settings object: %r", settings)
    log.warning("sending %s", {"Action": "Login", "Username": "op", "Secret": SECRET, "Events": "on"})
    log.warning("raw %r", ("Action: Login\\r\\nSecret: " + SECRET + "\\r\\n\\r\\n").encode())
    log.warning("other client: %s", {"Action": "Login", "Username": "x", "Secret": OTHER})
    log.warning('json {"secret": "%s", "password": "%s"}', OTHER, OTHER)
    try:
        raise ConnectionError("login refused for op/" + SECRET)
    except ConnectionError:
        log.exception("caught")

    class FakeTk:                                           # callcore never imports tkinter
        pass
    tk_root = FakeTk()
    tk_report_callback_exception(tk_root)
    try:
        raise KeyError("tk-callback-marker")
    except KeyError:
        tk_root.report_callback_exception(*sys.exc_info())

    def worker():
        raise ValueError("thread-marker " + SECRET)
    thread = threading.Thread(target=worker, name="worker-7")
    thread.start()
    thread.join()

    async def failing():
        raise LookupError("task-marker " + SECRET)

    async def main():
        task = asyncio.get_running_loop().create_task(failing())
        await asyncio.wait({task})                          # finished, exception never retrieved
        del task
        gc.collect()                                        # asyncio reports it now

    loop = asyncio.new_event_loop()
    loop.set_exception_handler(asyncio_exception_handler)
    loop.run_until_complete(main())
    loop.close()
    raise RuntimeError("main-marker " + SECRET)
''')


def run(program: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", program, *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=60)


def secret_forms(secret: str) -> list[str]:
    return [secret, secret.encode().decode("latin-1"), repr(secret.encode())[2:-1],
            secret.encode("unicode_escape").decode()]


def test_crashes_of_every_kind_are_in_the_file_and_the_secret_never_is(tmp_path):
    proc = run(CRASHING_PROGRAM, str(tmp_path), SECRET, OTHER)
    assert proc.returncode == 1, proc.stderr           # the main thread's exception ends it
    first = json.loads(proc.stdout.splitlines()[0])
    path = tmp_path / "operator-recorder.log"
    assert first == {"path": str(path), "again": str(path), "handlers": 1}, "idempotent"
    text = path.read_text(encoding="utf-8")
    for marker in ("uncaught exception in thread worker-7: ValueError: thread-marker",
                   "Task exception was never retrieved",
                   "LookupError: task-marker",
                   "uncaught exception in a window callback: KeyError: 'tk-callback-marker'",
                   "uncaught exception in the main thread: RuntimeError: main-marker",
                   "Traceback (most recent call last)"):
        assert marker in text, marker
    # what was logged by accident is there, masked
    assert "'secret': '********'" in text and "'Secret': '********'" in text
    assert "Secret: ********" in text and '"password": "********"' in text
    assert "ConnectionError: login refused for op/********" in text
    for secret in (SECRET, OTHER):
        for form in secret_forms(secret):
            assert form not in text, f"{form!r} leaked into the log"
    assert [p.name for p in tmp_path.iterdir()] == ["operator-recorder.log"]


WRITER_PROGRAM = textwrap.dedent('''
    import logging, os, sys
    from pathlib import Path
    from callcore.logs import setup_logging
    setup_logging(sys.argv[2], "INFO", Path(sys.argv[1]))
    log = logging.getLogger("load")
    for i in range(int(sys.argv[3])):
        log.info("%s line %06d Καλημέρа Иван — Žluťoučký — محمد", sys.argv[2], i)
''')


def test_window_and_recorder_at_once_each_rotate_their_own_file(tmp_path):
    """Two processes of one PC log at the same time: a file per mode, rotated at 2 MB."""
    lines = 30_000                                      # ~3.5 MB each: one rotation
    procs = {mode: subprocess.Popen([sys.executable, "-c", WRITER_PROGRAM, str(tmp_path), mode,
                                     str(lines)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for mode in ("window", "recorder")}
    for mode, proc in procs.items():
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    for mode, other in (("window", "recorder"), ("recorder", "window")):
        current, rotated = tmp_path / f"operator-{mode}.log", tmp_path / f"operator-{mode}.log.1"
        # rotated at about 2 MB: the handler counts characters, the file holds UTF-8 bytes,
        # so a file of Greek/Cyrillic lines ends up a few bytes past the limit
        assert rotated.is_file() and logs.MAX_BYTES * 0.9 <= rotated.stat().st_size <= logs.MAX_BYTES + 4096
        text = rotated.read_text(encoding="utf-8") + current.read_text(encoding="utf-8")
        assert f"{other} line" not in text
        assert f"{mode} line {lines - 1:06d} Καλημέρа Иван — Žluťoučký — محمد" in text
    assert not (tmp_path / "operator-window.log.2").exists()


@pytest.mark.parametrize("text, masked", [
    ("Action: Login\r\nUsername: op\r\nSecret: pa ss word\r\nEvents: on\r\n",
     "Action: Login\r\nUsername: op\r\nSecret: ********\r\nEvents: on\r\n"),
    ('{"ami": {"host": "pbx", "secret": "a\\"b"}}', '{"ami": {"host": "pbx", "secret": "********"}}'),
    ("{'Secret': 'x', 'Username': 'op'}", "{'Secret': '********', 'Username': 'op'}"),
    ("ami.secret = abc123", "ami.secret = ********"),
    ("authentication failed: check ami.username and ami.secret",
     "authentication failed: check ami.username and ami.secret"),
])
def test_keyed_secrets_are_masked(text, masked):
    assert logs.redact(text) == masked


def test_registered_secret_is_masked_in_any_form():
    logs.add_secret("Zx9-δέλτα")
    for form in ("Zx9-δέλτα", repr("Zx9-δέλτα".encode())[2:-1], '"Zx9-\\u03b4\\u03ad\\u03bb\\u03c4\\u03b1"'):
        assert "δέλτα" not in logs.redact(f"got {form} back") and "********" in logs.redact(form)


def test_log_level_option_names_the_valid_levels(capsys):
    parser = argparse.ArgumentParser(prog="operator")
    logs.add_log_level_argument(parser)
    assert parser.parse_args([]).log_level == "INFO"
    assert parser.parse_args(["--log-level", "debug"]).log_level == "DEBUG"
    with pytest.raises(SystemExit):
        parser.parse_args(["--log-level", "loud"])
    err = capsys.readouterr().err
    assert "unknown log level 'loud'; use one of: DEBUG, INFO, WARNING, ERROR, CRITICAL" in err
    with pytest.raises(logs.LogLevelError):
        logs.setup_logging("cli", "chatty", Path("unused"))


def test_the_ami_loop_logs_what_nobody_awaited(caplog):
    """A failing callback in the AMI thread's loop lands in the log (not on a missing
    console), via the handler connection.py installs."""
    from callcore.ami.connection import AmiConnection
    from tests.waiting import wait_for

    conn = AmiConnection("127.0.0.1", 1, "op", SECRET, backoff_initial=30)
    conn.start()
    try:
        def broken():
            raise OSError("callback-marker")
        conn._loop.call_soon_threadsafe(broken)
        assert wait_for(lambda: "callback-marker" in caplog.text)
    finally:
        conn.stop()
    crash = [r for r in caplog.records if r.name == "callcore.crash"]
    assert crash and "asyncio: Exception in callback" in crash[0].getMessage()


CONSOLE_PROGRAM = textwrap.dedent('''
    import logging, sys
    from pathlib import Path
    from callcore.logs import add_secret, setup_logging
    logging.basicConfig(stream=sys.stderr, format="%(message)s")      # a console handler first
    path = setup_logging("cli", "INFO", Path(sys.argv[1]))
    add_secret(sys.argv[2])
    logging.getLogger("cli").warning("retrying with %s and %s", sys.argv[2], {"secret": "typed-by-hand"})
    print(path)
''')


def test_console_output_is_masked_too_and_an_unwritable_folder_falls_back_to_temp(tmp_path):
    """The CLI's console handler shows the same masked text; a log folder that cannot be
    created (here: a file is in the way) does not stop the program."""
    blocked = tmp_path / "logs"
    blocked.write_text("not a folder", encoding="utf-8")
    temp = tmp_path / "temp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp), TEMP=str(temp), TMP=str(temp))
    proc = subprocess.run([sys.executable, "-c", CONSOLE_PROGRAM, str(blocked / "sub"), SECRET],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8", env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    path = Path(proc.stdout.strip())
    assert path == temp / logs.APP_NAME / "operator-cli.log"
    text = path.read_text(encoding="utf-8")
    assert "cannot write the log folder" in text
    for shown in (proc.stderr, text):
        assert "retrying with ******** and {'secret': '********'}" in shown
        assert SECRET not in shown and "typed-by-hand" not in shown
