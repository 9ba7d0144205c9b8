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
from tests.pbx.scenarios import SCENARIOS, ScenarioResult

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "ami"


def asterisk_version(ami: AmiClient) -> str:
    out = ami.action("Command", {"Command": "core show version"}).get("Output") or ""
    return out.split(" built ")[0].strip()


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


def record(names: list[str], out_dir: Path = FIXTURE_DIR, settle: float = 1.0) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with AmiClient(AMI_HOST, AMI_PORT, AMI_USER, AMI_SECRET) as control, \
            AmiClient(AMI_HOST, AMI_PORT, AMI_USER, AMI_SECRET) as listener:
        control.connect()
        listener.connect()
        version = asterisk_version(control)
        for name in names:
            control.wait_idle(timeout=60)
            time.sleep(settle)
            start = listener.mark()
            t0 = time.monotonic()
            result = SCENARIOS[name](control)
            time.sleep(settle)  # trailing DeviceStateChange / QueueMemberStatus
            msgs = listener.messages[start:listener.mark()]
            path = out_dir / f"{name}.ami"
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(header(result, version, len(msgs)) + b"".join(m.raw for m in msgs))
            tmp.replace(path)
            written.append(path)
            print(f"{name:36} {len(msgs):5} messages {time.monotonic() - t0:5.1f} s -> "
                  f"{path.relative_to(out_dir.parents[2])}", flush=True)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.pbx.record", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", help=f"default: all ({', '.join(SCENARIOS)})")
    parser.add_argument("--start", action="store_true", help="start the PBX first")
    parser.add_argument("--out", type=Path, default=FIXTURE_DIR)
    args = parser.parse_args(argv)
    unknown = [n for n in args.scenarios if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios: {unknown}")
    if args.start:
        from tests.pbx.pbx import start
        start()
    record(args.scenarios or list(SCENARIOS), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
