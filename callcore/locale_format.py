"""Dates, times, durations and numbers as the chosen UI language writes them (Babel/CLDR).

English keeps the program's own compact forms (``14:05``, ``3.3. 14:05``, ``1,234``) so
nothing changes for English users; Greek, Russian, Czech and Persian get their locale's
month names, separators and digit grouping. Times are 24-hour everywhere: call logs are
read at a glance, and a 24-hour clock is what the PBX and the reports show.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from .i18n import active_language

_ENGLISH = "en"


@lru_cache(maxsize=16)
def _locale(lang: str):
    from babel import Locale
    return Locale.parse(lang)


def _lang(lang: str | None) -> str:
    return lang or active_language()


def format_number(value: int | float, lang: str | None = None) -> str:
    """``12345`` → ``12,345`` (en), ``12.345`` (el), ``12 345`` (ru, cs)."""
    code = _lang(lang)
    if code == _ENGLISH:
        return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    from babel.numbers import format_decimal
    return format_decimal(value, locale=_locale(code))


def format_time(moment: datetime, lang: str | None = None) -> str:
    """Hours and minutes, 24-hour: ``14:05``."""
    code = _lang(lang)
    if code == _ENGLISH:
        return moment.strftime("%H:%M")
    from babel.dates import format_skeleton
    return format_skeleton("Hm", moment, locale=_locale(code))


def format_day(moment: date, lang: str | None = None, *, year: bool = False,
               english: str | None = None) -> str:
    """A day: ``3 Mar`` style in the locale (``3 Μαρ``, ``3 мар.``, ``3. 3.``), with the
    year when asked. English keeps the caller's own pattern (``english``, a strftime
    pattern; default ``03.03.2026`` / ``03.03.``)."""
    code = _lang(lang)
    if code == _ENGLISH:
        return moment.strftime(english or ("%d.%m.%Y" if year else "%d.%m."))
    from babel.dates import format_skeleton
    return format_skeleton("yMMMd" if year else "MMMd", moment, locale=_locale(code))


def format_datetime(moment: datetime, lang: str | None = None, *, year: bool = True,
                    english: str | None = None) -> str:
    """A day and a time: ``03.03.2026 14:05`` (en; or the caller's ``english`` pattern),
    ``3 Μαρ 2026 14:05`` (el)."""
    code = _lang(lang)
    if code == _ENGLISH:
        return moment.strftime(english or ("%d.%m.%Y %H:%M" if year else "%d.%m. %H:%M"))
    return f"{format_day(moment, code, year=year)} {format_time(moment, code)}"


def format_duration(seconds: float, lang: str | None = None) -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` above; never negative. Clock digits are the
    same in every supported locale; only the digits themselves would change (none of
    the shipped locales uses other digits by default), so this stays one fast path."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
