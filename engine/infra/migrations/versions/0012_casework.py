"""Casework: notes and the contact log, attachments (metadata; the bytes are in the content-addressed
store), case owners per agency, and the indexes of the case list.

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

import engine.models.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC = engine.models.base.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("participants", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_agency", sa.String(length=40), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("edited_at", UTC, nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_note_case_id_case_file")),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], name=op.f("fk_case_note_author_id_user_account")),
        sa.ForeignKeyConstraint(["corrects_id"], ["case_note.id"], name=op.f("fk_case_note_corrects_id_case_note")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note")),
    )
    op.create_index("ix_case_note_case", "case_note", ["case_id", "occurred_on"])
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("thumbnail_sha256", sa.String(length=64), nullable=True),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("uploaded_agency", sa.String(length=40), nullable=False),
        sa.Column("uploaded_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_attachment_case_id_case_file")),
        sa.ForeignKeyConstraint(["uploaded_by"], ["user_account.id"],
                                name=op.f("fk_attachment_uploaded_by_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    op.create_index("ix_attachment_case", "attachment", ["case_id", "uploaded_at"])
    op.create_index("ix_attachment_sha256", "attachment", ["sha256"])
    op.create_table(
        "case_owner",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.Integer(), nullable=False),
        sa.Column("assigned_at", UTC, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_owner_case_id_case_file")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_case_owner_user_id_user_account")),
        sa.ForeignKeyConstraint(["assigned_by"], ["user_account.id"],
                                name=op.f("fk_case_owner_assigned_by_user_account")),
        sa.PrimaryKeyConstraint("case_id", "agency_code", name=op.f("pk_case_owner")),
    )
    op.create_index("ix_case_owner_user", "case_owner", ["user_id", "case_id"])
    # the case list
    op.create_index("ix_case_district_status_updated", "case_file", ["district_id", "status", "updated_at"])
    op.create_index("ix_case_district_status_opened", "case_file", ["district_id", "status", "opened_at"])
    # by number: the unique index on case_no alone walks every district that sorts before the user's
    op.create_index("ix_case_district_status_case_no", "case_file", ["district_id", "status", "case_no"])
    op.create_index("ix_task_record_completed_by", "task_record", ["completed_by", "case_id"])
    op.create_index("ix_work_item_assignee", "work_item", ["assignee_id", "case_id"])
    op.create_index("ix_work_item_district_step", "work_item", ["district_id", "step", "case_id"])


def downgrade():
    op.drop_index("ix_work_item_district_step", table_name="work_item")
    op.drop_index("ix_work_item_assignee", table_name="work_item")
    op.drop_index("ix_task_record_completed_by", table_name="task_record")
    op.drop_index("ix_case_district_status_case_no", table_name="case_file")
    op.drop_index("ix_case_district_status_opened", table_name="case_file")
    op.drop_index("ix_case_district_status_updated", table_name="case_file")
    op.drop_index("ix_case_owner_user", table_name="case_owner")
    op.drop_table("case_owner")
    op.drop_index("ix_attachment_sha256", table_name="attachment")
    op.drop_index("ix_attachment_case", table_name="attachment")
    op.drop_table("attachment")
    op.drop_index("ix_case_note_case", table_name="case_note")
    op.drop_table("case_note")
