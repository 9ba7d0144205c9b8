"""Phone number normalisation for matching callers to contacts (SPEC POP-2).

The same number reaches us in many shapes: ``+30 210 6877610`` typed in a contact card,
``00302106877610`` from a trunk, ``9 210 6877610`` dialled through an outgoing-line
prefix, ``۲۱۰۶۸۷۷۶۱۰`` in Persian digits. :func:`normalize` reduces each to digits with the
configured prefixes and home country code removed; :func:`match_key` then keeps the last
N digits, which is what two numbers are compared on.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

_NON_DIGIT = re.compile(r"\D")          # in str patterns \d is every Unicode decimal digit
_LEADING_PLUS = re.compile(r"[\s(\[]*[+\uff0b\ufe62]")
# An extension written after a number ("2101234567 ext 12", "x12", "εσωτ. 12", "доб. 12",
# "kl. 12"): not part of what the caller's number shows, so not compared.
_EXTENSION = re.compile(r"(?:ext|extension|x|#|εσωτ|доб|kl|klapka|linka)\.?\s*\d+\s*$",
                        re.IGNORECASE)


def ascii_digits(text: str) -> str:
    """The decimal digits of ``text`` as ASCII, in order; everything else dropped.

    Most numbers are ASCII with a few usual separators: those are answered with
    ``isdigit``/``replace`` (about twice as fast as the regex, which matters when a
    directory load normalises 300,000 phones); anything else goes through the regex."""
    if text.isascii():  # O(1); isdigit alone would also accept e.g. superscript digits
        if not text.isdigit():
            text = (text.replace(" ", "").replace("-", "").replace("(", "").replace(")", "")
                    .replace("+", ""))
            if not text.isdigit():
                text = _NON_DIGIT.sub("", _EXTENSION.sub("", text))
        return text
    digits = _NON_DIGIT.sub("", _EXTENSION.sub("", text))
    if not digits.isascii():
        digits = "".join(str(unicodedata.decimal(ch)) for ch in digits)
    return digits


def _digits_setting(value: Any) -> str:
    """A prefix setting as digits only (``"+30"`` and ``"30"`` mean the same)."""
    return ascii_digits(str(value or ""))


@dataclass(frozen=True)
class MatchRules:
    """How numbers are compared: the ``match.*`` and ``dial.*`` settings.

    ``digits``: compare on the last N digits. ``min_length``/``max_length``: numbers
    outside this length after normalisation are not matched at all. ``similar``: also
    report numbers that differ only in the last digit. ``outgoing_prefix`` (e.g. ``9``)
    is stripped only from numbers longer than ``internal_length`` (so extension 901
    stays 901); ``international_prefix`` (``00``) and ``country_code`` (``30``) are
    stripped so international and national forms compare equal.
    """

    digits: int = 10
    min_length: int = 4
    max_length: int = 20
    similar: bool = False
    outgoing_prefix: str = ""
    international_prefix: str = "00"
    country_code: str = ""
    internal_length: int = 3

    def __post_init__(self) -> None:
        for name in ("outgoing_prefix", "international_prefix", "country_code"):
            object.__setattr__(self, name, _digits_setting(getattr(self, name)))
        if self.digits < 1:
            raise ValueError("match.digits must be 1 or more")

    @classmethod
    def from_settings(cls, settings: Any) -> "MatchRules":
        """Read the rules from a :class:`callcore.settings.Settings`."""
        return cls(
            digits=int(settings.get("match.digits")),
            min_length=int(settings.get("match.min_length")),
            max_length=int(settings.get("match.max_length")),
            similar=bool(settings.get("match.similar")),
            outgoing_prefix=settings.get("dial.outgoing_prefix"),
            international_prefix=settings.get("dial.international_prefix"),
            country_code=settings.get("dial.country_code"),
            internal_length=int(settings.get("dial.internal_length")),
        )


def normalize(number: str, rules: MatchRules, digits: str | None = None) -> str | None:
    """``number`` as comparable digits, or None when it has no digits or its length
    (after stripping prefixes) is outside ``rules.min_length..rules.max_length``.
    ``digits`` may pass ``ascii_digits(number)`` when the caller already has it."""
    digits = strip_prefixes(number, rules, digits)
    if not digits or not rules.min_length <= len(digits) <= rules.max_length:
        return None
    return digits


def strip_prefixes(number: str, rules: MatchRules, digits: str | None = None) -> str:
    """The digits of ``number`` without outgoing/international prefix and home country
    code, whatever their length (also used for partly typed numbers in search)."""
    if digits is None:
        # Plain ASCII digits (most stored numbers) are their own digits: skip the call.
        digits = number if number.isascii() and number.isdigit() else ascii_digits(number)
    if not digits:
        return ""
    # A number starting with a digit cannot start with "+": skip the regex then.
    international = not number[:1].isdigit() and _LEADING_PLUS.match(number) is not None
    if not international:
        outgoing, intl = rules.outgoing_prefix, rules.international_prefix
        if outgoing and len(digits) > rules.internal_length and digits.startswith(outgoing):
            rest = digits[len(outgoing):]
            # With outgoing "0" and international "00", "0030…" is an international
            # number, "00030…" is the outgoing line plus an international number.
            if not (intl and digits.startswith(intl) and not rest.startswith(intl)):
                digits = rest
        if intl and digits.startswith(intl):
            digits = digits[len(intl):]
            international = True
    country = rules.country_code
    # A bare country code (no + or 00) is only taken off a number too long to be national.
    if country and digits.startswith(country) and (international or len(digits) > rules.digits):
        digits = digits[len(country):]
    return digits


def match_key(normalized: str, rules: MatchRules) -> str:
    """The part two numbers are compared on: the last ``rules.digits`` digits."""
    return normalized[-rules.digits:]


def common_suffix_length(a: str, b: str) -> int:
    """How many trailing digits ``a`` and ``b`` share (ranks a fuller match higher)."""
    count = 0
    for x, y in zip(reversed(a), reversed(b)):
        if x != y:
            break
        count += 1
    return count
