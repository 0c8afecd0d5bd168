# SPDX-License-Identifier: GPL-3.0-or-later
"""The 837P professional claim (ASC X12 005010X222A1) from the claim interchange format.

One interchange (ISA/IEA) with one functional group (GS/GE) holding one transaction
(ST/SE): submitter and receiver, the billing provider (2010AA), the subscriber who is
the patient (2000B/2010BA) and the payer (2010BB), the claim (CLM, HI with ABK then ABF),
the rendering provider when it differs from the billing one (2310B), and the lines (LX,
SV1 with up to four modifiers and the diagnosis pointers, DTP*472). Text is reduced to
the X12 basic character set and the delimiters can never appear inside an element.
Control numbers come from the caller, who stores them so that they keep increasing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coderdesk.core.errors import UsageError
from coderdesk.core.rules.claim import PROGRAMS, address_parts

if TYPE_CHECKING:
    from coderdesk.core.rules.claim import Claim, ClaimLine

SEGMENT, ELEMENT, COMPONENT, REPETITION = "~", "*", ":", "^"
VERSION = "005010X222A1"
MAX_DIAGNOSES = 12
MAX_LINES = 50
_NOT_BASIC = re.compile(r"[^A-Z0-9 !\"&'()+,\-./;?=%@\[\]_{}\\|<>#$]")


@dataclass(frozen=True)
class Envelope:
    """Who sends, who receives, and this interchange's control numbers and time."""

    submitter_id: str
    submitter_name: str
    receiver_id: str
    receiver_name: str
    interchange_number: int
    group_number: int
    contact_phone: str = ""
    production: bool = False
    created: dt.datetime | None = None


def clean(text: object, limit: int = 60) -> str:
    """Upper case X12 basic characters only, delimiters removed, cut to `limit`."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(_NOT_BASIC.sub(" ", ascii_text.upper()).split())[:limit]


def _digits(text: object) -> str:
    return "".join(ch for ch in str(text) if ch.isdigit())


def _amount(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _name_parts(name: str) -> tuple[str, str]:
    last, _, first = str(name).partition(",")
    return clean(last, 60) or "UNKNOWN", clean(first, 35)


class _Segments:
    """Collects segments; empty trailing elements are dropped as X12 requires."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, *elements: str) -> None:
        values = list(elements)
        while values and values[-1] == "":
            values.pop()
        self.items.append(ELEMENT.join(values))


def _address(out: _Segments, address: object) -> None:
    line, city, state, postal = address_parts(address)
    out.add("N3", clean(line, 55) or "UNKNOWN")
    out.add("N4", clean(city, 30) or "UNKNOWN", clean(state, 2) or "XX", _digits(postal)[:9])


def build_837p(claim: Claim, envelope: Envelope) -> str:
    """The 837P file for one claim, segments separated by '~' and a newline."""
    _check(claim)
    when = envelope.created or dt.datetime.now()  # noqa: DTZ005 (the submitter's clock)
    out = _Segments()
    isa = f"{envelope.interchange_number:09d}"
    out.add(
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        clean(envelope.submitter_id, 15).ljust(15),
        "ZZ",
        clean(envelope.receiver_id, 15).ljust(15),
        f"{when:%y%m%d}",
        f"{when:%H%M}",
        REPETITION,
        "00501",
        isa,
        "0",
        "P" if envelope.production else "T",
        COMPONENT,
    )
    out.add(
        "GS",
        "HC",
        clean(envelope.submitter_id, 15),
        clean(envelope.receiver_id, 15),
        f"{when:%Y%m%d}",
        f"{when:%H%M}",
        str(envelope.group_number),
        "X",
        VERSION,
    )
    start = len(out.items)
    out.add("ST", "837", "0001", VERSION)
    out.add("BHT", "0019", "00", isa, f"{when:%Y%m%d}", f"{when:%H%M}", "CH")
    out.add(
        "NM1",
        "41",
        "2",
        clean(envelope.submitter_name) or "SUBMITTER",
        "",
        "",
        "",
        "",
        "46",
        clean(envelope.submitter_id, 15),
    )
    out.add("PER", "IC", "BILLING OFFICE", "TE", _digits(envelope.contact_phone) or "0000000000")
    out.add(
        "NM1",
        "40",
        "2",
        clean(envelope.receiver_name) or "RECEIVER",
        "",
        "",
        "",
        "",
        "46",
        clean(envelope.receiver_id, 15),
    )
    _billing_provider(out, claim)
    _subscriber(out, claim)
    _claim(out, claim)
    out.add("SE", str(len(out.items) - start + 1), "0001")
    out.add("GE", "1", str(envelope.group_number))
    out.add("IEA", "1", isa)
    return "".join(f"{segment}{SEGMENT}\n" for segment in out.items)


def _check(claim: Claim) -> None:
    if not claim.diagnoses:
        raise UsageError("An 837P needs at least one diagnosis.")
    if len(claim.diagnoses) > MAX_DIAGNOSES:
        raise UsageError("An 837P claim holds at most 12 diagnoses.")
    if not 1 <= len(claim.lines) <= MAX_LINES:
        raise UsageError("An 837P claim holds 1 to 50 service lines; split the claim.")


def _billing_provider(out: _Segments, claim: Claim) -> None:
    billing = claim.billing_provider
    out.add("HL", "1", "", "20", "1")
    out.add(
        "NM1",
        "85",
        "2",
        clean(billing.get("name", "")) or "BILLING PROVIDER",
        "",
        "",
        "",
        "",
        "XX",
        _digits(billing.get("npi", "")),
    )
    _address(out, billing.get("address", "") or "")
    out.add("REF", "EI", _digits(billing.get("tax_id", "")))


def _subscriber(out: _Segments, claim: Claim) -> None:
    patient, subscriber, payer = claim.patient, claim.subscriber, claim.payer
    out.add("HL", "2", "1", "22", "0")
    out.add("SBR", "P", "18", "", "", "", "", "", "", PROGRAMS[claim.program])
    last, first = _name_parts(subscriber.get("name") or patient.get("name", ""))
    out.add("NM1", "IL", "1", last, first, "", "", "", "MI", clean(subscriber.get("id", ""), 80))
    _address(out, patient.get("address", {}) or {})
    born = f"{claim.patient_dob:%Y%m%d}" if claim.patient_dob else ""
    out.add("DMG", "D8", born, claim.patient_sex if claim.patient_sex in ("F", "M") else "U")
    out.add(
        "NM1",
        "PR",
        "2",
        clean(payer.get("name", "")) or "PAYER",
        "",
        "",
        "",
        "",
        "PI",
        clean(payer.get("id", "") or payer.get("name", ""), 80),
    )


def _claim(out: _Segments, claim: Claim) -> None:
    total = sum(line.charge for line in claim.lines)
    place = claim.lines[0].pos or "11"
    account = clean(claim.patient.get("account", "") or "UNKNOWN", 38)
    out.add(
        "CLM",
        account,
        _amount(total),
        "",
        "",
        f"{place}{COMPONENT}B{COMPONENT}1",
        "Y",
        "A",
        "Y",
        "Y",
    )
    codes = [code.replace(".", "") for code in claim.diagnoses]
    out.add("HI", *(f"{'ABK' if n == 0 else 'ABF'}{COMPONENT}{c}" for n, c in enumerate(codes)))
    rendering = _digits(claim.rendering_provider.get("npi", ""))
    if rendering and rendering != _digits(claim.billing_provider.get("npi", "")):
        last, first = _name_parts(claim.rendering_provider.get("name", "") or "UNKNOWN")
        out.add("NM1", "82", "1", last, first, "", "", "", "XX", rendering)
    for number, line in enumerate(claim.lines, start=1):
        _line(out, number, line, claim.date_of_service)


def _line(out: _Segments, number: int, line: ClaimLine, day: dt.date) -> None:
    procedure = COMPONENT.join(
        ["HC", clean(line.code, 48), *(clean(m, 2) for m in line.modifiers[:4])]
    )
    pointers = COMPONENT.join(str(p) for p in line.pointers[:4])
    out.add("LX", str(number))
    out.add("SV1", procedure, _amount(line.charge), "UN", _amount(line.units), "", "", pointers)
    start, end = line.date_from or day, line.date_to or line.date_from or day
    if end != start:
        out.add("DTP", "472", "RD8", f"{start:%Y%m%d}-{end:%Y%m%d}")
    else:
        out.add("DTP", "472", "D8", f"{start:%Y%m%d}")
