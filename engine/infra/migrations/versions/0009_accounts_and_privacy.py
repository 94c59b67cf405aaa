"""Accounts and privacy hardening: session generations, last sign-in, forced password change, one-time
reset links and the demo flag on accounts; user names normalised (NFKC + casefold) and unique in that form;
a one-time form token on clues; agency notifications; the rate-limit windows shared by every worker.

Revision ID: 0009
Revises: 0008
"""
import unicodedata

from alembic import op
import sqlalchemy as sa

import engine.models.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# the accounts ``guardloop init`` used to create without being asked (engine.infra.bootstrap.DEMO_USERS): name and
# display name must both match, so an administrator created by hand as ``admin`` is not taken for one
OLD_DEMO_USERS = {
    "admin": "系统管理员", "wf_caseworker": "江北妇联·李娟", "wf_caseworker2": "江北妇联·周敏",
    "wf_counsellor": "江北家庭教育指导师·陈静", "wf_supervisor": "江北妇联督导·王芳", "prosecutor": "江北检察院检察官·张磊",
    "pro_supervisor": "江北检察院未检部主任·刘洋", "judge": "江北法院法官·赵敏", "court_clerk": "江北法院书记员·孙丽",
    "court_supervisor": "江北法院少年家事庭庭长·钱宁", "police": "江北公安民警·吴强", "teacher": "江北区某小学·郑老师",
    "civil_affairs": "江北民政·冯涛", "community": "江北网格员·何平", "yz_caseworker": "渝中妇联·马丽",
    "yz_prosecutor": "渝中检察院检察官·高远", "leader": "江北区妇联·领导",
}


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_login_at", engine.models.base.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("reset_token_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("reset_token_expires", engine.models.base.UTCDateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false()))
    _normalise_usernames()
    with op.batch_alter_table("risk_clue") as batch:
        batch.add_column(sa.Column("form_token", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_risk_clue_form_token", ["registered_by", "form_token"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["district_id"], ["district.id"], name=op.f("fk_notification_district_id_district")),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_notification_case_id_case_file")),
        sa.ForeignKeyConstraint(["read_by"], ["user_account.id"], name=op.f("fk_notification_read_by_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index("ix_notification_inbox", "notification", ["agency_code", "district_id", "read_at"])
    op.create_table(
        "rate_limit_window",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_window")),
    )


def _normalise_usernames():
    """Store every name in its compared form. Two accounts that collide (``Police`` beside ``police``)
    keep the older one's name; the newer gets ``~<id>`` appended, so nobody is locked out silently and the
    administrator sees which to merge or disable."""
    conn = op.get_bind()
    users = sa.table("user_account", sa.column("id", sa.Integer), sa.column("username", sa.String),
                     sa.column("display_name", sa.String), sa.column("demo", sa.Boolean))
    taken = set()
    rows = conn.execute(sa.select(users.c.id, users.c.username, users.c.display_name).order_by(users.c.id)).all()
    for user_id, username, display_name in rows:
        name = unicodedata.normalize("NFKC", username).casefold().strip()
        if name in taken:
            name = f"{name}~{user_id}"
        taken.add(name)
        values: dict = {"username": name}
        if OLD_DEMO_USERS.get(username) == display_name:
            values["demo"] = True
        if name != username or "demo" in values:
            conn.execute(users.update().where(users.c.id == user_id).values(**values))


def downgrade():
    op.drop_table("rate_limit_window")
    op.drop_index("ix_notification_inbox", table_name="notification")
    op.drop_table("notification")
    with op.batch_alter_table("risk_clue") as batch:
        batch.drop_constraint("uq_risk_clue_form_token", type_="unique")
        batch.drop_column("form_token")
    with op.batch_alter_table("user_account") as batch:
        for column in ("demo", "reset_token_expires", "reset_token_hash", "must_change_password", "last_login_at",
                       "session_generation"):
            batch.drop_column(column)
