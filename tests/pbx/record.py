"""Record every scenario's raw AMI stream from the running test PBX into fixtures.

    python -m tests.pbx.record                 # all scenarios (PBX must be running,
    python -m tests.pbx.record incoming_busy   #  or pass --start to start it)

A second AMI client logs in with events on and only listens; the bytes Asterisk sends it
while a scenario runs are written unchanged to tests/fixtures/ami/<scenario>.ami after a
header of '# ' lines (date, Asterisk version, expected outcome as JSON). See the README
in that folder for the format.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from tests.pbx.ami import AmiClient
from tests.pbx.plan import AMI_HOST, AMI_PORT, AMI_SECRET, AMI_USER
from tests.pbx.plan import MAIN_DID, direct_did
from tests.pbx.scenarios import (CYRILLIC, GREEK, SCENARIOS, ExpectedCall, ScenarioResult,
                                 answered_leg, outside_call)

RECONNECT = "reconnect_mid_call"
RESTART = "asterisk_restart"


class ForeignCallsError(RuntimeError):
    """Someone else made calls on the PBX during a recording: the fixture would lie."""


def check_only_expected_calls(result: ScenarioResult, raw: bytes) -> None:
    from tests.pbx.fixtures import parse_stream
    seen = {dict(m).get("Linkedid") for m in parse_stream(raw)} - {None}
    foreign = seen - {c.linkedid for c in result.calls}
    if foreign:
        raise ForeignCallsError(f"{result.name}: calls not made by the scenario: {sorted(foreign)}"
                                " (is another test using the PBX? record again)")


def record_reconnect(control: AmiClient) -> tuple[ScenarioResult, bytes]:
    """A client logs in while one call is up (201) and one rings (203), rebuilds its
    state with CoreShowChannels, ExtensionStateList, DeviceStateList and QueueStatus, and
    then sees the calls end. The fixture is this client's whole session from the banner."""
    since = control.mark()
    up = outside_call(control, MAIN_DID, GREEK, talk=6)
    answered_leg(control, since, "201", up)
    ringing = outside_call(control, direct_did("203"), CYRILLIC, give_up=4)
    control.wait_event("Newstate", since=since, timeout=10, Channel="PJSIP/203-*",
                       ChannelStateDesc="Ringing", Linkedid=ringing)
    raw = bytearray()
    client = AmiClient(AMI_HOST, AMI_PORT, AMI_USER, AMI_SECRET, raw_sink=raw.extend).connect()
    try:
        for action in ("CoreShowChannels", "ExtensionStateList", "DeviceStateList", "QueueStatus"):
            client.action_list(action)
        control.wait_idle(timeout=30)
        time.sleep(1)
    finally:
        client.close()
    result = ScenarioResult(RECONNECT, record_reconnect.__doc__, [
        ExpectedCall(up, "in", "answered", "201", *GREEK, MAIN_DID, "ANSWER",
                     note="already up when the client logged in"),
        ExpectedCall(ringing, "in", "missed", "203", *CYRILLIC, direct_did("203"), "CANCEL",
                     note="ringing when the client logged in")])
    return result, bytes(raw)

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "ami"


def asterisk_version(ami: AmiClient) -> str:
    return "Asterisk " + (ami.action("CoreSettings").get("AsteriskVersion") or "unknown")


def header(result: ScenarioResult, version: str, events: int) -> bytes:
    lines = [
        f"scenario: {result.name}",
        f"recorded: {dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')}"
        " by tests/pbx/record.py",
        f"asterisk: {version}",
        f"messages: {events}",
        f"description: {' '.join((result.description or '').split())}",
        "expect: " + json.dumps(result.to_dict()["calls"], ensure_ascii=False),
    ]
    return "".join(f"# {line}\n" for line in lines).encode("utf-8")


def record(names: list[str], out_dir: Path = FIXTURE_DIR, settle: float = 1.0,
           attempts: int = 5) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    control = AmiClient(AMI_HOST, AMI_PORT, AMI_USER, AMI_SECRET).connect()
    listener = AmiClient(AMI_HOST, AMI_PORT, AMI_USER, AMI_SECRET).connect()
    try:
        version = asterisk_version(control)
        for name in names:
            for attempt in range(1, attempts + 1):
                control.wait_idle(timeout=120)
                time.sleep(settle)
                start = listener.mark()
                t0 = time.monotonic()
                if name == RECONNECT:
                    result, raw = record_reconnect(control)
                elif name == RESTART:
                    result, raw = record_restart(control)
                    control.close()
                    listener.close()
                    control = AmiClient(AMI_HOST, AMI_PORT, AMI_USER, AMI_SECRET).connect()
                    listener = AmiClient(AMI_HOST, AMI_PORT, AMI_USER, AMI_SECRET).connect()
                else:
                    result = SCENARIOS[name](control)
                    time.sleep(settle)  # trailing DeviceStateChange / QueueMemberStatus
                    raw = b"".join(m.raw for m in listener.messages[start:listener.mark()])
                try:
                    check_only_expected_calls(result, raw)
                    break
                except ForeignCallsError as exc:
                    if attempt == attempts:
                        raise
                    print(f"{exc}; attempt {attempt + 1} of {attempts}", flush=True)
            count = raw.count(b"\r\n\r\n")
            path = out_dir / f"{name}.ami"
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(header(result, version, count) + raw)
            tmp.replace(path)
            written.append(path)
            print(f"{name:36} {count:5} messages {time.monotonic() - t0:5.1f} s -> "
                  f"{path}", flush=True)
    finally:
        control.close()
        listener.close()
    return written


ALL = [*SCENARIOS, RECONNECT, RESTART]


def record_restart(control: AmiClient) -> tuple[ScenarioResult, bytes]:
    """Asterisk restarts ('core restart now') while a client is logged in: it sends
    Shutdown (Restart: True) and closes the socket. The fixture is that client's whole
    session from the banner to the closed socket. The recorder waits for the PBX to
    come back."""
    from tests.pbx.pbx import ami_ready
    raw = bytearray()
    client = AmiClient(AMI_HOST, AMI_PORT, AMI_USER, AMI_SECRET, raw_sink=raw.extend).connect()
    since = client.mark()
    try:
        control.send("Command", {"Command": "core restart now"})
        client.wait_event("Shutdown", since=since, timeout=10)
        deadline = time.monotonic() + 10
        while client.connected and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        client.close()
    deadline = time.monotonic() + 60
    while not ami_ready() and time.monotonic() < deadline:
        time.sleep(0.3)
    return ScenarioResult(RESTART, record_restart.__doc__, []), bytes(raw)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.pbx.record", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*",
                        help=f"default: all ({', '.join(ALL)})")
    parser.add_argument("--start", action="store_true", help="start the PBX first")
    parser.add_argument("--out", type=Path, default=FIXTURE_DIR)
    args = parser.parse_args(argv)
    unknown = [n for n in args.scenarios if n not in ALL]
    if unknown:
        parser.error(f"unknown scenarios: {unknown}")
    if args.start:
        from tests.pbx.pbx import start
        start()
    record(args.scenarios or ALL, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
