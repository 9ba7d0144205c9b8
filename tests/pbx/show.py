"""Print a recorded AMI fixture as a compact timeline (for reading, not parsing).

    python -m tests.pbx.show incoming_answered [--all]

By default the chatty events (Newexten, VarSet, RTCP*, DeviceStateChange …) are left out.
"""
from __future__ import annotations

import argparse
import sys

from tests.pbx.fixtures import read_fixture

CHATTY = {"Newexten", "VarSet", "RTCPSent", "RTCPReceived", "DeviceStateChange",
          "NewCallerid", "NewConnectedLine", "HangupRequest", "SoftHangupRequest",
          "QueueMemberStatus", "NewAccountCode", "DTMFBegin", "DTMFEnd"}
SHOWN = ("Channel", "ChannelStateDesc", "DestChannel", "DialStatus", "CallerIDNum",
         "CallerIDName", "ConnectedLineNum", "Result", "Response", "Reason", "Exten",
         "Status", "StatusText", "Queue", "Interface", "BridgeUniqueid", "Cause-txt",
         "TransfererChannel", "TransfereeChannel", "TransferTargetChannel", "Linkedid")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--all", action="store_true", help="also the chatty events")
    args = parser.parse_args(argv)
    fx = read_fixture(args.name)
    for key in ("scenario", "description", "expect"):
        print(f"# {key}: {fx.header.get(key, '')}")
    t0 = None
    for headers in fx.messages:
        msg = dict(headers)
        event = msg.get("Event", "?")
        if event in CHATTY and not args.all:
            continue
        ts = float(msg.get("Timestamp", "0") or 0)
        t0 = t0 or ts
        fields = " ".join(f"{k}={msg[k]}" for k in SHOWN if msg.get(k) not in (None, ""))
        print(f"{ts - t0:7.3f} {event:22} {fields}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
