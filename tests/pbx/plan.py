"""The extension plan of the test PBX, in one place (pjsip.conf and docs/pbx.md match it)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
SIPP_DIR = HERE / "sipp"

AMI_HOST = "127.0.0.1"
AMI_PORT = 5038
AMI_TLS_PORT = 5039
AMI_USER = "test"
AMI_SECRET = "test"
SIP_PORT = 5060

MAIN_DID = "2101234567"       # main line -> 201
QUEUE_DID = "2101234500"      # ring-all queue "support" (202 + 203)
QUEUE_NAME = "support"
DIRECT_DID_PREFIX = "210123420"  # 21012342NN -> extension 20N
OUTGOING_PREFIX = "0"
TRUNK_ANSWERS = "6912345678"  # answers after 1 s
TRUNK_NO_ANSWER = "2212345678"  # rings forever
TRUNK_BUSY = "2312345678"     # busy


@dataclass(frozen=True)
class Phone:
    """One PJSIP endpoint and the sipp UAS that plays it."""

    extension: str
    name: str
    behaviour: str
    scenario: Optional[str]   # sipp scenario file in tests/pbx/sipp, None = no phone

    @property
    def sip_port(self) -> int:
        return 5000 + int(self.extension)

    @property
    def media_port(self) -> int:
        return 16000 + 10 * (int(self.extension) - 200)

    @property
    def device(self) -> str:
        return f"PJSIP/{self.extension}"


PHONES = [
    Phone("201", "Anna Operator", "rings, answers after 2 s", "uas_answer_2s.xml"),
    Phone("202", "Petra Nováková", "answers at once", "uas_answer_now.xml"),
    Phone("203", "Karel Dvořák", "rings, never answers", "uas_ring_forever.xml"),
    Phone("204", "Busy Line", "486 Busy Here", "uas_busy.xml"),
    Phone("205", "Νίκος Παπαδόπουλος", "answers at once", "uas_answer_now.xml"),
    Phone("206", "Late Phone", "rings, answers after 6 s", "uas_answer_6s.xml"),
    Phone("207", "Hold Phone", "answers at once, holds after 2 s, resumes 3 s later",
          "uas_hold.xml"),
    Phone("209", "Unplugged Phone", "no contact: CHANUNAVAIL", None),
]


def phone(extension: str) -> Phone:
    for p in PHONES:
        if p.extension == extension:
            return p
    raise KeyError(extension)


def direct_did(extension: str) -> str:
    """The DID that rings one extension directly (e.g. 203 -> 2101234203)."""
    return "2101234" + extension
