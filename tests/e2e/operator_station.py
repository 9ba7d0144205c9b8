"""One complete operator application (build_app WINDOW + OperatorUi from ui_ports_for) for
an extension of the real test PBX, for end-to-end tests that drive the window."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from callcore.app import AppMode, build_app
from callcore.settings import settings_from_dict
from tests.gui.conftest import wait_until
from tests.pbx import plan


def station_settings(tmp_path: Path, station_id: str, extension: str, **sections: dict) -> Any:
    """Settings of a station on the test PBX with a shared folder in ``tmp_path``; each
    keyword adds to (or replaces keys of) that section."""
    (tmp_path / "shared").mkdir(exist_ok=True)
    data: dict[str, dict] = {
        "ami": {"host": plan.AMI_HOST, "port": plan.AMI_PORT, "username": plan.AMI_USER,
                "secret": plan.AMI_SECRET},
        "station": {"id": station_id, "extension": extension, "user": "Νίκος", "context": "internal"},
        "dial": {"outgoing_prefix": plan.OUTGOING_PREFIX},
        "store": {"shared_folder": str(tmp_path / "shared"), "local_folder": str(tmp_path / "local")},
    }
    for section, values in sections.items():
        data.setdefault(section, {}).update(values)
    return settings_from_dict(data)


@contextmanager
def operator_station(settings: Any, root: Any, ami: Any, prepare: Any = None,
                     hang_up_prefixes: tuple[str, ...] = (), only_dialled: bool = False,
                     geometry: str = "") -> Iterator[tuple]:
    """(ui, app) connected to the PBX; on leaving, closed, and channels of the test left up
    (names starting with ``hang_up_prefixes``; ``only_dialled``: only in calls that dialled
    out) hung up, so a failed test does not keep the shared phones busy."""
    from operator_app import ui_ports_for
    from ui.app import OperatorUi
    app = build_app(settings, AppMode.WINDOW)
    if prepare is not None:
        prepare(app)
    ui = OperatorUi(ui_ports_for(app), root=root, notify_backend=None)
    ui.start()
    app.start()
    root.deiconify()
    if geometry:
        root.geometry(geometry)
    start = ami.mark()
    try:
        assert wait_until(root, lambda: app.connection.status == "connected", timeout=20)
        yield ui, app
    finally:
        ui.close()
        app.close()
        dialled = {m.get("Linkedid") for m in ami.events(start, "DialBegin")}
        for made in ami.events(start, "Newchannel"):
            if made.get("Channel", "").startswith(hang_up_prefixes) \
                    and (not only_dialled or made.get("Linkedid") in dialled):
                ami.action("Hangup", {"Channel": made["Channel"]})
