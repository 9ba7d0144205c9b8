"""The settings dialog names a field with the same label settings errors use, and offers
popup.auto_close_seconds (issue 6 items 2-3)."""
from __future__ import annotations

from callcore.settings import SettingsError, settings_from_dict


def texts(widget) -> list[str]:
    out = []
    for child in widget.winfo_children():
        try:
            out.append(str(child.cget("text")))
        except Exception:
            pass
        out.extend(texts(child))
    return out


def test_dialog_labels_match_settings_errors_and_offer_auto_close(root):
    from ui.first_run import SettingsDialog
    dialog = SettingsDialog(root, {"ami": {"host": "h", "port": 5038, "username": "u"},
                                   "station": {"extension": "201"}})
    try:
        assert dialog.variables["popup.auto_close_seconds"].get() == "30"
        assert dialog.variables["popup.on_incoming"].get() is True      # the real default
        try:
            settings_from_dict({"match": {"digits": 99}})
        except SettingsError as exc:
            file_label = exc.label
        assert file_label in texts(dialog)                                # "Compare last digits"
        dialog.set_value("match.digits", "99")
        dialog.set_value("popup.auto_close_seconds", "soon")
        dialog.submit()
        assert dialog.result is None
        assert dialog.error_labels["match.digits"].cget("text") == (
            file_label + ": must be a whole number from 4 to 20")
        assert dialog.error_labels["popup.auto_close_seconds"].cget("text") == (
            "Close an ended call's popup after (seconds): must be a whole number from 0 to 86400")
        dialog.set_value("match.digits", "10")
        dialog.set_value("popup.auto_close_seconds", "0")
        dialog.submit()
        assert dialog.result["popup"]["auto_close_seconds"] == 0
    finally:
        if dialog.winfo_exists():
            dialog.destroy()
