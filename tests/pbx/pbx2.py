"""A second test PBX (AMI-4: several PBXs), started only for tests that ask for it.

Same chroot and Asterisk as the first (tests/pbx/pbx.py) — no second 450 MB root — but its
own config folder ``/etc/asterisk2`` (derived from tests/pbx/etc at each start), its own
run/lib/spool/log folders, ``systemname = testpbx2`` and other ports, so both run side by
side and the first PBX's ports and behaviour stay exactly as they were:

| | first PBX | second PBX |
|---|---|---|
| AMI | 5038 (TLS 5039) | 5048 (TLS 5049) |
| SIP | 5060/udp | 5070/udp |
| RTP | 17000-17999 | 18000-18999 |
| phones | 201-209 (sipp 52NN) | 301-303 (sipp 53NN, media 165N0) |

    python -m tests.pbx.pbx2 start | stop | status | restart

Extensions of the second PBX: 301 answers after 2 s (the branch operator), 302 answers at
once, 303 rings forever. From outside: ``21099993NN`` rings 3NN.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from tests.pbx import pbx as first
from tests.pbx.ami import AmiClient, AmiError
from tests.pbx.plan import AMI_HOST, AMI_USER, SIPP_DIR

AMI_PORT = 5048
AMI_TLS_PORT = 5049
SIP_PORT = 5070
SYSTEM_NAME = "testpbx2"
DIRECT_DID_PREFIX = "2109999"       # 2109999301 -> 301
CONF = "/etc/asterisk2"
SECRET = "branch-s3cret-22"     # not the first PBX's: proves each PBX's secret stays out of logs


@dataclass(frozen=True)
class Phone2:
    extension: str
    name: str
    scenario: str

    @property
    def sip_port(self) -> int:
        return 5000 + int(self.extension)

    @property
    def media_port(self) -> int:
        return 16500 + 10 * (int(self.extension) - 300)


PHONES = [
    Phone2("301", "Olga Branch", "uas_answer_2s.xml"),
    Phone2("302", "Jonas Branch", "uas_answer_now.xml"),
    Phone2("303", "Mira Branch", "uas_ring_forever.xml"),
]


def direct_did(extension: str) -> str:
    return DIRECT_DID_PREFIX + extension


def state_file() -> Path:
    return first.run_dir() / "pbx2.json"


@dataclass
class Pbx2State:
    asterisk_pid: int = 0
    phone_pids: dict[str, int] = field(default_factory=dict)
    version: str = ""

    def save(self) -> None:
        first.run_dir().mkdir(parents=True, exist_ok=True)
        state_file().write_text(json.dumps(self.__dict__, indent=1))

    @classmethod
    def load(cls) -> "Pbx2State":
        try:
            return cls(**json.loads(state_file().read_text()))
        except (OSError, ValueError, TypeError):
            return cls()


def _pjsip() -> str:
    text = (first.ETC_DIR / "pjsip.conf").read_text(encoding="utf-8")
    head = text.split("; 201:")[0].replace("127.0.0.1:5060", f"127.0.0.1:{SIP_PORT}")
    for phone in PHONES:
        head += (f"\n[{phone.extension}](phone)\naors = {phone.extension}\n"
                 f'callerid = "{phone.name}" <{phone.extension}>\n\n'
                 f"[{phone.extension}]\ntype = aor\nmax_contacts = 1\n"
                 f"contact = sip:{phone.extension}@127.0.0.1:{phone.sip_port}\n")
    return head


def _extensions() -> str:
    hints = "".join(f"exten => {p.extension},hint,PJSIP/{p.extension}\n" for p in PHONES)
    return f"""; Second test PBX (tests/pbx/pbx2.py)
[general]
static = yes
writeprotect = yes

[internal]
exten => _30X,1,NoOp(Internal call to ${{EXTEN}})
 same => n,Dial(PJSIP/${{EXTEN}},10,tT)
 same => n,Hangup()
{hints}
[from-outside]
exten => _{DIRECT_DID_PREFIX}30X,1,NoOp(Direct line ${{EXTEN:-3}} for ${{CALLERID(all)}})
 same => n,Set(__CALLED_DID=${{EXTEN}})
 same => n,Dial(PJSIP/${{EXTEN:-3}},10,tT)
 same => n,Hangup()
"""


def prepare() -> None:
    """/etc/asterisk2 and the second PBX's own state folders, fresh at every start."""
    root = first.root_dir()
    etc = root / CONF.lstrip("/")
    if etc.exists():
        shutil.rmtree(etc)
    shutil.copytree(first.ETC_DIR, etc)
    conf = (first.ETC_DIR / "asterisk.conf").read_text(encoding="utf-8")
    for key, path in (("astetcdir", CONF), ("astvarlibdir", "/var/lib/asterisk2"),
                      ("astdbdir", "/var/lib/asterisk2"), ("astspooldir", "/var/spool/asterisk2"),
                      ("astrundir", "/var/run/asterisk2"), ("astlogdir", "/var/log/asterisk2"),
                      ("astcachedir", "/var/cache/asterisk2")):
        lines = [f"{key} => {path}" if line.startswith(f"{key} ") else line for line in conf.splitlines()]
        conf = "\n".join(lines)
    conf = conf.replace("systemname = testpbx", f"systemname = {SYSTEM_NAME}") + "\n"
    (etc / "asterisk.conf").write_text(conf, encoding="utf-8")
    manager = (first.ETC_DIR / "manager.conf").read_text(encoding="utf-8")
    manager = manager.replace("port = 5038", f"port = {AMI_PORT}").replace(
        "127.0.0.1:5039", f"127.0.0.1:{AMI_TLS_PORT}").replace("/etc/asterisk/", f"{CONF}/").replace(
        "secret = test", f"secret = {SECRET}")
    (etc / "manager.conf").write_text(manager, encoding="utf-8")
    (etc / "rtp.conf").write_text("[general]\nrtpstart = 18000\nrtpend = 18999\n", encoding="utf-8")
    (etc / "pjsip.conf").write_text(_pjsip(), encoding="utf-8")
    (etc / "extensions.conf").write_text(_extensions(), encoding="utf-8")
    (etc / "queues.conf").write_text("[general]\npersistentmembers = no\n", encoding="utf-8")
    moh = (first.ETC_DIR / "musiconhold.conf").read_text(encoding="utf-8")
    (etc / "musiconhold.conf").write_text(moh.replace("/var/lib/asterisk/", "/var/lib/asterisk2/"),
                                          encoding="utf-8")
    first._make_tls_cert(etc / "keys")
    music = root / "var/lib/asterisk2/moh/default"
    music.mkdir(parents=True, exist_ok=True)
    (music / "silence.ulaw").write_bytes(b"\xff" * 8000 * 5)
    for stale in ("var/lib/asterisk2/astdb.sqlite3", "var/run/asterisk2/asterisk.ctl",
                  "var/run/asterisk2/asterisk.pid"):
        (root / stale).unlink(missing_ok=True)
    for folder in ("var/run/asterisk2", "var/log/asterisk2", "var/spool/asterisk2",
                   "var/cache/asterisk2"):
        (root / folder).mkdir(parents=True, exist_ok=True)


def ami_ready(timeout: float = 3.0) -> Optional[str]:
    try:
        with AmiClient(AMI_HOST, AMI_PORT, AMI_USER, SECRET) as ami:
            ami.connect(timeout=timeout)
            return ami.action("CoreSettings", timeout=timeout).get("AsteriskVersion") or "unknown"
    except (OSError, AmiError, TimeoutError):
        return None


def _start_phone(phone: Phone2, logs: Path) -> subprocess.Popen:
    cmd = ["sipp", "-sf", str(SIPP_DIR / phone.scenario), "-i", "127.0.0.1",
           "-p", str(phone.sip_port), "-mp", str(phone.media_port), "-rtp_echo",
           "-nostdin", "-trace_err", "-error_file", str(logs / f"sipp-{phone.extension}-errors.log"),
           "-s", phone.extension]
    out = open(logs / f"sipp-{phone.extension}.out", "wb")
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=out, start_new_session=True)


def start_asterisk(state: Pbx2State, wait_seconds: float = 60.0) -> None:
    """(Re)start only Asterisk of the second PBX (the phones keep running)."""
    logs = first.run_dir()
    out = open(logs / "asterisk2.out", "ab")
    proc = subprocess.Popen(["chroot", str(first.root_dir()), "/usr/sbin/asterisk", "-f", "-g",
                             "-C", f"{CONF}/asterisk.conf"],
                            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    state.asterisk_pid = proc.pid
    state.save()
    deadline = time.monotonic() + wait_seconds
    while True:
        if proc.poll() is not None:
            tail = (logs / "asterisk2.out").read_text(errors="replace")[-2000:]
            raise first.PbxError(f"second asterisk exited with code {proc.returncode}:\n{tail}")
        version = ami_ready()
        if version:
            state.version = version
            state.save()
            return
        if time.monotonic() > deadline:
            raise first.PbxError(f"second PBX: AMI did not answer within {wait_seconds:.0f} s")
        time.sleep(0.3)


def start() -> Pbx2State:
    state = Pbx2State.load()
    if first._alive(state.asterisk_pid) and all(first._alive(p) for p in state.phone_pids.values()):
        if ami_ready():
            return state
    stop(quiet=True)
    first.build_root()
    for port, udp, what in ((AMI_PORT, False, "AMI"), (SIP_PORT, True, "SIP")):
        if first._port_in_use(port, udp):
            raise first.PbxError(f"port {port} ({what}) of the second PBX is taken")
    prepare()
    logs = first.run_dir()
    logs.mkdir(parents=True, exist_ok=True)
    state = Pbx2State()
    try:
        for phone in PHONES:
            state.phone_pids[phone.extension] = _start_phone(phone, logs).pid
        state.save()
        start_asterisk(state)
    except BaseException:
        stop(quiet=True)
        raise
    first.log(f"second PBX ready (Asterisk {state.version}, AMI {AMI_HOST}:{AMI_PORT})")
    return state


def stop_asterisk(state: Pbx2State | None = None) -> None:
    """Stop only Asterisk of the second PBX (a PBX restart: the phones stay)."""
    state = state or Pbx2State.load()
    first._kill(state.asterisk_pid, "second asterisk")


def stop(quiet: bool = False) -> None:
    state = Pbx2State.load()
    stop_asterisk(state)
    for ext, pid in state.phone_pids.items():
        first._kill(pid, f"sipp phone {ext}", grace=2)
    state_file().unlink(missing_ok=True)
    if not quiet:
        first.log("second PBX stopped")


def status() -> tuple[bool, str]:
    state = Pbx2State.load()
    if not first._alive(state.asterisk_pid):
        return False, "stopped"
    version = ami_ready()
    return (bool(version), f"running: Asterisk {version} pid {state.asterisk_pid}, AMI {AMI_PORT}"
            if version else "broken: AMI does not answer")


def main(argv: Optional[list[str]] = None) -> int:
    command = (argv or sys.argv[1:] or ["status"])[0]
    try:
        if command in ("stop", "restart"):
            stop()
        if command in ("start", "restart"):
            start()
        if command == "status":
            ok, text = status()
            print(text)
            return 0 if ok else 1
    except (first.PbxError, OSError, subprocess.SubprocessError) as exc:
        print(f"[pbx2] ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
