# SPDX-License-Identifier: GPL-3.0-or-later
"""The workspace schema: every table that holds a practice's PHI and coding work.

Relationships load with `lazy="raise"`: a service states what it needs, so no view ever
triggers hidden queries. Money is stored in integer cents, times in UTC.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _stored_enum(enum_class: type[enum.StrEnum], length: int) -> Enum:
    # Store the enum's values ("F", "in_progress"), not its Python names.
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


def utcnow() -> dt.datetime:
    """The current UTC time without tzinfo, as every timestamp column stores it."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention (for Alembic on SQLite)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class EncounterStatus(enum.StrEnum):
    """Where an encounter is in the coder's worklist."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    QUERY_PENDING = "query_pending"
    READY = "ready"
    EXPORTED = "exported"
    REWORK = "rework"


class DocumentKind(enum.StrEnum):
    """The formats a chart document can come in."""

    PDF = "pdf"
    TEXT = "text"
    CCDA = "ccda"
    HTML = "html"
    RTF = "rtf"


class Sex(enum.StrEnum):
    """Administrative sex as claims carry it."""

    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


class Patient(Base):
    """A person whose encounters are coded."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_number: Mapped[str] = mapped_column(String(40), unique=True)
    last_name: Mapped[str] = mapped_column(String(80))
    first_name: Mapped[str] = mapped_column(String(80))
    middle_name: Mapped[str] = mapped_column(String(80), default="")
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[Sex] = mapped_column(_stored_enum(Sex, 1))
    address_line: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(60), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    encounters: Mapped[list[Encounter]] = relationship(back_populates="patient", lazy="raise")


class Provider(Base):
    """A clinician or billing entity of the practice (rendering, referring or billing)."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    npi: Mapped[str] = mapped_column(String(10))
    taxonomy: Mapped[str] = mapped_column(String(10), default="")
    credentials: Mapped[str] = mapped_column(String(20), default="")
    is_organization: Mapped[bool] = mapped_column(default=False)


class Payer(Base):
    """An insurer claims are sent to."""

    __tablename__ = "payers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    payer_id: Mapped[str] = mapped_column(String(20), default="")
    address_line: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(60), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    # The programme (CMS-1500 box 1, 837P SBR09): medicare, medicaid, ..., other.
    program: Mapped[str] = mapped_column(String(10), default="other", server_default="other")


class PracticeSettings(Base):
    """The practice's own identity and defaults (a single row)."""

    __tablename__ = "practice_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_name: Mapped[str] = mapped_column(String(120), default="")
    tax_id: Mapped[str] = mapped_column(String(9), default="")
    address_line: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(60), default="")
    state: Mapped[str] = mapped_column(String(2), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    billing_provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"))
    default_place_of_service: Mapped[str] = mapped_column(String(2), default="11")
    auto_lock_minutes: Mapped[int] = mapped_column(Integer, default=5)
    submitter_id: Mapped[str] = mapped_column(String(40), default="")
    receiver_id: Mapped[str] = mapped_column(String(40), default="")


class Encounter(Base):
    """One visit to code: an item of the worklist."""

    __tablename__ = "encounters"
    __table_args__ = (Index("ix_encounters_status_due", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    date_of_service: Mapped[dt.date] = mapped_column(Date)
    encounter_type: Mapped[str] = mapped_column(String(40))
    specialty: Mapped[str] = mapped_column(String(60), default="")
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id"))
    subscriber_id: Mapped[str] = mapped_column(String(40), default="")
    rendering_provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"))
    place_of_service: Mapped[str] = mapped_column(String(2), default="11")
    status: Mapped[EncounterStatus] = mapped_column(
        _stored_enum(EncounterStatus, 20), default=EncounterStatus.NEW
    )
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    priority: Mapped[int] = mapped_column(Integer, default=3)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    coding_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    coding_finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    patient: Mapped[Patient] = relationship(back_populates="encounters", lazy="raise")
    documents: Mapped[list[ChartDocument]] = relationship(
        back_populates="encounter", lazy="raise", cascade="all, delete-orphan"
    )
    diagnoses: Mapped[list[Diagnosis]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Diagnosis.position"
    )
    service_lines: Mapped[list[ServiceLine]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ServiceLine.position"
    )


class ChartDocument(Base):
    """A chart document stored whole inside the encrypted file, with its extracted text."""

    __tablename__ = "chart_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(
        ForeignKey("encounters.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[DocumentKind] = mapped_column(_stored_enum(DocumentKind, 8))
    filename: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[str] = mapped_column(Text, default="")
    page_count: Mapped[int] = mapped_column(Integer, default=1)
    sha256: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    encounter: Mapped[Encounter] = relationship(back_populates="documents", lazy="raise")


class Diagnosis(Base):
    """An ICD-10-CM code on an encounter's code sheet, in sequence (position 1 = first-listed)."""

    __tablename__ = "diagnoses"
    __table_args__ = (UniqueConstraint("encounter_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(String(300), default="")


class ServiceLine(Base):
    """A procedure or supply line of the code sheet (CPT or HCPCS Level II)."""

    __tablename__ = "service_lines"
    __table_args__ = (UniqueConstraint("encounter_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(5))
    modifiers: Mapped[list[Any]] = mapped_column(default=list)
    units: Mapped[int] = mapped_column(Integer, default=1)
    diagnosis_pointers: Mapped[list[Any]] = mapped_column(default=list)
    charge_cents: Mapped[int] = mapped_column(Integer, default=0)
    date_from: Mapped[dt.date] = mapped_column(Date)
    date_to: Mapped[dt.date] = mapped_column(Date)
    place_of_service: Mapped[str] = mapped_column(String(2), default="11")


class EvidenceLink(Base):
    """A span of a chart document's text that supports a code on the sheet."""

    __tablename__ = "evidence_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(
        ForeignKey("encounters.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("chart_documents.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(8))
    start_offset: Mapped[int] = mapped_column(Integer)
    end_offset: Mapped[int] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Finding(Base):
    """A validation finding recorded against an encounter's code sheet."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(
        ForeignKey("encounters.id", ondelete="CASCADE"), index=True
    )
    rule_id: Mapped[str] = mapped_column(String(60))
    severity: Mapped[str] = mapped_column(String(10))
    fingerprint: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    citation: Mapped[str] = mapped_column(Text, default="")
    codes: Mapped[list[Any]] = mapped_column(default=list)
    lines: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Override(Base):
    """A coder's documented decision to let an error finding stand, with the reason."""

    __tablename__ = "overrides"
    __table_args__ = (UniqueConstraint("encounter_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(60))
    fingerprint: Mapped[str] = mapped_column(String(64))
    codes: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    lines: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ProviderQuery(Base):
    """A documentation query to a provider, from draft to answer."""

    __tablename__ = "provider_queries"

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(
        ForeignKey("encounters.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"))
    trigger: Mapped[str] = mapped_column(String(30))
    question: Mapped[str] = mapped_column(Text, default="")
    query_format: Mapped[str] = mapped_column(String(20), default="open_ended")
    options: Mapped[list[Any]] = mapped_column(default=list)
    indicators: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answer_option: Mapped[str] = mapped_column(String(200), default="")
    answer_text: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # 0 = as issued; each reminder or escalation adds one and sets a new due date.
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    escalated_to: Mapped[str] = mapped_column(String(120), default="", server_default="")
    first_due_date: Mapped[dt.date | None] = mapped_column(Date)


class Claim(Base):
    """A claim produced from an encounter, with what was exported and its control numbers."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(
        ForeignKey("encounters.id", ondelete="CASCADE"), index=True
    )
    claim_format: Mapped[str] = mapped_column(String(10))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    interchange_control_number: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="created")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(Base):
    """One hash-chained entry of the audit trail: who did what to which record, no PHI text."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class WorkspaceMeta(Base):
    """Small facts about the workspace itself (creation time, audit head, counters)."""

    __tablename__ = "workspace_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
