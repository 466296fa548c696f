"""chain: titles, windows, contracts, statements, settlement runs, reconciliations, claims; the core ledger

Revision ID: 0021
Revises: 0018
Create Date: 2026-11-30 14:49:18.867910
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import avbase.core.db

revision = "0021"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_titles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "film", "series", "micro_drama", "animation", name="titlekind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("work_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_chain_titles_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_titles")),
        sa.UniqueConstraint("org_id", "name", name=op.f("uq_chain_titles_org_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("chain_titles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_titles_org_id"), ["org_id"], unique=False)

    op.create_table(
        "ledger_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("book", sa.String(length=20), nullable=False),
        sa.Column("party", sa.String(length=120), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_ledger_accounts_org_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_accounts")),
        sa.UniqueConstraint("book", "party", "code", name=op.f("uq_ledger_accounts_book")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_accounts_book"), ["book"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_accounts_org_id"), ["org_id"], unique=False)

    op.create_table(
        "chain_contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("model", sa.String(length=40), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column(
            "state",
            sa.Enum("active", "ended", name="contractstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_chain_contracts_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["title_id"],
            ["chain_titles.id"],
            name=op.f("fk_chain_contracts_title_id_chain_titles"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_contracts")),
        sa.UniqueConstraint("code", name=op.f("uq_chain_contracts_code")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("chain_contracts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_contracts_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chain_contracts_title_id"), ["title_id"], unique=False)

    op.create_table(
        "chain_reconciliations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("counterparty", sa.String(length=200), nullable=False),
        sa.Column("statement_name", sa.String(length=200), nullable=False),
        sa.Column("expected_name", sa.String(length=200), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("discrepancies", sa.JSON(), nullable=False),
        sa.Column("at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_chain_reconciliations_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_chain_reconciliations_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_reconciliations")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("chain_reconciliations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_reconciliations_org_id"), ["org_id"], unique=False)

    op.create_table(
        "chain_statement_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("template", sa.String(length=80), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_chain_statement_imports_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_chain_statement_imports_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_statement_imports")),
        sa.UniqueConstraint("org_id", "sha256", name=op.f("uq_chain_statement_imports_org_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("chain_statement_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_statement_imports_org_id"), ["org_id"], unique=False)

    op.create_table(
        "chain_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "theatrical",
                "pvod",
                "svod",
                "avod",
                "tv",
                "overseas",
                name="channel",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("territory", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.Column("licensee_org_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["licensee_org_id"],
            ["organisations.id"],
            name=op.f("fk_chain_windows_licensee_org_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["title_id"],
            ["chain_titles.id"],
            name=op.f("fk_chain_windows_title_id_chain_titles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_windows")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("chain_windows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_windows_title_id"), ["title_id"], unique=False)

    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("book", sa.String(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("source_type", sa.String(length=40), nullable=True),
        sa.Column("source_id", sa.String(length=40), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_ledger_transactions_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_ledger_transactions_reverses_id_ledger_transactions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transactions")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_ledger_transactions_reverses_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_transactions_book"), ["book"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_transactions_on"), ["on"], unique=False)

    op.create_table(
        "chain_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("counterparty_org_id", sa.Integer(), nullable=True),
        sa.Column("reconciliation_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("difference", sa.String(length=40), nullable=False),
        sa.Column(
            "state",
            sa.Enum("raised", "answered", "closed", name="claimstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counterparty_org_id"],
            ["organisations.id"],
            name=op.f("fk_chain_claims_counterparty_org_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_chain_claims_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reconciliation_id"],
            ["chain_reconciliations.id"],
            name=op.f("fk_chain_claims_reconciliation_id_chain_reconciliations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_claims")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("chain_claims", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chain_claims_counterparty_org_id"), ["counterparty_org_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_chain_claims_org_id"), ["org_id"], unique=False)

    op.create_table(
        "chain_contract_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=80), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["chain_contracts.id"],
            name=op.f("fk_chain_contract_parties_contract_id_chain_contracts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_chain_contract_parties_org_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_contract_parties")),
        sa.UniqueConstraint("contract_id", "role", name=op.f("uq_chain_contract_parties_contract_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("chain_contract_parties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chain_contract_parties_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_chain_contract_parties_org_id"), ["org_id"], unique=False)

    op.create_table(
        "chain_contract_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["chain_contracts.id"],
            name=op.f("fk_chain_contract_terms_contract_id_chain_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_contract_terms")),
        sa.UniqueConstraint(
            "contract_id", "name", "effective_from", name=op.f("uq_chain_contract_terms_contract_id")
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "chain_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("draft", "approved", name="runstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("base", sa.BigInteger(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", avbase.core.db.UTCDateTime(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["users.id"],
            name=op.f("fk_chain_runs_approved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["chain_contracts.id"],
            name=op.f("fk_chain_runs_contract_id_chain_contracts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_chain_runs_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_chain_runs_transaction_id_ledger_transactions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_runs")),
        sa.UniqueConstraint("contract_id", "period", "sequence", name=op.f("uq_chain_runs_contract_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("chain_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_runs_contract_id"), ["contract_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chain_runs_org_id"), ["org_id"], unique=False)

    op.create_table(
        "chain_statement_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["chain_statement_imports.id"],
            name=op.f("fk_chain_statement_lines_import_id_chain_statement_imports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_chain_statement_lines_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_statement_lines")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("chain_statement_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_statement_lines_import_id"), ["import_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chain_statement_lines_title"), ["title"], unique=False)

    op.create_table(
        "ledger_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["ledger_accounts.id"],
            name=op.f("fk_ledger_postings_account_id_ledger_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_ledger_postings_transaction_id_ledger_transactions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_postings")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_postings_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ledger_postings_transaction_id"), ["transaction_id"], unique=False
        )

    op.create_table(
        "chain_claim_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum("raised", "answered", "closed", name="claimstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_chain_claim_events_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["chain_claims.id"],
            name=op.f("fk_chain_claim_events_claim_id_chain_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_chain_claim_events_org_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_claim_events")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("chain_claim_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_claim_events_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "chain_party_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=80), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("adjustment", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_chain_party_statements_org_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["chain_runs.id"],
            name=op.f("fk_chain_party_statements_run_id_chain_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_party_statements")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("chain_party_statements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_party_statements_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chain_party_statements_run_id"), ["run_id"], unique=False)
    # SQLite rebuilds the table: keep its ids counting up for good (see 0015).
    with op.batch_alter_table(
        "policy_ledger", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(sa.Column("transaction_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_policy_ledger_transaction_id_ledger_transactions"),
            "ledger_transactions",
            ["transaction_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table(
        "policy_ledger", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_policy_ledger_transaction_id_ledger_transactions"), type_="foreignkey"
        )
        batch_op.drop_column("transaction_id")
    with op.batch_alter_table("chain_party_statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_party_statements_run_id"))
        batch_op.drop_index(batch_op.f("ix_chain_party_statements_org_id"))

    op.drop_table("chain_party_statements")
    with op.batch_alter_table("chain_claim_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_claim_events_claim_id"))

    op.drop_table("chain_claim_events")
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_postings_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_postings_account_id"))

    op.drop_table("ledger_postings")
    with op.batch_alter_table("chain_statement_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_statement_lines_title"))
        batch_op.drop_index(batch_op.f("ix_chain_statement_lines_import_id"))

    op.drop_table("chain_statement_lines")
    with op.batch_alter_table("chain_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_runs_org_id"))
        batch_op.drop_index(batch_op.f("ix_chain_runs_contract_id"))

    op.drop_table("chain_runs")
    op.drop_table("chain_contract_terms")
    with op.batch_alter_table("chain_contract_parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_contract_parties_org_id"))
        batch_op.drop_index(batch_op.f("ix_chain_contract_parties_contract_id"))

    op.drop_table("chain_contract_parties")
    with op.batch_alter_table("chain_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_claims_org_id"))
        batch_op.drop_index(batch_op.f("ix_chain_claims_counterparty_org_id"))

    op.drop_table("chain_claims")
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_transactions_on"))
        batch_op.drop_index(batch_op.f("ix_ledger_transactions_book"))

    op.drop_table("ledger_transactions")
    with op.batch_alter_table("chain_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_windows_title_id"))

    op.drop_table("chain_windows")
    with op.batch_alter_table("chain_statement_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_statement_imports_org_id"))

    op.drop_table("chain_statement_imports")
    with op.batch_alter_table("chain_reconciliations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_reconciliations_org_id"))

    op.drop_table("chain_reconciliations")
    with op.batch_alter_table("chain_contracts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_contracts_title_id"))
        batch_op.drop_index(batch_op.f("ix_chain_contracts_org_id"))

    op.drop_table("chain_contracts")
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_accounts_org_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_accounts_book"))

    op.drop_table("ledger_accounts")
    with op.batch_alter_table("chain_titles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_titles_org_id"))

    op.drop_table("chain_titles")
