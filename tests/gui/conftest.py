"""GUI test set-up: an X display (Xvfb when none), one Tk root per module, helpers.

Without DISPLAY and without Xvfb the GUI tests skip — unless ``GUI_REQUIRED=1`` (CI), then
they fail, so a missing display never passes silently.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from typing import Callable

import pytest

GUI_DIR = os.path.dirname(__file__)


def pytest_configure(config):
    config.addinivalue_line("markers", "gui: needs an X display (Xvfb); tests/gui")
    config.addinivalue_line("markers", "no_display: a tests/gui test that needs no display")
    # ttkbootstrap 2.x keeps the 'flatly' theme as a legacy name; the app pins 2.2.6.
    config.addinivalue_line("filterwarnings", "ignore:'flatly' is a legacy:DeprecationWarning")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if str(item.fspath).startswith(GUI_DIR) and "no_display" not in item.keywords:
            item.add_marker(pytest.mark.gui)


def _unavailable(reason: str):
    if os.environ.get("GUI_REQUIRED") == "1":
        pytest.fail(f"GUI_REQUIRED=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def display():
    """The X display to use; starts a private Xvfb (free display number) when needed."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    if shutil.which("Xvfb") is None:
        _unavailable("no DISPLAY and Xvfb is not installed")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x900x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    with os.fdopen(read_fd, "rb") as pipe:
        while not number.endswith(b"\n"):
            chunk = pipe.read(1)
            if not chunk:
                break
            number += chunk
    if not number.strip():
        proc.kill()
        _unavailable("Xvfb did not start")
    os.environ["DISPLAY"] = f":{number.decode().strip()}"
    try:
        yield os.environ["DISPLAY"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        os.environ.pop("DISPLAY", None)


@pytest.fixture(scope="module")
def root(display):
    """The module's single ttkbootstrap root."""
    import ttkbootstrap as ttk
    app = ttk.App(title="tests", theme="flatly", size=(900, 480))
    app.update()
    yield app
    try:
        app.destroy()
    except Exception:  # a test may have closed the main window itself
        pass
    # Collect Tk's leftovers (PhotoImages in reference cycles) now, on the main thread:
    # collected later by GC on some other thread (an AMI reader), Image.__del__ would call
    # into Tcl from that thread and block it.
    import gc
    gc.unfreeze()
    gc.collect()


@pytest.fixture
def make_ui(root):
    """Build OperatorUi objects on the module's root (no desktop notifications); closed after."""
    from ui.app import OperatorUi
    made = []

    def make(services, **kwargs):
        kwargs.setdefault("notify_backend", lambda **kw: None)
        ui = OperatorUi(services, root=root, **kwargs)
        made.append(ui)
        return ui

    yield make
    for ui in made:
        ui.close()


def wait_until(root, predicate: Callable[[], bool], timeout: float = 5.0, pump=None) -> bool:
    """Run the Tk loop (and the pump) until ``predicate()`` holds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pump is not None:
            pump.drain()
        root.update()
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def initial_state_requested(window) -> str:
    """'iconic' or 'normal': what the window asked the window manager for. Under a bare
    Xvfb (no WM) Tk cannot iconify, so read the WM_HINTS the WM would act on (xprop)."""
    import re
    if window.state() == "iconic":
        return "iconic"
    if shutil.which("xprop") is None or shutil.which("xwininfo") is None:
        _unavailable("xprop/xwininfo (Debian x11-utils) needed to read WM_HINTS without a WM")
    info = subprocess.run(["xwininfo", "-children", "-id", window.wm_frame()],
                          capture_output=True, text=True, check=True).stdout
    found = re.search(r"Parent window id: (0x[0-9a-f]+)", info)
    wrapper = found.group(1) if found and "(the root window)" not in info.split("Parent")[1][:60] \
        else window.wm_frame()
    hints = subprocess.run(["xprop", "-id", wrapper, "WM_HINTS"], capture_output=True, text=True,
                           check=True).stdout
    return "iconic" if "Initial state is Iconic" in hints else "normal"
