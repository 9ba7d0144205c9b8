"""PDF reports (REP-1) as an administrator makes them, ``operator_app.py report KIND``, in a
real process against a real store; the PDFs are read back with pypdf and poppler."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.reports.helpers import NAMES, Contact, Phone, ScheduledCall, fill, make_calls, ok, run

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def pdftext(path: Path, first: int | None = None, last: int | None = None) -> list[str]:
    """The text of each page, as poppler reads it (one string per page)."""
    args = ["pdftotext", "-layout"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    out = subprocess.run(args + [str(path), "-"], capture_output=True, check=True).stdout.decode("utf-8")
    out = re.sub("[\u200e\u200f\u202a-\u202e]", "", out)        # bidi marks poppler adds
    return out.split("\f")[:-1]


def test_incoming_report_prints_names_in_every_script_with_header_pages_and_totals(office, tmp_path):
    calls = make_calls(600)
    fill(office, calls=calls)
    out = tmp_path / "incoming.pdf"
    printed = ok(run(office, "report", "incoming", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(out)))
    pages = pdftext(out)
    incoming = [c for c in calls if c.direction == "in"]
    assert printed.strip() == f"wrote {out} ({len(pages)} pages)"
    assert len(pages) > 2
    first = pages[0]
    assert "Γραφείο Αθηνών" in first and "Incoming calls" in first
    assert "Period: 2026-01-01 – 2026-01-31" in first
    for name in ("Γιώργος Μανουσάκης", "Иван Петров", "Jiří Dvořák", "Žofie Nováková"):
        assert name in "".join(pages)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert re.search(r"Started\s+Status\s+From\s+Contact", page), f"no table header on page {number}"
    assert "Пётр" in "".join(pages) and "Σοφία" in "".join(pages)
    everything = "".join(pages)
    assert f"Total: {len(incoming)} rows" in everything
    answered = sum(1 for c in incoming if c.status in ("answered", "transferred"))
    assert re.search(rf"Answered\s+{answered} \({round(100 * answered / len(incoming))}%\)", everything)
    talk = int(sum(c.talk_seconds for c in incoming))
    assert f"{talk // 3600}:{talk % 3600 // 60:02d}:{talk % 60:02d}" in everything
    # only incoming calls: no outgoing number "to" column values of outgoing rows
    assert "6900000002" not in everything and "6900000000" in everything


def test_persian_is_shaped_right_to_left_and_fonts_are_embedded(office, tmp_path):
    fill(office, calls=make_calls(20))
    out = tmp_path / "in.pdf"
    ok(run(office, "report", "incoming", "--text", "رضا", "--out", str(out)))
    text = "".join(pdftext(out))
    # Read back in logical order: unshaped left-to-right drawing reads back as "یدمحا اضر".
    assert "رضا احمدی" in text
    assert "Filters: text: رضا" in text
    assert "Иван" not in text                     # the text filter applies
    fonts = set()
    for page in PdfReader(str(out)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, "font not embedded"
            fonts.add(str(font["/BaseFont"]))
    assert any("DejaVuSans" in f for f in fonts)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
                       check=True)
        assert list(tmp_path.glob("page*.png"))


@pytest.mark.parametrize("kind,title,expect,absent", [
    ("outgoing", "Outgoing calls", "6900000002", "6900000000"),
    ("internal", "Internal calls", "6900000003", "6900000002"),
    ("transferred", "Transferred calls", "6900000004", "6900000002"),
])
def test_call_kinds_list_only_their_calls(office, tmp_path, kind, title, expect, absent):
    fill(office, calls=make_calls(40))
    out = tmp_path / f"{kind}.pdf"
    ok(run(office, "report", kind, "--out", str(out)))
    text = "".join(pdftext(out))
    assert title in text and expect in text and absent not in text
    assert "Page 1 of 1" in text


def test_filters_by_user_status_and_extension(office, tmp_path):
    calls = make_calls(120)
    fill(office, calls=calls)
    out = tmp_path / "f.pdf"
    ok(run(office, "report", "incoming", "--user", "Σοφία", "--status", "answered,transferred",
           "--extension", "201", "--out", str(out)))
    text = "".join(pdftext(out))
    expected = [c for c in calls if c.direction == "in" and c.user == "Σοφία" and c.extension == "201"
                and c.status in ("answered", "transferred")]
    assert expected and f"Total: {len(expected)} rows" in text
    assert "Filters: status: answered, transferred; user: Σοφία; extension: 201" in text


def test_scheduled_and_other_contacts_reports(office, tmp_path):
    now = datetime(2026, 1, 10, 9, 0)
    items = [ScheduledCall(number=f"21000000{i:02d}", due_at=(now + timedelta(hours=i)).isoformat() + "+00:00",
                           contact_name=NAMES[i % 5], assigned_user="anna", notes="κάλεσε πίσω",
                           status="done" if i % 3 == 0 else "open") for i in range(12)]
    contacts = [Contact(name="Jiří Dvořák", type="other", city="Praha", phones=[Phone("602123456", "mobile")]),
                Contact(name="Μαρία Κ.", type="other", city="Αθήνα", phones=[Phone("2101111111", "home")]),
                Contact(name="Customer Ltd", type="customer", phones=[Phone("2102222222")])]
    fill(office, scheduled=items, contacts=contacts)
    out = tmp_path / "s.pdf"
    ok(run(office, "report", "scheduled", "--from", "2026-01-10", "--to", "2026-01-10", "--out", str(out)))
    text = "".join(pdftext(out))
    assert "Scheduled calls" in text and "κάλεσε πίσω" in text and "Žofie Nováková" in text
    assert re.search(r"Open\s+8", text) and re.search(r"Done\s+4", text)
    out = tmp_path / "c.pdf"
    ok(run(office, "report", "contacts", "--out", str(out)))
    text = "".join(pdftext(out))
    assert "Other contacts" in text and "Jiří Dvořák" in text and "Μαρία Κ." in text and "Praha" in text
    assert "Customer Ltd" not in text and "Total: 2 rows" in text


def test_statistics_report_has_charts_and_per_operator_totals(office, tmp_path):
    calls = make_calls(300)
    fill(office, calls=calls)
    out = tmp_path / "stats.pdf"
    ok(run(office, "report", "statistics", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(out)))
    reader = PdfReader(str(out))
    images = sum(len(page.images) for page in reader.pages)
    assert images == 5                                  # per day, per hour, rates, operators, contacts
    text = "".join(pdftext(out))
    assert "Call statistics" in text and re.search(r"Calls\s+300", text)
    assert "Per operator" in text and "Contacts with the most talk time" in text
    anna = [c for c in calls if c.user == "anna"]
    assert re.search(rf"anna\s+{len(anna)}\s+", text)


@pytest.mark.parametrize("args,message", [
    (["incoming", "--from", "2026-13-01", "--out", "r.pdf"], "--from: not a date (YYYY-MM-DD): '2026-13-01'"),
    (["incoming", "--from", "2026-02-01", "--to", "2026-01-01", "--out", "r.pdf"], "--from must be before --to"),
    (["incoming", "--out", "r.txt"], "--out: the file name must end in .pdf: r.txt"),
    (["incoming", "--out", "missing/r.pdf"], "--out: the folder missing does not exist"),
    (["incoming", "--direction", "sideways", "--out", "r.pdf"], "--direction: 'sideways' is not one of in, out, internal"),
    (["scheduled", "--status", "answered", "--out", "r.pdf"], "--status: 'answered' is not one of open, done, cancelled"),
])
def test_bad_input_exits_2_with_a_sentence(office, args, message):
    proc = run(office, "report", *args)
    assert proc.returncode == 2
    assert proc.stderr.decode("utf-8").strip().splitlines()[-1] == message
    assert not (office.parent / "r.pdf").exists()


def test_unknown_kind_is_refused(office):
    proc = run(office, "report", "weekly", "--out", "r.pdf")
    assert proc.returncode == 2 and "invalid choice: 'weekly'" in proc.stderr.decode("utf-8")
