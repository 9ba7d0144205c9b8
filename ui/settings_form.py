"""What the settings dialog asks and how it checks the answers (pure, no Tk).

Each :class:`Field` maps one dotted setting (``ami.port``) to a kind of input; `validate`
turns the texts/flags typed into typed nested sections, or errors naming the field.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from callcore.i18n import _

TECHNOLOGIES = ("PJSIP", "SIP", "IAX2")


@dataclass(frozen=True)
class Field:
    section: str
    key: str
    label: str
    kind: str                    # text, secret, int, bool, choice, folder
    page: str
    required: bool = False
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()
    first_run: bool = True       # asked by the first-run dialog (others: settings dialog only)
    hint: str = ""

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.key}"


def page_titles() -> dict[str, str]:
    return {"connection": _("Connection"), "station": _("Workstation"),
            "storage": _("Storage"), "calls": _("Calls & popups")}


def fields() -> list[Field]:
    """Every field of the dialog, in display order (built on demand so labels translate)."""
    return [
        Field("ami", "host", _("Asterisk host"), "text", "connection", required=True,
              hint=_("Name or IP address of the PBX")),
        Field("ami", "port", _("AMI port"), "int", "connection", required=True, low=1, high=65535,
              hint=_("5038, or 5039 with TLS")),
        Field("ami", "username", _("AMI username"), "text", "connection", required=True),
        Field("ami", "secret", _("AMI secret"), "secret", "connection",
              hint=_("Kept on this computer only")),
        Field("ami", "tls", _("Use TLS"), "bool", "connection"),
        Field("station", "extension", _("Extension"), "text", "station", required=True,
              hint=_("The phone on this desk, e.g. 201")),
        Field("station", "technology", _("Technology"), "choice", "station", required=True,
              choices=TECHNOLOGIES),
        Field("station", "context", _("Dial context"), "text", "station", required=True),
        Field("dial", "outgoing_prefix", _("Outside line prefix"), "text", "station",
              first_run=False, hint=_("e.g. 9; empty when none")),
        Field("dial", "international_prefix", _("International prefix"), "text", "station",
              first_run=False),
        Field("store", "shared_folder", _("Shared folder"), "folder", "storage",
              hint=_("Office share or synced folder; empty = this computer only")),
        Field("store", "local_folder", _("Local folder"), "folder", "storage",
              hint=_("Empty = the default data folder")),
        Field("popup", "on_incoming", _("Popup on incoming calls"), "bool", "calls", first_run=False),
        Field("popup", "on_outgoing", _("Popup on outgoing calls"), "bool", "calls", first_run=False),
        Field("popup", "silent", _("Silent: open popups minimised"), "bool", "calls", first_run=False),
        Field("popup", "bring_to_front", _("Bring the window to the front"), "bool", "calls",
              first_run=False),
        Field("notify", "seconds", _("Notification seconds"), "int", "calls", low=0, high=3600,
              first_run=False, hint=_("0 = no notifications")),
        Field("match", "digits", _("Compare last digits"), "int", "calls", low=4, high=20,
              first_run=False),
        Field("match", "min_length", _("Shortest outside number"), "int", "calls", low=0, high=40,
              first_run=False),
        Field("match", "max_length", _("Longest number"), "int", "calls", low=1, high=40,
              first_run=False),
        Field("match", "similar", _("Also match similar numbers (last digit differs)"), "bool",
              "calls", first_run=False),
    ]


def initial_value(field: Field, current: Mapping[str, Mapping[str, Any]] | None) -> Any:
    value = (current or {}).get(field.section, {}).get(field.key)
    if field.kind == "bool":
        return bool(value)
    if value is None:
        defaults = {"ami.port": "5038", "ami.host": "127.0.0.1", "station.technology": "PJSIP",
                    "station.context": "from-internal", "notify.seconds": "10",
                    "match.digits": "10", "match.min_length": "4", "match.max_length": "20"}
        return defaults.get(field.dotted, "")
    return str(value)


def validate(raw: Mapping[str, Any], first_run: bool = False
             ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """``raw`` maps dotted keys to what the widgets hold. Returns (sections, errors by
    dotted key); sections hold typed values and are complete only when errors is empty."""
    result: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    for field in fields():
        if first_run and not field.first_run:
            continue
        if field.dotted not in raw:
            continue
        value = raw[field.dotted]
        if field.kind == "bool":
            typed: Any = bool(value)
        else:
            text = str(value).strip() if field.kind != "secret" else str(value)
            if field.required and not text.strip():
                errors[field.dotted] = _("is required")
                continue
            if field.kind == "int":
                if not text.isdigit():
                    errors[field.dotted] = _("must be a whole number from {lo} to {hi}").format(
                        lo=field.low, hi=field.high)
                    continue
                typed = int(text)
                if not field.low <= typed <= field.high:  # type: ignore[operator]
                    errors[field.dotted] = _("must be a whole number from {lo} to {hi}").format(
                        lo=field.low, hi=field.high)
                    continue
            elif field.kind == "choice":
                if text not in field.choices:
                    errors[field.dotted] = _("must be one of {values}").format(
                        values=", ".join(field.choices))
                    continue
                typed = text
            else:
                typed = text
            if field.dotted == "station.extension" and not text.replace("*", "").replace("#", "").isalnum():
                errors[field.dotted] = _("must be letters and digits only, like 201")
                continue
        result.setdefault(field.section, {})[field.key] = typed
    match = result.get("match", {})
    if ("min_length" in match and "max_length" in match and match["min_length"] > match["max_length"]
            and "match.min_length" not in errors):
        errors["match.min_length"] = _("must not be more than the longest number")
    return result, errors
