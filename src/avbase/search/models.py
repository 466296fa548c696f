"""What the search index still has to catch up with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from avbase.core.db import Base, utcnow


class SearchPending(Base):
    """An asset whose index entries are out of date (written in the same transaction as the change, so a
    crash cannot lose it). Several rows for one asset are fine: the indexer takes them all and deletes only
    the rows it read, so a change made while it works is picked up next time."""

    __tablename__ = "search_pending"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(
        Integer, index=True
    )  # no foreign key: deleted assets are pending too
    since: Mapped[datetime] = mapped_column(default=utcnow)
