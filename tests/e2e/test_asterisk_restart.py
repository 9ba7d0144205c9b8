"""Asterisk restarts in the middle of a call (issue 3 item 3, SPEC AMI-3): the product's
connection notices, shows it is failing, reconnects by itself when Asterisk is back, logs the
interrupted call exactly once and goes on logging new calls."""
from __future__ import annotations

import pytest

from callcore.events import LegAnswered
from tests.e2e.live import Collector, control_client, product_connection
from tests.pbx import pbx as control
from tests.pbx import plan, scenarios

pytestmark = pytest.mark.pbx


def test_asterisk_restart_mid_call(pbx):
    events = Collector()
    conn = product_connection(events)
    conn.start()
    try:
        assert events.wait(lambda: conn.status == "connected", timeout=15)
        client = control_client()
        try:
            interrupted = scenarios.outside_call(client, plan.MAIN_DID, scenarios.GREEK, talk=60)
            assert events.wait(lambda: any(e.call_id and e.extension == "201"
                                           for e in events.of(LegAnswered)), timeout=15)
        finally:
            client.close()

        control.stop(quiet=True)
        control.start()
        assert events.wait(lambda: "failing" in events.statuses(), timeout=15)
        assert events.wait(lambda: conn.status == "connected", timeout=45), events.statuses()
        assert events.wait(lambda: len(events.records([interrupted])) == 1, timeout=15)

        client = control_client()
        try:
            after = scenarios.outside_call(client, plan.MAIN_DID, scenarios.CYRILLIC, talk=2)
            client.wait_idle(timeout=30)
        finally:
            client.close()
        assert events.wait(lambda: len(events.records([after])) == 1, timeout=15)
        assert events.records([after])[0].status == "answered"
        assert len(events.records([interrupted])) == 1     # never logged twice
    finally:
        conn.stop()
