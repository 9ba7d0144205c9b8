"""The recorded AMI fixtures are complete and readable (fast: no PBX needed)."""
import pytest

from tests.pbx.fixtures import fixture_names, load_expected, load_fixture, read_fixture
from tests.pbx.record import ALL, RESTART

NAMES = fixture_names()


def test_every_scenario_has_a_fixture():
    assert set(ALL) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_fixture_parses_into_events_of_its_calls(name):
    messages = load_fixture(name)
    expected = load_expected(name)
    assert messages
    assert expected or name == RESTART
    assert all("Event" in m or "Response" in m for m in messages)
    linkedids = {m.get("Linkedid") for m in messages}
    for call in expected:
        assert call["linkedid"] in linkedids


@pytest.mark.parametrize("name", NAMES)
def test_caller_names_arrive_intact(name):
    names = {m.get("CallerIDName") for m in load_fixture(name)}
    for call in load_expected(name):
        if call["direction"] == "in":
            assert call["caller_name"] in names


def test_repeated_keys_are_kept_in_raw_form():
    fx = read_fixture("incoming_answered")
    assert fx.raw.endswith(b"\r\n\r\n")
    assert fx.header["asterisk"].startswith("Asterisk 22")
    assert len(fx.messages) == int(fx.header["messages"])


@pytest.mark.parametrize("name", NAMES)
def test_fixture_holds_only_the_calls_of_its_scenario(name):
    linkedids = {m.get("Linkedid") for m in load_fixture(name)} - {None}
    assert linkedids == {call["linkedid"] for call in load_expected(name)}


def test_restart_fixture_ends_with_shutdown():
    last = load_fixture(RESTART)[-1]
    assert last["Event"] == "Shutdown" and last["Restart"] == "True"
