from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin, str_enum, utcnow


class Delivery(StrEnum):
    """How a kind of item reaches a user by e-mail (every item also shows under the bell)."""

    immediate = "immediate"
    digest = "digest"
    off = "off"


class EmailState(StrEnum):
    pending = "pending"  # waiting for the digest
    queued = "queued"  # a send job holds it
    sent = "sent"
    skipped = "skipped"  # e-mail is off for this kind, the user has no address, or no SMTP server is set


class Notification(Audited, Base):
    """One inbox item told to one user once; the key makes a later scan skip what was told already."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200))  # the item's kind and key: a review turning overdue is news
    kind: Mapped[str] = mapped_column(String(64))
    domain: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))  # in the user's language when it was made
    detail: Mapped[str] = mapped_column(String(300), default="")
    link: Mapped[str] = mapped_column(String(300))
    urgency: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date | None]
    delivery: Mapped[Delivery] = mapped_column(str_enum(Delivery))
    email_state: Mapped[EmailState] = mapped_column(str_enum(EmailState), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]


class NotificationPreference(Audited, TimestampMixin, Base):
    """A user's choice for one kind of item; without one, overdue items come at once, others in the digest."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    delivery: Mapped[Delivery] = mapped_column(str_enum(Delivery))
