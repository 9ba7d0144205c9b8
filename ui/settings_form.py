"""What the settings dialog asks and how it checks the answers (pure, no Tk).

Each :class:`Field` maps one dotted setting (``ami.port``) to a kind of input; `validate`
turns the texts/flags typed into typed nested sections, or errors naming the field. Labels
and number ranges come from callcore (``setting_labels``, ``number_range``): the dialog and
the settings file's errors name a field the same way and accept the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from callcore.i18n import LANGUAGES, _
from callcore.settings_schema import DEFAULTS, number_range
from callcore.settings_labels import setting_label
from callcore.pbxes import format_pbx_lines, parse_pbx_lines

TECHNOLOGIES = ("PJSIP", "SIP", "IAX2")


@dataclass(frozen=True)
class Field:
    section: str
    key: str
    kind: str                    # text, secret, int, float, bool, choice, folder, file, lines
    page: str
    required: bool = False
    choices: tuple[str, ...] = ()
    first_run: bool = True       # asked by the first-run dialog (others: settings dialog only)
    hint: str = ""
    choice_labels: tuple[str, ...] = ()   # what the list shows for each choice (else the choice)

    def shown_choices(self) -> tuple[str, ...]:
        return self.choice_labels or self.choices

    def choice_for(self, text: str) -> str:
        """The stored value for what the list shows (a label or the value itself)."""
        labels = dict(zip(self.choice_labels, self.choices))
        return labels.get(text, text)

    def label_for(self, value: str) -> str:
        return dict(zip(self.choices, self.choice_labels)).get(value, value)

    @property
    def dotted(self) -> str:
        """``ami.port``; a whole free-form section (``lines``) is just its name."""
        return f"{self.section}.{self.key}" if self.key else self.section

    @property
    def label(self) -> str:
        return setting_label(self.dotted)

    @property
    def low(self) -> int | None:
        limits = number_range(self.dotted)
        return int(limits[0]) if limits else None

    @property
    def high(self) -> int | None:
        limits = number_range(self.dotted)
        return int(limits[1]) if limits else None


THEMES = ("flatly", "litera", "cosmo", "sandstone", "yeti", "darkly", "superhero")


def page_titles() -> dict[str, str]:
    return {"connection": _("Connection"), "station": _("Workstation"),
            "storage": _("Storage"), "calls": _("Calls & popups"), "lines": _("Lines"),
            "advanced": _("Advanced")}


def unplaced_settings() -> list[str]:
    """Settings (``section.key``; ``lines`` as a whole) the dialog has no field for. A
    setting added to callcore/settings_schema.py must get a field here (a test checks)."""
    placed = {f.dotted for f in fields()} | {f.section for f in fields()}
    missing = []
    for section, keys in DEFAULTS.items():
        if not keys:                              # a free mapping such as ``lines``
            if section not in placed:
                missing.append(section)
            continue
        missing.extend(f"{section}.{key}" for key in keys if f"{section}.{key}" not in placed)
    return missing


def fields() -> list[Field]:
    """Every field of the dialog, in display order (built on demand so labels translate)."""
    return [
        Field("ami", "host", "text", "connection", required=True,
              hint=_("Name or IP address of the PBX")),
        Field("ami", "port", "int", "connection", required=True,
              hint=_("5038, or 5039 with TLS")),
        Field("ami", "username", "text", "connection", required=True),
        Field("ami", "secret", "secret", "connection", hint=_("Kept on this computer only")),
        Field("ami", "tls", "bool", "connection"),
        Field("station", "extension", "text", "station", required=True,
              hint=_("The phone on this desk, e.g. 201")),
        Field("station", "technology", "choice", "station", required=True, choices=TECHNOLOGIES),
        Field("station", "context", "text", "station", required=True),
        Field("ui", "language", "choice", "station", choices=tuple(l.code for l in LANGUAGES),
              choice_labels=tuple(l.name for l in LANGUAGES),
              hint=_("Used from the next start of the program")),
        Field("dial", "outgoing_prefix", "text", "station",
              first_run=False, hint=_("e.g. 9; empty when none")),
        Field("dial", "international_prefix", "text", "station", first_run=False),
        Field("users", "passwords", "bool", "station", first_run=False,
              hint=_("Off: signing in only picks the user")),
        Field("users", "private_notes", "bool", "station", first_run=False,
              hint=_("Agents see only their own notes, supervisors their group's")),
        Field("office", "name", "text", "station", first_run=False,
              hint=_("Printed at the top of every report")),
        Field("console", "status_colours", "text", "calls", first_run=False,
              hint=_("e.g. missed=#c62828, answered=#2e7d32; empty = the usual colours")),
        Field("store", "shared_folder", "folder", "storage",
              hint=_("Office share or synced folder; empty = this computer only")),
        Field("store", "local_folder", "folder", "storage",
              hint=_("Empty = the default data folder")),
        Field("popup", "on_incoming", "bool", "calls", first_run=False),
        Field("popup", "on_outgoing", "bool", "calls", first_run=False),
        Field("popup", "silent", "bool", "calls", first_run=False),
        Field("popup", "bring_to_front", "bool", "calls", first_run=False),
        Field("notify", "seconds", "int", "calls",
              first_run=False, hint=_("0 = no notifications")),
        Field("popup", "auto_close_seconds", "int", "calls", first_run=False,
              hint=_("A popup with notes stays open; 0 = never")),
        Field("campaign", "countdown_seconds", "int", "calls", first_run=False,
              hint=_("Campaigns: the next number is dialled after this; 0 = at once")),
        Field("match", "digits", "int", "calls", first_run=False),
        Field("match", "min_length", "int", "calls", first_run=False),
        Field("match", "max_length", "int", "calls", first_run=False),
        Field("match", "similar", "bool", "calls", first_run=False),
        Field("pbxes", "", "pbxes", "connection", first_run=False,
              hint=_("Further PBXs, one a line: name=branch host=10.1.0.5 port=5038 "
                     "username=crm secret=… serves=3xx,4101")),
        Field("recordings", "folder", "folder", "storage", first_run=False,
              hint=_("Where the PBX saves call recordings (MixMonitor); empty = none")),
        Field("recordings", "file_pattern", "text", "storage", first_run=False,
              hint=_("e.g. {linkedid}.wav or {uniqueid}.wav")),
        Field("recordings", "url_pattern", "text", "storage", first_run=False,
              hint=_("Or an address, e.g. https://pbx/rec/{linkedid}.wav")),
        Field("queues", "joinable", "text", "calls", first_run=False,
              hint=_("Queue names, comma-separated; * = every queue; empty = none")),
        Field("lines", "", "lines", "lines", first_run=False,
              hint=_("One line per company number: 2101234567 = Sales — quote prices")),
        Field("ami", "timeout", "float", "advanced", first_run=False),
        Field("ami", "server", "text", "advanced", first_run=False,
              hint=_("Only when several offices share one call log")),
        Field("ami", "tls_verify", "bool", "advanced", first_run=False),
        Field("ami", "tls_ca", "file", "advanced", first_run=False,
              hint=_("A self-signed PBX certificate (.pem); empty = the system's")),
        Field("station", "id", "text", "advanced", first_run=False,
              hint=_("Empty = this computer's name; unique per workstation")),
        Field("station", "user", "text", "advanced", first_run=False,
              hint=_("Written on the calls of this workstation when nobody signs in")),
        Field("dial", "country_code", "text", "advanced", first_run=False, hint=_("e.g. 30")),
        Field("dial", "internal_length", "int", "advanced", first_run=False),
        Field("store", "sync_interval", "float", "advanced", first_run=False),
        Field("ui", "theme", "choice", "advanced", first_run=False, choices=THEMES,
              hint=_("Takes effect at the next start")),
        Field("ui", "autostart", "bool", "advanced", first_run=False),
    ]


def initial_value(field: Field, current: Mapping[str, Mapping[str, Any]] | None) -> Any:
    if field.kind == "pbxes":
        return format_pbx_lines((current or {}).get(field.section))
    if field.kind == "lines":
        notes = (current or {}).get(field.section) or {}
        return "\n".join(f"{did} = {note}" for did, note in notes.items())
    value = (current or {}).get(field.section, {}).get(field.key)
    if value is None:
        value = DEFAULTS.get(field.section, {}).get(field.key)
    if field.kind == "bool":
        return bool(value)
    if field.choice_labels:
        return field.label_for(str(value))
    return "" if value is None else str(value)


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
        elif field.kind == "pbxes":
            pbxes, problem = parse_pbx_lines(str(value))
            if problem:
                errors[field.dotted] = problem
            else:
                result[field.section] = pbxes  # type: ignore[assignment]
            continue
        elif field.kind == "lines":
            notes, problem = parse_line_notes(str(value))
            if problem:
                errors[field.dotted] = problem
            else:
                result[field.section] = notes
            continue
        else:
            text = str(value).strip() if field.kind != "secret" else str(value)
            if field.required and not text.strip():
                errors[field.dotted] = _("is required")
                continue
            if field.kind == "int":
                typed = int(text) if text.isascii() and text.isdigit() else None
                if typed is None or not field.low <= typed <= field.high:  # type: ignore[operator]
                    errors[field.dotted] = _("must be a whole number from {lo} to {hi}").format(
                        lo=field.low, hi=field.high)
                    continue
            elif field.kind == "float":
                try:
                    typed = float(text.replace(",", "."))
                except ValueError:
                    typed = float("nan")
                limits = number_range(field.dotted) or (0.0, float("inf"))
                if not limits[0] <= typed <= limits[1]:      # NaN fails both
                    errors[field.dotted] = _("must be a number from {lo:g} to {hi:g}").format(
                        lo=limits[0], hi=limits[1])
                    continue
            elif field.kind == "choice":
                text = field.choice_for(text)
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
        errors["match.min_length"] = _("must not be more than {other}").format(
            other=setting_label("match.max_length"))
    return result, errors


def parse_line_notes(text: str) -> tuple[dict[str, str], str]:
    """``2101234567 = Sales`` lines → {number: note}; an error naming the first bad line."""
    notes: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        did, sep, note = line.partition("=")
        if not sep or not did.strip():
            return {}, _("line {n}: write it as NUMBER = note").format(n=number)
        notes[did.strip()] = note.strip()
    return notes, ""
