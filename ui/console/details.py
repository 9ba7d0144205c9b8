"""The details pane's text (CON-4): type, name, number, line, notes, the transfer legs
(from whom, to whom, with what note), who handled it, times, ring and talk time, the
activity and the scheduled call linked to it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from callcore.console_query import ConsoleRow, direction_label, status_label
from callcore.i18n import _


def _time(iso: str | None) -> str:
    if not iso:
        return "–"
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


def _seconds(value: float) -> str:
    value = int(round(value or 0))
    return f"{value // 60}:{value % 60:02d}"


def contact_type_label(kind: str) -> str:
    return {"customer": _("customer"), "supplier": _("supplier"), "contact_person": _("contact person"),
            "other": _("other contact"), "internal": _("internal")}.get(kind, kind or "–")


def details_text(details: Any, row: ConsoleRow) -> str:
    call = details.record
    lines = [
        f"{_('Type')}: {direction_label(call.direction)} · {status_label(row.status)}",
        f"{_('Name')}: {call.contact_name or call.caller_name or '–'}",
        f"{_('Contact type')}: {contact_type_label(details.contact_type)}",
    ]
    if details.company:
        lines.append(f"{_('Company')}: {details.company}")
    lines += [
        f"{_('Number')}: {row.number or '–'}",
        f"{_('Line / DID')}: {call.called_number if call.direction == 'in' else call.caller_number or '–'}",
        f"{_('Handled by')}: {call.user or '–'} ({_('ext.')} {call.extension or '–'})",
        f"{_('Due') if row.status == 'scheduled' else _('Started')}: {_time(call.started_at)}",
        f"{_('Answered')}: {_time(call.answered_at)}",
        f"{_('Ended')}: {_time(call.ended_at)}",
        f"{_('Ring time')}: {_seconds(call.ring_seconds)} · {_('Talk time')}: {_seconds(call.talk_seconds)}",
        f"{_('Notes')}: {call.notes or '–'}",
    ]
    if call.transferred_to or call.transferred_from or len(details.legs) > 1:
        lines.append("")
        lines.append(_("Transfer"))
        legs = details.legs or [call]
        for leg in legs:
            frm = leg.transferred_from or "–"
            to = leg.transferred_to or "–"
            lines.append("  " + _("{user} (ext. {ext}): from {frm} to {to}").format(
                user=leg.user or "–", ext=leg.extension or "–", frm=frm, to=to))
            if leg.transfer_note:
                lines.append("    " + _("Transfer note: {note}").format(note=leg.transfer_note))
    if details.activity is not None:
        lines.append("")
        lines.append(_("Activity: {subject} ({status})").format(
            subject=details.activity.subject, status=_("done") if details.activity.done else _("open")))
    if details.scheduled is not None:
        lines.append(_("Scheduled call: {due} {user} ({status})").format(
            due=_time(details.scheduled.due_at), user=details.scheduled.assigned_user,
            status=details.scheduled.status))
    if details.deleted:
        lines.append(_("Deleted from the console."))
    return "\n".join(lines)
