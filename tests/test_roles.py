"""ROLE-1..3: the role rules (callcore/roles.py), password hashes (callcore/passwords.py) and
users/groups/line options in a real store (callcore/users.py) — the rules every feature and
the command line call before they write."""
from __future__ import annotations

import hashlib

import pytest

from callcore.passwords import hash_password, verify_password
from callcore.records import User, hash_password as legacy_hash
from callcore.roles import (PermissionDenied, may_assign_to, may_change, may_see_notes, require_assign,
                            require_change, scope_of)
from callcore.settings import settings_from_dict
from callcore.store import Store
from callcore.users import LineOptions, UserAdmin, UserError

SALES, SUPPORT = "g-sales", "g-support"
anna = User(name="Anna", id="u-anna", role="agent", group_id=SALES)
bob = User(name="Bob", id="u-bob", role="agent", group_id=SALES)
carl = User(name="Carl", id="u-carl", role="agent", group_id=SUPPORT)
sue = User(name="Sue", id="u-sue", role="supervisor", group_id=SALES)
tom = User(name="Tom", id="u-tom", role="supervisor", group_id=SUPPORT)
dora = User(name="Dora", id="u-dora", role="director", group_id="g-board")


# ---------------------------------------------------------------- ROLE-2 rules

def test_agent_changes_only_their_own_calls():
    assert may_change(anna, anna)
    assert not may_change(anna, bob)            # same group, still not hers
    assert not may_change(anna, sue)
    with pytest.raises(PermissionDenied) as refused:
        require_change(anna, bob, "reassign Bob's call")
    assert str(refused.value) == "Anna (agent) may not reassign Bob's call: an agent changes only their own."


def test_agent_cannot_reassign_a_call_to_someone_else():
    assert may_assign_to(anna, anna)
    assert not may_assign_to(anna, bob)
    with pytest.raises(PermissionDenied, match="Anna .agent. may not give the call to Bob"):
        require_assign(anna, bob, "give the call to Bob")


def test_supervisor_changes_own_and_group_calls_only():
    assert may_change(sue, sue) and may_change(sue, anna) and may_change(sue, bob)
    assert may_assign_to(sue, bob)              # reassign within the group
    assert not may_change(sue, carl)            # another group
    assert not may_assign_to(sue, carl)
    assert not may_change(sue, tom)
    assert not may_change(sue, dora)
    with pytest.raises(PermissionDenied, match="their own and their group's"):
        require_change(sue, carl, "reschedule Carl's call")


def test_supervisor_without_group_has_only_own():
    lone = User(name="Lone", id="u-lone", role="supervisor")
    nogroup = User(name="Nog", id="u-nog", role="agent")
    assert may_change(lone, lone)
    assert not may_change(lone, nogroup)        # '' == '' is not a shared group


def test_director_changes_everyone():
    for owner in (anna, bob, carl, sue, tom, dora):
        assert may_change(dora, owner) and may_assign_to(dora, owner)


def test_nobody_signed_in_without_users_and_unowned_items_are_unrestricted():
    assert may_change(None, anna)               # no users defined / CLI without --user
    assert may_change(anna, None)               # an item nobody owns
    assert scope_of(None) == "all"


def test_scopes():
    assert (scope_of(anna), scope_of(sue), scope_of(dora)) == ("own", "group", "all")


def test_notes_privacy_follows_the_change_rule_only_when_asked():
    assert may_see_notes(anna, bob, privacy=False)
    assert not may_see_notes(anna, bob, privacy=True)
    assert may_see_notes(sue, bob, privacy=True)
    assert not may_see_notes(sue, carl, privacy=True)
    assert may_see_notes(dora, carl, privacy=True)


# ---------------------------------------------------------------- passwords

def test_password_hash_is_salted_slow_and_verifies():
    one, two = hash_password("geheim"), hash_password("geheim")
    assert one != two                            # a fresh salt each time
    scheme, n, r, p, salt, digest = one.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2 ** 14, 8, 1)   # ~16 MiB per try
    assert len(bytes.fromhex(salt)) == 16 and "geheim" not in one
    assert bytes.fromhex(digest) == hashlib.scrypt(b"geheim", salt=bytes.fromhex(salt), n=2 ** 14, r=8, p=1,
                                                   dklen=32)
    assert verify_password("geheim", one) and verify_password("geheim", two)
    assert not verify_password("Geheim", one)
    assert not verify_password("", one)


def test_verify_never_raises_on_odd_hashes_and_accepts_the_older_form():
    for stored in ("", "plain", "scrypt$zz$zz", "scrypt$99999999999$8$1$00$00", "md5$1$2$3$4$5"):
        assert not verify_password("x", stored)
    assert verify_password("old", legacy_hash("old"))


# ---------------------------------------------------------------- users in a real store

@pytest.fixture
def store(tmp_path):
    (tmp_path / "shared").mkdir()
    opened = Store.open(tmp_path / "local", tmp_path / "shared", "ws-1", background_sync=False)
    yield opened
    opened.close()


def test_add_user_creates_its_group_and_never_lists_the_hash(store):
    admin = UserAdmin(store)
    boss = admin.add_user(None, "Dora", "director", "Board", "200", password="pw")
    assert admin.group_named("board").id == boss.group_id
    assert verify_password("pw", store.users.get(boss.id).password_hash)
    with pytest.raises(UserError, match="already a user called dora"):
        admin.add_user(None, "dora", "agent")
    with pytest.raises(UserError, match="Unknown role 'boss'"):
        admin.add_user(None, "Eve", "boss")


def test_who_may_add_and_change_users(store):
    admin = UserAdmin(store)
    dora_ = admin.add_user(None, "Dora", "director", "Board")
    sue_ = admin.add_user(dora_, "Sue", "supervisor", "Sales")
    anna_ = admin.add_user(dora_, "Anna", "agent", "Sales", "201")
    admin.add_user(dora_, "Carl", "agent", "Support", "301")
    bob_ = admin.add_user(sue_, "Bob", "agent")                       # joins Sue's group
    assert bob_.group_id == sue_.group_id
    with pytest.raises(PermissionDenied, match="Sue .supervisor. may not add the agent Eve"):
        admin.add_user(sue_, "Eve", "agent", "Support")
    with pytest.raises(PermissionDenied):
        admin.add_user(sue_, "Max", "director")
    with pytest.raises(PermissionDenied, match="Anna .agent. may not add"):
        admin.add_user(anna_, "Zed", "agent")
    with pytest.raises(PermissionDenied):
        admin.update_user(sue_, anna_.id, role="supervisor")            # no promotions
    assert admin.update_user(sue_, anna_.id, extension="205").extension == "205"
    with pytest.raises(PermissionDenied):
        admin.update_user(anna_, bob_.id, extension="999")
    admin.set_password(anna_, anna_.id, "mine")                        # own password: yes
    with pytest.raises(PermissionDenied):
        admin.set_password(anna_, bob_.id, "x")
    with pytest.raises(UserError, match="cannot remove yourself"):
        admin.remove_user(dora_, dora_.id)
    admin.remove_user(sue_, bob_.id)
    assert admin.find("bob") is None
    with pytest.raises(UserError, match="Dora is the only director"):
        admin.update_user(dora_, dora_.id, role="agent")
    other = admin.add_user(dora_, "Olga", "director", "Board")
    admin.remove_user(dora_, other.id)
    with pytest.raises(UserError, match="Dora is the only director"):
        admin.remove_user(None, dora_.id)


def test_line_options_are_per_extension_and_shared(store, tmp_path):
    admin = UserAdmin(store)
    dora_ = admin.add_user(None, "Dora", "director", "Board")
    sue_ = admin.add_user(dora_, "Sue", "supervisor", "Sales")
    anna_ = admin.add_user(dora_, "Anna", "agent", "Sales", "201")
    assert admin.line_options("201") == LineOptions()
    admin.set_line_options(sue_, "201", LineOptions(auto_close_missed=False, notify_missed=False))
    with pytest.raises(PermissionDenied):
        admin.set_line_options(anna_, "201", LineOptions())
    with pytest.raises(PermissionDenied):                             # nobody's line: directors only
        admin.set_line_options(sue_, "999", LineOptions())
    store.sync_now()
    other = Store.open(tmp_path / "local2", tmp_path / "shared", "ws-2", background_sync=False)
    try:
        other.sync_now()
        assert UserAdmin(other).line_options("201") == LineOptions(auto_close_missed=False, notify_missed=False)
        assert UserAdmin(other).line_options("202") == LineOptions()
    finally:
        other.close()


def test_users_passwords_setting_defaults_on():
    assert settings_from_dict({}).get("users.passwords") is True
    assert settings_from_dict({"users": {"passwords": False}}).get("users.passwords") is False
