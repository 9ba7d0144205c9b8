"""Bring a running test PBX up to date with tests/pbx/etc without a restart (other test
sessions may be using it): the queue ``panel`` and the ``rec-test`` context (MixMonitor)
were added to the config later; a PBX started before that gets them by a reload."""
from __future__ import annotations

import shutil

from tests.pbx import pbx as control
from tests.pbx.ami import AmiClient


def _has_queue(ami: AmiClient, queue: str) -> bool:
    items = ami.action_list("QueueStatus", {"Queue": queue})
    return any(i.get("Event") == "QueueParams" and i.get("Queue") == queue for i in items)


def _has_context(ami: AmiClient, context: str) -> bool:
    reply = ami.action("ShowDialPlan", {"Context": context})
    return reply.get("Response") == "Success"


def ensure_current_config(ami: AmiClient) -> None:
    """The panel queue, the rec-test context and app_mixmonitor, loaded if missing."""
    if _has_queue(ami, "panel") and _has_context(ami, "rec-test") and \
            ami.action("ModuleCheck", {"Module": "app_mixmonitor"}).get("Response") == "Success":
        return
    etc = control.root_dir() / "etc/asterisk"
    for name in ("queues.conf", "extensions.conf", "modules.conf"):
        shutil.copyfile(control.ETC_DIR / name, etc / name)
    ami.action("ModuleLoad", {"LoadType": "load", "Module": "app_mixmonitor.so"})
    ami.action("ModuleLoad", {"LoadType": "reload", "Module": "app_queue.so"})
    ami.action("ModuleLoad", {"LoadType": "reload", "Module": "pbx_config.so"})
    assert _has_queue(ami, "panel"), "queue 'panel' did not load"
    assert _has_context(ami, "rec-test"), "context 'rec-test' did not load"
