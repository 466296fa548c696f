from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from avbase.policy.catalogue import load_catalogue


@pytest.fixture
def catalogue(db: Session) -> Session:
    """The database with every measure of both seed texts loaded."""
    load_catalogue(db)
    db.commit()
    return db
