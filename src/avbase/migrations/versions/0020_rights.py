"""rights: deposit certificates, works, fingerprints, suspected copies, licence marketplace

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 14:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import avbase.core.db

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rights_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("issued_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_rights_certificates_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_rights_certificates_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_certificates")),
        sa.UniqueConstraint("number", name=op.f("uq_rights_certificates_number")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("rights_certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_certificates_org_id"), ["org_id"], unique=False)
        batch_op.create_index("ix_rights_certificates_subject", ["subject_kind", "subject_id"], unique=False)

    op.create_table(
        "rights_works",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "work_type",
            sa.Enum(
                "film",
                "series",
                "episode",
                "micro_drama",
                "animation",
                "documentary",
                "variety",
                "music",
                "game_video",
                "other",
                name="worktype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("episode_number", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("creators", sa.JSON(), nullable=False),
        sa.Column("registration_number", sa.String(length=60), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["rights_certificates.id"],
            name=op.f("fk_rights_works_certificate_id_rights_certificates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_rights_works_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_rights_works_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["rights_works.id"],
            name=op.f("fk_rights_works_parent_id_rights_works"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_works")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("rights_works", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_works_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rights_works_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rights_works_registration_number"), ["registration_number"], unique=False
        )

    op.create_table(
        "rights_holders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("share", sa.Numeric(precision=7, scale=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_rights_holders_org_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["rights_works.id"],
            name=op.f("fk_rights_holders_work_id_rights_works"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_holders")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("rights_holders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_holders_work_id"), ["work_id"], unique=False)

    op.create_table(
        "rights_listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column(
            "media_right",
            sa.Enum(
                "theatrical",
                "tv",
                "svod",
                "avod",
                "short_video",
                "overseas",
                name="mediaright",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("territory", sa.String(length=60), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.Column("price", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_rights_listings_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["rights_works.id"],
            name=op.f("fk_rights_listings_work_id_rights_works"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_listings")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("rights_listings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_listings_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rights_listings_work_id"), ["work_id"], unique=False)

    op.create_table(
        "rights_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("work_org_id", sa.Integer(), nullable=False),
        sa.Column("reference_asset_id", sa.Integer(), nullable=False),
        sa.Column("reference_start", sa.Double(), nullable=False),
        sa.Column("reference_end", sa.Double(), nullable=False),
        sa.Column("query_start", sa.Double(), nullable=False),
        sa.Column("query_end", sa.Double(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("modality", sa.String(length=10), nullable=False),
        sa.Column(
            "state",
            sa.Enum("new", "confirmed", "dismissed", name="matchstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("found_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["media_assets.id"],
            name=op.f("fk_rights_matches_asset_id_media_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_rights_matches_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reference_asset_id"],
            ["media_assets.id"],
            name=op.f("fk_rights_matches_reference_asset_id_media_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["rights_works.id"],
            name=op.f("fk_rights_matches_work_id_rights_works"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_org_id"],
            ["organisations.id"],
            name=op.f("fk_rights_matches_work_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_matches")),
        sa.UniqueConstraint("asset_id", "work_id", name=op.f("uq_rights_matches_asset_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("rights_matches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_matches_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rights_matches_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rights_matches_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_rights_matches_work_id"), ["work_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rights_matches_work_org_id"), ["work_org_id"], unique=False)

    op.create_table(
        "rights_title_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "registration", "assignment", "licence", name="titleeventkind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("from_party", sa.String(length=200), nullable=True),
        sa.Column("to_party", sa.String(length=200), nullable=False),
        sa.Column("media_right", sa.String(length=30), nullable=True),
        sa.Column("territory", sa.String(length=60), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("exclusive", sa.Boolean(), nullable=True),
        sa.Column("share", sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column("licence_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["rights_works.id"],
            name=op.f("fk_rights_title_events_work_id_rights_works"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_title_events")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("rights_title_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_title_events_work_id"), ["work_id"], unique=False)

    op.create_table(
        "rights_work_assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("fingerprinted_at", avbase.core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["media_assets.id"],
            name=op.f("fk_rights_work_assets_asset_id_media_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["rights_works.id"],
            name=op.f("fk_rights_work_assets_work_id_rights_works"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_work_assets")),
        sa.UniqueConstraint("asset_id", name=op.f("uq_rights_work_assets_asset_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("rights_work_assets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_work_assets_work_id"), ["work_id"], unique=False)

    op.create_table(
        "rights_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("buyer_org_id", sa.Integer(), nullable=False),
        sa.Column("price", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "accepted",
                "rejected",
                "withdrawn",
                name="offerstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_org_id"],
            ["organisations.id"],
            name=op.f("fk_rights_offers_buyer_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_rights_offers_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["rights_listings.id"],
            name=op.f("fk_rights_offers_listing_id_rights_listings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_offers")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("rights_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_offers_buyer_org_id"), ["buyer_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rights_offers_listing_id"), ["listing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rights_offers_state"), ["state"], unique=False)

    op.create_table(
        "rights_licences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("licensor_org_id", sa.Integer(), nullable=False),
        sa.Column("licensee_org_id", sa.Integer(), nullable=False),
        sa.Column(
            "media_right",
            sa.Enum(
                "theatrical",
                "tv",
                "svod",
                "avod",
                "short_video",
                "overseas",
                name="mediaright",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("territory", sa.String(length=60), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.Column("price", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("granted_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["licensee_org_id"],
            ["organisations.id"],
            name=op.f("fk_rights_licences_licensee_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["licensor_org_id"],
            ["organisations.id"],
            name=op.f("fk_rights_licences_licensor_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["rights_offers.id"],
            name=op.f("fk_rights_licences_offer_id_rights_offers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["rights_works.id"],
            name=op.f("fk_rights_licences_work_id_rights_works"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_licences")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("rights_licences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rights_licences_licensee_org_id"), ["licensee_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rights_licences_licensor_org_id"), ["licensor_org_id"], unique=False
        )
        batch_op.create_index("ix_rights_licences_scope", ["work_id", "media_right"], unique=False)


def downgrade() -> None:
    op.drop_table("rights_licences")
    op.drop_table("rights_offers")
    op.drop_table("rights_work_assets")
    op.drop_table("rights_title_events")
    op.drop_table("rights_matches")
    op.drop_table("rights_listings")
    op.drop_table("rights_holders")
    op.drop_table("rights_works")
    op.drop_table("rights_certificates")
