"""policy: award entries booked before the core ledger existed are posted to it (budgets and reports now
read the ledger's balances, so an entry left unposted would vanish from them)

Revision ID: 0029
Revises: 0026
Create Date: 2026-11-30 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from avbase.core.db import UTCDateTime, utcnow

revision = "0029"
down_revision = "0026"
branch_labels = None
depends_on = None

BOOK = "policy"
# The accounts and postings policy/books.py makes; amounts are integer fen here, as stored.
metadata = sa.MetaData()
register = sa.Table(
    "policy_ledger",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("measure_id", sa.String),
    sa.Column("year", sa.Integer),
    sa.Column("application_id", sa.Integer),
    sa.Column("org_id", sa.Integer),
    sa.Column("kind", sa.String),
    sa.Column("amount", sa.BigInteger),
    sa.Column("at", UTCDateTime),
    sa.Column("by_id", sa.Integer),
    sa.Column("transaction_id", sa.Integer),
)
accounts = sa.Table(
    "ledger_accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("book", sa.String),
    sa.Column("party", sa.String),
    sa.Column("code", sa.String),
    sa.Column("org_id", sa.Integer),
    sa.Column("name", sa.String),
    sa.Column("created_at", UTCDateTime),
)
transactions = sa.Table(
    "ledger_transactions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("book", sa.String),
    sa.Column("on", sa.Date),
    sa.Column("memo", sa.Text),
    sa.Column("source_type", sa.String),
    sa.Column("source_id", sa.String),
    sa.Column("at", UTCDateTime),
    sa.Column("by_id", sa.Integer),
)
postings = sa.Table(
    "ledger_postings",
    metadata,
    sa.Column("transaction_id", sa.Integer),
    sa.Column("account_id", sa.Integer),
    sa.Column("amount", sa.BigInteger),
)


def post_unposted(connection: sa.Connection) -> int:
    """Posts every register entry that has no ledger transaction yet; returns how many were posted."""
    rows = connection.execute(
        sa.select(register).where(register.c.transaction_id.is_(None)).order_by(register.c.id)
    ).all()
    for row in rows:
        owed = _account(connection, f"org:{row.org_id}", f"award:{row.measure_id}", row.org_id)
        if row.kind in ("commit", "reverse_commit"):
            other = _account(connection, f"measure:{row.measure_id}", f"committed:{row.year}", None)
            lines = [(other, row.amount), (owed, -row.amount)]
        else:
            other = _account(connection, f"measure:{row.measure_id}", f"paid:{row.year}", None)
            lines = [(owed, row.amount), (other, -row.amount)]
        transaction_id = _insert(
            connection,
            transactions.insert().values(
                book=BOOK,
                on=row.at.date(),
                memo=f"{row.kind} {row.measure_id} #{row.application_id}",
                source_type="policy.application",
                source_id=str(row.application_id),
                at=row.at,
                by_id=row.by_id,
            ),
        )
        connection.execute(
            postings.insert(),
            [{"transaction_id": transaction_id, "account_id": a, "amount": amount} for a, amount in lines],
        )
        connection.execute(
            register.update().where(register.c.id == row.id).values(transaction_id=transaction_id)
        )
    return len(rows)


def _account(connection: sa.Connection, party: str, code: str, org_id: int | None) -> int:
    found = connection.execute(
        sa.select(accounts.c.id).where(
            accounts.c.book == BOOK, accounts.c.party == party, accounts.c.code == code
        )
    ).scalar()
    if found is not None:
        return int(found)
    return _insert(
        connection,
        accounts.insert().values(
            book=BOOK, party=party, code=code, org_id=org_id, name=f"{party} {code}", created_at=utcnow()
        ),
    )


def _insert(connection: sa.Connection, statement: sa.Insert) -> int:
    key = connection.execute(statement).inserted_primary_key
    assert key is not None
    return int(key[0])


def upgrade() -> None:
    post_unposted(op.get_bind())


def downgrade() -> None:
    """Nothing to undo: the postings are true entries of the awards register."""
