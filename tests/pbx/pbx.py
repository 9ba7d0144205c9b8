"""Start, stop and check the test PBX: Asterisk 22 in a chroot plus sipp phones.

    python -m tests.pbx.pbx start     # build root if missing, start, wait for FullyBooted
    python -m tests.pbx.pbx stop      # stop everything (also leftovers of an earlier run)
    python -m tests.pbx.pbx status    # exit 0 only if Asterisk answers an AMI login

Only one PBX can run on a machine (fixed ports). `start` is idempotent: when a healthy
PBX is already running it just says so.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from tests.pbx.ami import AmiClient, AmiError
from tests.pbx.plan import (AMI_HOST, AMI_PORT, AMI_SECRET, AMI_USER, HERE, PHONES,
                            SIPP_DIR, SIP_PORT)

ETC_DIR = HERE / "etc"
BUILD_SCRIPT = HERE / "build-root.sh"


def root_dir() -> Path:
    return Path(os.environ.get("PBX_ROOT") or HERE / "root").resolve()


def run_dir() -> Path:
    return Path(os.environ.get("PBX_RUN") or HERE / "run").resolve()


def log(msg: str) -> None:
    print(f"[pbx] {msg}", flush=True)


class PbxError(RuntimeError):
    """The PBX could not be built or started; the message says why."""


@dataclass
class PbxState:
    """What `start` launched, saved in run/pbx.json so `stop`/`status` find it."""

    asterisk_pid: int = 0
    phone_pids: dict[str, int] = field(default_factory=dict)
    root: str = ""
    started_at: float = 0.0
    version: str = ""

    def save(self) -> None:
        run_dir().mkdir(parents=True, exist_ok=True)
        (run_dir() / "pbx.json").write_text(json.dumps(self.__dict__, indent=1))

    @classmethod
    def load(cls) -> "PbxState":
        try:
            return cls(**json.loads((run_dir() / "pbx.json").read_text()))
        except (OSError, ValueError, TypeError):
            return cls()


# -- process helpers ------------------------------------------------------------
def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie child is not alive
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _kill(pid: int, name: str, grace: float = 5.0) -> None:
    if not _alive(pid):
        return
    log(f"stopping {name} (pid {pid})")
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    if _alive(pid):
        log(f"{name} (pid {pid}) ignored SIGTERM: SIGKILL")
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _our_leftovers() -> list[tuple[int, str]]:
    """Processes an earlier run of this PBX left behind: Asterisk whose root is our
    chroot, sipp running our scenario files. Found by exact identity, never by name."""
    root = str(root_dir())
    found = []
    try:  # the second PBX (tests/pbx/pbx2.py) is not a leftover of this one
        second = json.loads((run_dir() / "pbx2.json").read_text())
        others = {second.get("asterisk_pid", 0), *second.get("phone_pids", {}).values()}
    except (OSError, ValueError, AttributeError):
        others = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            if pid in others or b"/etc/asterisk2/asterisk.conf" in cmd:
                continue
            exe0 = os.path.basename(cmd[0].decode(errors="replace"))
            if exe0 == "asterisk" and os.readlink(entry / "root") == root:
                found.append((pid, "stale asterisk"))
            elif exe0 == "sipp" and any(str(SIPP_DIR).encode() in c for c in cmd):
                found.append((pid, "stale sipp phone"))
        except OSError:
            continue
    return found


def _port_in_use(port: int, udp: bool = False) -> bool:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
    if not udp:  # like Asterisk: TIME_WAIT leftovers of old connections do not count
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return False
    except OSError:
        return True
    finally:
        s.close()


# -- build and prepare ---------------------------------------------------------------
def build_root() -> None:
    root = root_dir()
    if (root / ".pbx-root-built").exists():
        return
    log(f"building the PBX root at {root} (Debian sid + asterisk; a few minutes)")
    if os.geteuid() != 0:
        raise PbxError("building the PBX root needs root (debootstrap, chroot)")
    env = dict(os.environ, PBX_ROOT=str(root))
    rc = subprocess.call(["sh", str(BUILD_SCRIPT)], env=env)
    if rc != 0:
        raise PbxError(f"{BUILD_SCRIPT.name} failed with exit code {rc}")


def _make_tls_cert(keys: Path) -> None:
    keys.mkdir(parents=True, exist_ok=True)
    openssl = shutil.which("openssl")
    cmd_tail = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                "-subj", "/CN=127.0.0.1"]
    if openssl:
        cmd = [openssl, *cmd_tail, "-keyout", str(keys / "ami.key"), "-out", str(keys / "ami.crt")]
    elif (root_dir() / "usr/bin/openssl").exists():
        cmd = ["chroot", str(root_dir()), "/usr/bin/openssl", *cmd_tail,
               "-keyout", "/etc/asterisk/keys/ami.key", "-out", "/etc/asterisk/keys/ami.crt"]
    else:
        log("no openssl: AMI over TLS (5039) will not be available")
        return
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def prepare_root() -> None:
    """Fresh /etc/asterisk from tests/pbx/etc, a silent hold-music file, clean state."""
    root = root_dir()
    etc = root / "etc/asterisk"
    if etc.exists():
        shutil.rmtree(etc)
    shutil.copytree(ETC_DIR, etc)
    _make_tls_cert(etc / "keys")
    moh = root / "var/lib/asterisk/moh/default"
    moh.mkdir(parents=True, exist_ok=True)
    (moh / "silence.ulaw").write_bytes(b"\xff" * 8000 * 5)  # 5 s of mu-law silence
    for stale in ("var/lib/asterisk/astdb.sqlite3", "var/run/asterisk/asterisk.ctl",
                  "var/run/asterisk/asterisk.pid", "var/log/asterisk/messages.log"):
        try:
            (root / stale).unlink()
        except FileNotFoundError:
            pass
    (root / "var/run/asterisk").mkdir(parents=True, exist_ok=True)
    (root / "var/log/asterisk").mkdir(parents=True, exist_ok=True)
    (root / "var/spool/asterisk").mkdir(parents=True, exist_ok=True)


# -- start / stop / status ---------------------------------------------------------------
def ami_ready(timeout: float = 3.0) -> Optional[str]:
    """Log in; return the Asterisk version if the PBX is fully booted, else None."""
    try:
        with AmiClient(AMI_HOST, AMI_PORT, AMI_USER, AMI_SECRET) as ami:
            ami.connect(timeout=timeout)
            reply = ami.action("CoreSettings", timeout=timeout)
            return reply.get("AsteriskVersion") or "unknown"
    except (OSError, AmiError, TimeoutError):
        return None


def _start_phone(phone, logs: Path) -> subprocess.Popen:
    cmd = ["sipp", "-sf", str(SIPP_DIR / phone.scenario), "-i", "127.0.0.1",
           "-p", str(phone.sip_port), "-mp", str(phone.media_port), "-rtp_echo",
           "-nostdin", "-trace_err", "-error_file", str(logs / f"sipp-{phone.extension}-errors.log"),
           "-s", phone.extension]
    out = open(logs / f"sipp-{phone.extension}.out", "wb")
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=out, start_new_session=True)


def start(wait_seconds: float = 60.0) -> PbxState:
    """Start the PBX (idempotent) and return its state once AMI says FullyBooted."""
    state = PbxState.load()
    if _alive(state.asterisk_pid) and all(_alive(p) for p in state.phone_pids.values()):
        version = ami_ready()
        if version:
            log(f"PBX ready (already running, Asterisk {version})")
            return state
    stop(quiet=True)
    if os.geteuid() != 0:
        raise PbxError("the test PBX runs Asterisk in a chroot: run as root (CI does)")
    for tool in ("sipp", "chroot"):
        if not shutil.which(tool):
            raise PbxError(f"'{tool}' is not installed (Debian: sip-tester / coreutils)")
    build_root()
    for port, udp, what in ((AMI_PORT, False, "AMI"), (SIP_PORT, True, "SIP")):
        if _port_in_use(port, udp):
            raise PbxError(f"port {port} ({what}) is taken by another program")
    prepare_root()
    logs = run_dir()
    logs.mkdir(parents=True, exist_ok=True)
    state = PbxState(root=str(root_dir()), started_at=time.time())
    try:
        for phone in PHONES:
            if phone.scenario:
                state.phone_pids[phone.extension] = _start_phone(phone, logs).pid
        state.save()
        out = open(logs / "asterisk.out", "wb")
        proc = subprocess.Popen(["chroot", str(root_dir()), "/usr/sbin/asterisk", "-f", "-g"],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        state.asterisk_pid = proc.pid
        state.save()
        log(f"asterisk pid {proc.pid}, phones {sorted(state.phone_pids)}; waiting for AMI")
        deadline = time.monotonic() + wait_seconds
        while True:
            if proc.poll() is not None:
                tail = (logs / "asterisk.out").read_text(errors="replace")[-2000:]
                raise PbxError(f"asterisk exited with code {proc.returncode}:\n{tail}")
            dead = [e for e, pid in state.phone_pids.items() if not _alive(pid)]
            if dead:
                tail = (logs / f"sipp-{dead[0]}.out").read_text(errors="replace")[-2000:]
                raise PbxError(f"sipp phone(s) {dead} exited:\n{tail}")
            version = ami_ready()
            if version:
                break
            if time.monotonic() > deadline:
                raise PbxError(f"AMI did not answer within {wait_seconds:.0f} s "
                               f"(see {logs / 'asterisk.out'})")
            time.sleep(0.3)
    except BaseException:
        stop(quiet=True)
        raise
    state.version = version
    state.save()
    log(f"PBX ready (Asterisk {version}, AMI {AMI_HOST}:{AMI_PORT} {AMI_USER}/{AMI_SECRET})")
    return state


def stop(quiet: bool = False) -> None:
    """Stop Asterisk and the phones of this checkout's PBX, including leftovers."""
    state = PbxState.load()
    if _alive(state.asterisk_pid):
        _kill(state.asterisk_pid, "asterisk")
    for ext, pid in state.phone_pids.items():
        _kill(pid, f"sipp phone {ext}", grace=2)
    for pid, what in _our_leftovers():
        _kill(pid, what, grace=2)
    try:
        (run_dir() / "pbx.json").unlink()
    except FileNotFoundError:
        pass
    if not quiet:
        log("PBX stopped")


def status() -> tuple[bool, str]:
    """(healthy, description). Healthy = our processes run and AMI answers a login."""
    state = PbxState.load()
    if not state.asterisk_pid:
        leftovers = _our_leftovers()
        if leftovers:
            return False, f"not started by pbx.py, but leftovers run: {leftovers} (run stop)"
        return False, "stopped"
    if not _alive(state.asterisk_pid):
        return False, f"broken: asterisk (pid {state.asterisk_pid}) is gone (run stop, then start)"
    dead = [e for e, pid in state.phone_pids.items() if not _alive(pid)]
    if dead:
        return False, f"broken: sipp phones {dead} are gone (run stop, then start)"
    version = ami_ready()
    if not version:
        return False, f"broken: asterisk (pid {state.asterisk_pid}) runs but AMI does not answer"
    return True, (f"running: Asterisk {version} pid {state.asterisk_pid}, phones "
                  f"{', '.join(sorted(state.phone_pids))}, AMI {AMI_HOST}:{AMI_PORT}")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.pbx.pbx", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop", "status", "restart"])
    args = parser.parse_args(argv)
    try:
        if args.command == "restart":
            stop()
        if args.command in ("start", "restart"):
            start()
        elif args.command == "stop":
            stop()
        else:
            ok, text = status()
            print(text)
            return 0 if ok else 1
    except (PbxError, OSError, subprocess.SubprocessError) as exc:
        print(f"[pbx] ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
