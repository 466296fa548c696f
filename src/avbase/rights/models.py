"""Tables of the rights module: deposit certificates, works and their chain of title, fingerprint
registrations, suspected copies, and the licence marketplace."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from avbase.core.audit import Audited
from avbase.core.db import Base


class DepositCertificate(Audited, Base):
    """A signed deposit certificate; ``document`` is the exact JSON handed out (canonical form)."""

    __tablename__ = "rights_certificates"
    __table_args__ = (
        Index("ix_rights_certificates_subject", "subject_kind", "subject_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    document: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
