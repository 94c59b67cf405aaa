"""Procedure v2: referrals decided by the issuing agencies, orders under supervision, compliance checks,
chases as records, visits by any agency, guardianship changes, mandatory reports, receive-task work items.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chase',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('task_spec', sa.String(length=60), nullable=False),
    sa.Column('late_agency', sa.String(length=40), nullable=True),
    sa.Column('to_agency', sa.String(length=40), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('times', sa.Integer(), nullable=False),
    sa.Column('first_raised_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_raised_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.Column('answered_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('explanation', sa.Text(), nullable=True),
    sa.Column('action', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by'], ['user_account.id'], name=op.f('fk_chase_answered_by_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_chase_case_id_case_file')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_chase_district_id_district')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_chase_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chase'))
    )
    with op.batch_alter_table('chase', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chase_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chase_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chase_task_id'), ['task_id'], unique=False)
        batch_op.create_index('ix_chase_to_agency_open', ['to_agency', 'answered_at'], unique=False)

    op.create_table('compliance_check',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('report_received', sa.Boolean(), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('consequence', sa.String(length=20), nullable=True),
    sa.Column('checked_by', sa.Integer(), nullable=False),
    sa.Column('checked_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_compliance_check_case_id_case_file')),
    sa.ForeignKeyConstraint(['checked_by'], ['user_account.id'], name=op.f('fk_compliance_check_checked_by_user_account')),
    sa.ForeignKeyConstraint(['document_id'], ['document_record.id'], name=op.f('fk_compliance_check_document_id_document_record')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_compliance_check_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_check'))
    )
    with op.batch_alter_table('compliance_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compliance_check_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_compliance_check_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_compliance_check_round_id'), ['round_id'], unique=False)

    op.create_table('order_supervision',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=40), nullable=False),
    sa.Column('report_every', sa.String(length=20), nullable=False),
    sa.Column('chase_every', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('breaches', sa.Integer(), nullable=False),
    sa.Column('last_checked_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_order_supervision_case_id_case_file')),
    sa.ForeignKeyConstraint(['document_id'], ['document_record.id'], name=op.f('fk_order_supervision_document_id_document_record')),
    sa.PrimaryKeyConstraint('document_id', name=op.f('pk_order_supervision'))
    )
    with op.batch_alter_table('order_supervision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_supervision_case_id'), ['case_id'], unique=False)

    op.create_table('referral',
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('issuer', sa.String(length=40), nullable=False),
    sa.Column('proposer', sa.String(length=40), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('rigid', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('judicial_case', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=False),
    sa.Column('proposed_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('findings', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('parent_document_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_referral_case_id_case_file')),
    sa.ForeignKeyConstraint(['decided_by'], ['user_account.id'], name=op.f('fk_referral_decided_by_user_account')),
    sa.ForeignKeyConstraint(['document_id'], ['document_record.id'], name=op.f('fk_referral_document_id_document_record')),
    sa.ForeignKeyConstraint(['parent_document_id'], ['document_record.id'], name=op.f('fk_referral_parent_document_id_document_record')),
    sa.ForeignKeyConstraint(['proposed_by'], ['user_account.id'], name=op.f('fk_referral_proposed_by_user_account')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_referral_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referral_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_approval_referral_id'), ['referral_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_approval_referral_id_referral'), 'referral', ['referral_id'], ['id'])

    with op.batch_alter_table('followup_visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False, server_default='planned'))
        batch_op.add_column(sa.Column('participants', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('recorded_agency', sa.String(length=40), nullable=True))

    with op.batch_alter_table('guardian', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False, server_default='parent'))
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default='active'))
        batch_op.add_column(sa.Column('since', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('status_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('risk_clue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_to', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('ack_due_at', engine.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', engine.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('respond_due_at', engine.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('responded_at', engine.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('responded_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('police_response', sa.Text(), nullable=True))
        batch_op.create_index('ix_risk_clue_report_open', ['report_to', 'district_id', 'responded_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_risk_clue_acknowledged_by_user_account'), 'user_account', ['acknowledged_by'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_risk_clue_responded_by_user_account'), 'user_account', ['responded_by'], ['id'])

    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('steps', sa.JSON(), nullable=True))

    with op.batch_alter_table('work_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), nullable=False, server_default='task'))
        batch_op.add_column(sa.Column('subject', sa.String(length=40), nullable=True))



def downgrade():
    with op.batch_alter_table('work_item', schema=None) as batch_op:
        batch_op.drop_column('subject')
        batch_op.drop_column('kind')

    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('steps')

    with op.batch_alter_table('risk_clue', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_risk_clue_responded_by_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_risk_clue_acknowledged_by_user_account'), type_='foreignkey')
        batch_op.drop_index('ix_risk_clue_report_open')
        batch_op.drop_column('police_response')
        batch_op.drop_column('responded_by')
        batch_op.drop_column('responded_at')
        batch_op.drop_column('respond_due_at')
        batch_op.drop_column('acknowledged_by')
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('ack_due_at')
        batch_op.drop_column('report_to')

    with op.batch_alter_table('guardian', schema=None) as batch_op:
        batch_op.drop_column('status_reason')
        batch_op.drop_column('until')
        batch_op.drop_column('since')
        batch_op.drop_column('status')
        batch_op.drop_column('kind')

    with op.batch_alter_table('followup_visit', schema=None) as batch_op:
        batch_op.drop_column('recorded_agency')
        batch_op.drop_column('participants')
        batch_op.drop_column('kind')

    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_approval_referral_id_referral'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_approval_referral_id'))
        batch_op.drop_column('referral_id')

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_round_id'))
        batch_op.drop_index(batch_op.f('ix_referral_case_id'))

    op.drop_table('referral')
    with op.batch_alter_table('order_supervision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_supervision_case_id'))

    op.drop_table('order_supervision')
    with op.batch_alter_table('compliance_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compliance_check_round_id'))
        batch_op.drop_index(batch_op.f('ix_compliance_check_document_id'))
        batch_op.drop_index(batch_op.f('ix_compliance_check_case_id'))

    op.drop_table('compliance_check')
    with op.batch_alter_table('chase', schema=None) as batch_op:
        batch_op.drop_index('ix_chase_to_agency_open')
        batch_op.drop_index(batch_op.f('ix_chase_task_id'))
        batch_op.drop_index(batch_op.f('ix_chase_round_id'))
        batch_op.drop_index(batch_op.f('ix_chase_case_id'))

    op.drop_table('chase')
