"""``operator_app.py users …`` and ``--user NAME`` (ROLE-1..3) as an admin runs them: real
processes, real folders, passwords on standard input, the role rules enforced by callcore."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


from tests.test_cli import office  # noqa: E402,F401  (the same office settings fixture)


def run(settings: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "operator_app.py"), "--settings", str(settings), *args],
                          capture_output=True, timeout=60, input=stdin.encode("utf-8"),
                          env={"PATH": "/usr/bin:/bin", "HOME": str(settings.parent)})


def users(settings: Path) -> dict[str, dict]:
    listed = run(settings, "users", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return {u["name"]: u for u in map(json.loads, listed.stdout.decode("utf-8").splitlines())}


def add(settings: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return run(settings, *args[:2], "users", "add", *args[2:], stdin=stdin) if args[:1] == ("--user",) \
        else run(settings, "users", "add", *args, stdin=stdin)


def test_add_and_list_users_in_json_never_the_hash(office):
    s = office("desk-a")
    boss = add(s, "--name", "Dora", "--role", "director", "--group", "Board", "--extension", "200",
               "--password-stdin", stdin="dora-pw\n")
    assert boss.returncode == 0, boss.stderr
    anna = add(s, "--name", "Αννα", "--role", "agent", "--group", "Sales", "--extension", "201")
    assert anna.returncode == 0, anna.stderr
    listed = run(s, "users", "list", "--json")
    assert b"scrypt" not in listed.stdout and b"dora-pw" not in listed.stdout
    found = users(s)
    assert found["Dora"] == {"id": boss.stdout.decode().strip(), "name": "Dora", "role": "director",
                             "group": "Board", "extension": "200"}
    assert found["Αννα"]["group"] == "Sales" and found["Αννα"]["id"] == anna.stdout.decode().strip()
    # another workstation sees them (the shared folder)
    assert set(users(office("desk-b"))) == {"Dora", "Αννα"}


@pytest.mark.parametrize("args, says", [
    (("--name", "Eve", "--role", "boss"), "Unknown role 'boss'"),
    (("--name", "  ", "--role", "agent"), "A user needs a name"),
    (("--name", "Eve", "--role", "agent", "--password-stdin"), "the new password: expected on standard input"),
])
def test_bad_input_exits_2_with_a_sentence(office, args, says):
    s = office("desk-a")
    refused = add(s, *args)
    assert refused.returncode == 2
    assert says in refused.stderr.decode("utf-8")
    assert users(s) == {}


def test_acting_user_obeys_the_role_rules(office):
    s = office("desk-a")
    assert add(s, "--name", "Dora", "--role", "director", "--group", "Board", "--password-stdin",
               stdin="dora-pw\n").returncode == 0
    # a director (password on stdin first, the new user's second)
    sue = add(s, "--user", "Dora", "--name", "Sue", "--role", "supervisor", "--group", "Sales",
              "--password-stdin", stdin="dora-pw\nsue-pw\n")
    assert sue.returncode == 0, sue.stderr
    wrong = add(s, "--user", "Dora", "--name", "X", "--role", "agent", stdin="nope\n")
    assert wrong.returncode == 2 and "wrong password for Dora" in wrong.stderr.decode()
    nobody = add(s, "--user", "Zoe", "--name", "X", "--role", "agent")
    assert nobody.returncode == 2 and "no user called Zoe" in nobody.stderr.decode()
    # a supervisor adds agents to her own group only
    bob = add(s, "--user", "Sue", "--name", "Bob", "--role", "agent", "--password-stdin", stdin="sue-pw\nbob-pw\n")
    assert bob.returncode == 0, bob.stderr
    assert users(s)["Bob"]["group"] == "Sales"
    other = add(s, "--user", "Sue", "--name", "Carl", "--role", "agent", "--group", "Support", stdin="sue-pw\n")
    assert other.returncode == 2
    assert "Sue (supervisor) may not add the agent Carl" in other.stderr.decode()
    # an agent adds nobody and changes only themselves
    agent = add(s, "--user", "Bob", "--name", "Zed", "--role", "agent", stdin="bob-pw\n")
    assert agent.returncode == 2 and "Bob (agent) may not add" in agent.stderr.decode()
    moved = run(s, "--user", "Bob", "users", "set", "Sue", "--extension", "999", stdin="bob-pw\n")
    assert moved.returncode == 2 and "Bob (agent) may not change the user Sue" in moved.stderr.decode()
    own = run(s, "--user", "Bob", "users", "password", "Bob", stdin="bob-pw\nbob-new\n")
    assert own.returncode == 0, own.stderr
    assert run(s, "--user", "Bob", "users", "list", stdin="bob-new\n").returncode == 0
    assert set(users(s)) == {"Dora", "Sue", "Bob"}


def test_passwords_off_acting_user_needs_no_password(office):
    s = office("desk-a", users={"passwords": False})
    assert add(s, "--name", "Dora", "--role", "director", "--password-stdin", stdin="dora-pw\n").returncode == 0
    ok = add(s, "--user", "Dora", "--name", "Anna", "--role", "agent", "--group", "Sales")
    assert ok.returncode == 0, ok.stderr


def test_line_options_by_role(office):
    s = office("desk-a")
    add(s, "--name", "Dora", "--role", "director")
    add(s, "--name", "Sue", "--role", "supervisor", "--group", "Sales")
    add(s, "--name", "Anna", "--role", "agent", "--group", "Sales", "--extension", "201")
    set_ = run(s, "--user", "Sue", "users", "line", "201", "--auto-close-missed", "no", "--notify-missed", "no",
               "--json")
    assert set_.returncode == 0, set_.stderr
    shown = json.loads(run(s, "users", "line", "201", "--json").stdout)
    assert shown == {"extension": "201", "log_when_signed_out": True, "auto_close_missed": False,
                     "auto_close_no_notes": True, "connect_at_sign_in": True, "notify_missed": False}
    refused = run(s, "--user", "Anna", "users", "line", "201", "--notify-missed", "yes")
    assert refused.returncode == 2 and "Anna (agent) may not change the options of line 201" in refused.stderr.decode()
