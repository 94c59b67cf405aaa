"""Closed-loop audits: a supervisor's sign-off or return of a round, and random samples for review.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

import engine.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "review_sample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=40), nullable=False),
        sa.Column("drawn_by", sa.Integer(), nullable=False),
        sa.Column("drawn_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seed", sa.String(length=32), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("case_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["district_id"], ["district.id"], name=op.f("fk_review_sample_district_id_district")),
        sa.ForeignKeyConstraint(["drawn_by"], ["user_account.id"], name=op.f("fk_review_sample_drawn_by_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_sample")),
    )
    op.create_table(
        "round_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reopened_at_step", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_round_review_case_id_case_file")),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], name=op.f("fk_round_review_round_id_round")),
        sa.ForeignKeyConstraint(["sample_id"], ["review_sample.id"], name=op.f("fk_round_review_sample_id_review_sample")),
        sa.ForeignKeyConstraint(["reviewed_by"], ["user_account.id"],
                                name=op.f("fk_round_review_reviewed_by_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_review")),
    )
    op.create_index(op.f("ix_round_review_case_id"), "round_review", ["case_id"])
    op.create_index(op.f("ix_round_review_round_id"), "round_review", ["round_id"])


def downgrade():
    op.drop_index(op.f("ix_round_review_round_id"), table_name="round_review")
    op.drop_index(op.f("ix_round_review_case_id"), table_name="round_review")
    op.drop_table("round_review")
    op.drop_table("review_sample")
