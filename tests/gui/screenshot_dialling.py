"""Screenshots of the dial pad, the directory, a contact card, "add to contact" and the
popup of an unknown caller, with Greek/Cyrillic/Czech data.

    python tests/gui/screenshot_dialling.py [OUTPUT_DIR]      (default docs/screenshots)
"""
from __future__ import annotations

import dataclasses
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.gui.screenshot import ensure_display, grab  # noqa: E402


def settle(root, pump=None, seconds: float = 0.6) -> None:
    end = time.time() + seconds
    while time.time() < end:
        if pump is not None:
            pump.drain()
        root.update()
        time.sleep(0.03)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    xvfb = ensure_display()
    try:
        from callcore.app.hub import EventHub
        from callcore.events import ConnectionStateChanged
        from tests.gui.contacts_fake import FakeContacts, FakeDial, contact_calls, directory_people
        from tests.gui.fakes import FakeServices, ringing, sample_log
        from tests.gui.test_dialling_windows import Speed
        from tests.gui.test_dialpad import Entry
        from ui.app import OperatorUi
        from ui.ports import UiPorts

        people = directory_people()
        contacts = FakeContacts(people, calls={people[0].id: contact_calls()})
        speed = Speed()
        speed.slots.update({2: Entry(2, "Jiří Dvořák", "+420 602 111 222"),
                            4: Entry(4, "Ελληνικά Έπιπλα Α.Ε.", "2310 555 123"),
                            5: Entry(5, "Анна Смирнова", "+7 495 765 4321"),
                            7: Entry(7, "Τεχνική υποστήριξη", "2109998877")})
        services = FakeServices(contacts=people, calls_log=sample_log())
        ports = dataclasses.replace(UiPorts.of(services, events=EventHub()), contacts=contacts,
                                    dial=FakeDial(), dial_pad=speed, speed_dial=speed)
        ui = OperatorUi(ports, notify_backend=None)
        root = ui.root
        ui.start()
        root.geometry("900x470+10+10")
        ui.ui_event(ConnectionStateChanged("connected"))

        pad = ui.dialling.open_dial_pad()
        pad.geometry("+20+20")
        pad.number_var.set("+30 210 123")
        pad.show_message("Letters cannot be dialled: type digits, * or # (a + only first)",
                                             "#d62c2c")
        settle(root)
        grab(pad, out / "dial-pad.png")
        pad.close()

        directory = ui.dialling.open_directory()
        directory.geometry("+20+20")
        directory.search_var.set("παπα")
        contacts.save(dataclasses.replace(people[1], id="x1", name="Παπαδάκης Νικόλαος", type="supplier",
                                          company="Ελληνικά Έπιπλα Α.Ε."))
        contacts.save(dataclasses.replace(people[3], id="x2", name="Παπαγεωργίου Ελένη", type="other"))
        directory.refresh()
        settle(root)
        grab(directory, out / "directory.png")
        directory.search_var.set("nov")
        directory.choose_type(5)
        settle(root)
        grab(directory, out / "directory-colleagues.png")
        directory.close()

        card = ui.dialling.open_card(people[0].id)
        card.geometry("+20+20")
        settle(root, ui.pump, 1.0)
        grab(card, out / "contact-card.png")
        card.field_vars["name"].set("")
        card.save()
        settle(root)
        grab(card, out / "contact-card-error.png")
        card._snapshot = card._collect().to_dict()
        card.close()

        ui.ui_event(ringing("L9", "6977 123 456", name="", line="2101234500"))
        popup = ui.popups["L9"]
        popup.geometry("+20+20")
        settle(root, ui.pump, 1.0)
        grab(popup, out / "popup-unknown-caller.png")
        ui.dialling.add_to_contact("6977 123 456")
        picker = ui.dialling.directory
        picker.search_var.set("γιωργος")
        settle(root)
        picker.enter()
        dialog = ui.dialling.add_dialog
        dialog.geometry("+40+80")
        dialog.label_var.set("work")
        settle(root)
        grab(dialog, out / "add-to-contact.png")
        dialog.close()
        ui.close()
    finally:
        if xvfb is not None:
            xvfb.terminate()
    return 0


if __name__ == "__main__":
    if shutil.which("import") is None:
        sys.exit("ImageMagick 'import' is not installed")
    sys.exit(main())
