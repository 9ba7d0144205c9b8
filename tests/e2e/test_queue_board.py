"""Queue panel rules without a PBX (issue 11): AMI queue messages as Asterisk 22 sends them
(copied from the test PBX) through the real CallTracker, then the QueueBoard's answer for
each role. The real-PBX tests are test_queue_panel.py and tests/gui/test_queue_panel.py."""
from __future__ import annotations

from callcore.ami.tracker import CallTracker
from callcore.events import ExtensionStateChanged, QueueMemberSeen
from callcore.queue_board import QueueBoard, joinable

STATUS = [
    {"Event": "ExtensionStatus", "Exten": "202", "Hint": "PJSIP/202", "Status": "0"},
    {"Event": "ExtensionStatus", "Exten": "203", "Hint": "PJSIP/203", "Status": "0"},
    {"Event": "QueueParams", "Queue": "support", "Strategy": "ringall", "Completed": "3", "Abandoned": "1"},
    {"Event": "QueueMember", "Queue": "support", "Name": "Petra 202", "Location": "PJSIP/202",
     "StateInterface": "PJSIP/202", "Membership": "static", "Status": "1", "Paused": "0", "PausedReason": ""},
    {"Event": "QueueMember", "Queue": "support", "Name": "Karel 203", "Location": "PJSIP/203",
     "StateInterface": "PJSIP/203", "Membership": "static", "Status": "6", "Paused": "0", "PausedReason": ""},
    {"Event": "QueueParams", "Queue": "sales", "Strategy": "rrmemory"},
    {"Event": "QueueMember", "Queue": "sales", "Name": "Olga", "Location": "Local/301@from-queue/n",
     "StateInterface": "PJSIP/301", "Membership": "dynamic", "Status": "1", "Paused": "0"},
]


def board_from(messages):
    tracker, board, out = CallTracker(), QueueBoard(), []
    for message in messages:
        for event in tracker.feed({"Timestamp": "1764410000.0", **message}):
            out.append(event)
            board.apply(event)
    return tracker, board, out


def test_queue_status_and_roles():
    _tracker, board, _events = board_from(STATUS)
    every = board.views(scope="all", extension="205", joinable_setting="")
    assert [v.queue for v in every] == ["sales", "support"]
    support = every[1]
    assert [(m.extension, m.name, m.state, m.dynamic) for m in support.members] == [
        ("202", "Petra 202", "free", False), ("203", "Karel 203", "ringing", False)]
    assert (support.completed, support.abandoned, support.strategy) == (3, 1, "ringall")
    assert every[0].members[0].extension == "301"                 # from a Local interface
    # an agent sees the queues they are in and those they may join
    assert [v.queue for v in board.views(scope="own", extension="202")] == ["support"]
    assert [v.queue for v in board.views(scope="own", extension="205")] == []
    assert [v.queue for v in board.views(scope="own", extension="205", joinable_setting="sales")] == ["sales"]
    # a supervisor also every queue where someone of their group is a member
    assert [v.queue for v in board.views(scope="group", extension="205", group_extensions=["301"])] == ["sales"]
    # a static member may not leave; a dynamic one may; nobody joins twice
    [own] = board.views(scope="own", extension="202", joinable_setting="*")[1:]
    assert own.own is not None and not own.may_leave and not own.may_join
    [olga] = [v for v in board.views(scope="own", extension="301", joinable_setting="*") if v.queue == "sales"]
    assert olga.may_leave and not olga.may_join
    assert joinable("*", "x") and joinable(" sales, support ", "support") and not joinable("", "support")


def test_a_pause_is_the_extensions_state_and_survives_hint_changes():
    tracker, board, _ = board_from(STATUS)
    events = tracker.feed({"Event": "QueueMemberPause", "Queue": "support", "MemberName": "Petra 202",
                           "Interface": "PJSIP/202", "StateInterface": "PJSIP/202", "Membership": "static",
                           "Status": "1", "Paused": "1", "PausedReason": "Обед", "Timestamp": "1764410001.0"})
    assert ExtensionStateChanged("202", "free", paused=True) in events
    member = [e for e in events if isinstance(e, QueueMemberSeen)][0]
    assert (member.paused, member.reason) == (True, "Обед")
    # the phone rings while paused: still paused (the transfer dialog keeps saying so)
    assert tracker.feed({"Event": "ExtensionStatus", "Exten": "202", "Hint": "PJSIP/202", "Status": "8"}) == [
        ExtensionStateChanged("202", "ringing", paused=True)]
    events = tracker.feed({"Event": "QueueMemberPause", "Queue": "support", "Interface": "PJSIP/202",
                           "StateInterface": "PJSIP/202", "Status": "6", "Paused": "0"})
    assert ExtensionStateChanged("202", "ringing", paused=False) in events


def test_callers_wait_and_leave_and_a_lost_pbx_is_forgotten():
    tracker, board, _ = board_from(STATUS + [
        {"Event": "QueueEntry", "Queue": "support", "Position": "1", "Uniqueid": "u1",
         "CallerIDNum": "6945123456", "CallerIDName": "Μανουσάκης Γιώργος", "Wait": "30"}])
    for event in tracker.feed({"Event": "QueueCallerJoin", "Queue": "support", "Position": "2", "Uniqueid": "u2",
                               "CallerIDNum": "4957654321", "CallerIDName": "<unknown>",
                               "Timestamp": "1764410010.0"}):
        board.apply(event)
    [support] = [v for v in board.views() if v.queue == "support"]
    assert [(c.number, c.name, c.position) for c in support.callers] == [
        ("6945123456", "Μανουσάκης Γιώργος", 1), ("4957654321", "", 2)]
    assert support.callers[0].since.timestamp() == 1764410000.0 - 30      # Wait counted in
    for event in tracker.feed({"Event": "QueueCallerAbandon", "Queue": "support", "Uniqueid": "u1",
                               "Timestamp": "1764410040.0"}):
        board.apply(event)
    [support] = [v for v in board.views() if v.queue == "support"]
    assert [c.uniqueid for c in support.callers] == ["u2"]
    assert board.clear("") and board.views() == []
