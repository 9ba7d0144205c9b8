"""Several PBXs (SPEC AMI-4): the list in the settings, its checks, and which PBX serves
an extension. Pure (no I/O, no AMI), so the settings file, the settings dialog and the
connection pool (``callcore/ami/pool.py``) share one reading of it.

The ``ami.*`` section stays "the first PBX" (old settings files load unchanged); the
``pbxes`` list adds the others::

    "pbxes": [{"name": "branch", "host": "10.1.0.5", "port": 5038, "tls": false,
               "username": "crm", "secret": "…", "serves": ["3xx", "4101"]}]

``serves``: extensions (``4101``) or patterns where ``x`` is any digit (``3xx`` = 300–399)
and a trailing ``*`` is any rest (``31*``). An extension no other PBX serves belongs to
the first PBX.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from .i18n import _

_PATTERN = re.compile(r"^[0-9xX*#]*[0-9xX#]\*?$|^\*$")
_KEYS = ("name", "host", "port", "tls", "tls_ca", "tls_verify", "username", "secret", "serves")


class PbxListError(ValueError):
    """One entry of the list is wrong: ``index`` (0-based), ``key`` and the problem."""

    def __init__(self, index: int, key: str, problem: str, name: str = ""):
        self.index, self.key, self.problem, self.name = index, key, problem, name
        where = _("PBX {n}").format(n=index + 2) + (f" “{name}”" if name else "")
        super().__init__(_("{where}, {key}: {problem}").format(where=where, key=key, problem=problem))

    @property
    def field(self) -> str:
        return f"pbxes[{self.index}].{self.key}"


@dataclass(frozen=True)
class PbxSpec:
    """One PBX the workstation talks to. ``name`` is also its ``server`` in call ids."""

    name: str
    host: str
    port: int = 5038
    username: str = ""
    secret: str = ""
    tls: bool = False
    tls_ca: str = ""
    tls_verify: bool = True
    serves: tuple[str, ...] = ()

    def __repr__(self) -> str:   # never show the secret
        return f"PbxSpec({self.name!r}, {self.host}:{self.port}, serves={list(self.serves)})"

    def serves_extension(self, extension: str) -> bool:
        return any(pattern_matches(p, extension) for p in self.serves)


def pattern_matches(pattern: str, extension: str) -> bool:
    """``3xx`` matches 3 digits starting with 3; ``31*`` anything starting with 31."""
    if not extension:
        return False
    if pattern.endswith("*") and pattern != "*" or pattern == "*":
        head = pattern[:-1]
        return len(extension) >= len(head) and pattern_matches(head, extension[:len(head)]) if head else True
    if len(pattern) != len(extension):
        return False
    return all(p == e or (p in "xX" and e.isdigit()) for p, e in zip(pattern, extension))


def parse_pbx_list(value: Any, first_server: str = "") -> list[PbxSpec]:
    """The ``pbxes`` setting → specs; :class:`PbxListError` names the first wrong field."""
    if value in (None, {}, []):
        return []
    if not isinstance(value, list):
        raise PbxListError(-1, "pbxes", _("must be a list of PBXs"))
    specs: list[PbxSpec] = []
    names = {first_server} if first_server else set()
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise PbxListError(index, "", _("must be an object with name, host, username, …"))
        name = entry.get("name")
        shown = name if isinstance(name, str) else ""
        for key in entry:
            if key not in _KEYS and not str(key).startswith("_"):
                raise PbxListError(index, str(key), _("unknown setting (known: {known})").format(
                    known=", ".join(_KEYS)), shown)
        if not isinstance(name, str) or not name.strip():
            raise PbxListError(index, "name", _("is required (it tells the PBXs apart)"), shown)
        name = name.strip()
        if name in names:
            raise PbxListError(index, "name", _("{name!r} is used twice").format(name=name), shown)
        names.add(name)
        host = entry.get("host")
        if not isinstance(host, str) or not host.strip():
            raise PbxListError(index, "host", _("is required"), name)
        port = entry.get("port", 5038)
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise PbxListError(index, "port", _("must be a whole number from {lo} to {hi}, not {value}").format(
                lo=1, hi=65535, value=repr(port)[:40]), name)
        for key in ("tls", "tls_verify"):
            if key in entry and not isinstance(entry[key], bool):
                raise PbxListError(index, key, _("must be true or false, not {value}").format(
                    value=repr(entry[key])[:40]), name)
        for key in ("username", "secret", "tls_ca"):
            if key in entry and not isinstance(entry[key], str):
                raise PbxListError(index, key, _("must be text"), name)
        if not str(entry.get("username") or "").strip():
            raise PbxListError(index, "username", _("is required"), name)
        serves = entry.get("serves", [])
        if isinstance(serves, str):
            serves = [s for s in re.split(r"[,\s]+", serves) if s]
        if not isinstance(serves, list) or not all(isinstance(s, (str, int)) for s in serves):
            raise PbxListError(index, "serves", _("must be a list like [\"3xx\", \"4101\"]"), name)
        for pattern in serves:
            if not _PATTERN.match(str(pattern)):
                raise PbxListError(index, "serves", _("{value!r} is neither an extension nor a "
                                                      "pattern like 3xx or 31*").format(value=str(pattern)), name)
        specs.append(PbxSpec(name=name, host=host.strip(), port=port, username=entry["username"].strip(),
                             secret=entry.get("secret", ""), tls=entry.get("tls", False),
                             tls_ca=entry.get("tls_ca", ""), tls_verify=entry.get("tls_verify", True),
                             serves=tuple(str(s) for s in serves)))
    return specs


def server_for(extension: str, specs: Iterable[PbxSpec], first_server: str = "") -> str:
    """The name of the PBX serving ``extension``: the first listed PBX whose ``serves``
    matches, else the first PBX (``first_server``, the ``ami.*`` one)."""
    for spec in specs:
        if spec.serves_extension(extension):
            return spec.name
    return first_server


def format_pbx_lines(value: Any) -> str:
    """The list as the settings dialog shows it: one PBX a line, ``key=value`` words.
    The secret is shown (the dialog masks nothing in this box: it is the user's own file)."""
    lines = []
    for entry in value if isinstance(value, list) else []:
        words = []
        for key in _KEYS:
            if key not in entry:
                continue
            item = entry[key]
            if key == "serves":
                item = ",".join(str(s) for s in item) if isinstance(item, list) else item
            elif isinstance(item, bool):
                item = "yes" if item else "no"
            words.append(f"{key}={item}")
        lines.append(" ".join(words))
    return "\n".join(lines)


def parse_pbx_lines(text: str) -> tuple[list[dict[str, Any]], str]:
    """Dialog text (see :func:`format_pbx_lines`) → the list, or an error naming the line."""
    out: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        entry: dict[str, Any] = {}
        for word in line.split():
            key, sep, item = word.partition("=")
            if not sep or key not in _KEYS:
                return [], _("line {n}: write it as name=branch host=10.1.0.5 port=5038 username=crm "
                             "secret=… serves=3xx,4101 (not {word!r})").format(n=number, word=word)
            if key == "port":
                entry[key] = int(item) if item.isascii() and item.isdigit() else item
            elif key in ("tls", "tls_verify"):
                low = item.lower()
                entry[key] = True if low in ("yes", "true", "1", "on") else (
                    False if low in ("no", "false", "0", "off") else item)
            elif key == "serves":
                entry[key] = [s for s in item.split(",") if s]
            else:
                entry[key] = item
        out.append(entry)
    try:
        parse_pbx_list(out)
    except PbxListError as exc:
        return [], _("line {n}: {problem}").format(n=exc.index + 1, problem=f"{exc.key}: {exc.problem}")
    return out, ""
