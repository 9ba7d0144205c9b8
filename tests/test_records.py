"""Records refuse bad values naming the field, and survive a round trip intact."""
import pytest

from callcore.records import (CallRecord, Contact, Phone, RecordError, User, call_id_for,
                              check_password, hash_password)


def test_contact_round_trip_keeps_unicode_and_phones():
    c = Contact(name="Žluťoučký kůň", type="supplier",
                phones=[Phone("+420 601 123 456", "mobile"), Phone("۰۲۱۸۸۷۷۶۶۵۵", "work")])
    c.validate()
    assert Contact.from_dict(c.to_dict()) == c


@pytest.mark.parametrize("kwargs, field", [
    ({"name": ""}, "name"),
    ({"name": "x", "type": "friend"}, "type"),
    ({"name": "x", "phones": [Phone("abc")]}, "phones[0].number"),
    ({"name": "x", "phones": [Phone("123", "pager")]}, "phones[0].label"),
    ({"name": "x", "popup_priority": -1}, "popup_priority"),
    ({"name": "x", "popup_priority": "high"}, "popup_priority"),
])
def test_contact_errors_name_the_field(kwargs, field):
    with pytest.raises(RecordError) as err:
        Contact(**kwargs).validate()
    assert err.value.field == field


def call(**over):
    base = dict(id=call_id_for("1700000000.1"), linkedid="1700000000.1", direction="in",
                status="answered", started_at="2026-11-22T10:00:00+02:00")
    base.update(over)
    return CallRecord(**base)


def test_call_needs_timezone_and_known_status():
    call().validate()
    with pytest.raises(RecordError) as err:
        call(started_at="2026-11-22T10:00:00").validate()
    assert err.value.field == "started_at"
    with pytest.raises(RecordError) as err:
        call(status="lost").validate()
    assert err.value.field == "status"
    with pytest.raises(RecordError) as err:
        call(ring_seconds=-1.0).validate()
    assert err.value.field == "ring_seconds"


def test_call_id_is_the_same_everywhere_for_one_linkedid():
    assert call_id_for("1700000000.1") == call_id_for("1700000000.1")
    assert call_id_for("1700000000.1") != call_id_for("1700000000.2")


def test_passwords_are_hashed_never_stored():
    h = hash_password("Пароль-1")
    assert "Пароль" not in h and check_password("Пароль-1", h) and not check_password("x", h)
    with pytest.raises(RecordError) as err:
        User(name="a", password_hash="plain").validate()
    assert err.value.field == "password_hash"
