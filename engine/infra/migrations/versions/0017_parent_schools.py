"""Parent schools: courses, sessions, attendance, the participant register, certificates, public links (QR
sign-in and survey forms), satisfaction surveys, and the courses a guidance plan requires.

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa
import engine.models.base


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ps_course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('school_year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('provider_kind', sa.String(length=20), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('provider_name', sa.String(length=120), nullable=False),
    sa.Column('planned_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('agency', sa.String(length=40), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_ps_course_created_by_user_account')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_ps_course_district_id_district')),
    sa.ForeignKeyConstraint(['provider_id'], ['guidance_provider.id'], name=op.f('fk_ps_course_provider_id_guidance_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_course'))
    )
    with op.batch_alter_table('ps_course', schema=None) as batch_op:
        batch_op.create_index('ix_ps_course_district_year', ['district_id', 'school_year'], unique=False)

    op.create_table('ps_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.String(length=5), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['ps_course.id'], name=op.f('fk_ps_session_course_id_ps_course')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_ps_session_created_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_session'))
    )
    with op.batch_alter_table('ps_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ps_session_course_id'), ['course_id'], unique=False)

    op.create_table('ps_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('phone_last4', sa.String(length=4), nullable=True),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('child_school', sa.String(length=120), nullable=True),
    sa.Column('guardian_id', sa.Integer(), nullable=True),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_ps_participant_district_id_district')),
    sa.ForeignKeyConstraint(['guardian_id'], ['guardian.id'], name=op.f('fk_ps_participant_guardian_id_guardian')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_participant')),
    sa.UniqueConstraint('district_id', 'phone', name='uq_ps_participant_district_phone'),
    sa.UniqueConstraint('id_number', name=op.f('uq_ps_participant_id_number'))
    )
    with op.batch_alter_table('ps_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ps_participant_guardian_id'), ['guardian_id'], unique=False)
        batch_op.create_index('ix_ps_participant_name_last4', ['district_id', 'name', 'phone_last4'], unique=False)

    op.create_table('ps_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('school_year', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['ps_course.id'], name=op.f('fk_ps_attendance_course_id_ps_course')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_ps_attendance_district_id_district')),
    sa.ForeignKeyConstraint(['participant_id'], ['ps_participant.id'], name=op.f('fk_ps_attendance_participant_id_ps_participant')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], name=op.f('fk_ps_attendance_recorded_by_user_account')),
    sa.ForeignKeyConstraint(['session_id'], ['ps_session.id'], name=op.f('fk_ps_attendance_session_id_ps_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_attendance')),
    sa.UniqueConstraint('session_id', 'participant_id', name='uq_ps_attendance_session_participant')
    )
    with op.batch_alter_table('ps_attendance', schema=None) as batch_op:
        batch_op.create_index('ix_ps_attendance_district_day', ['district_id', 'held_on', 'participant_id'], unique=False)
        batch_op.create_index('ix_ps_attendance_participant_year', ['participant_id', 'school_year'], unique=False)

    op.create_table('ps_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('school_year', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('earned_on', sa.Date(), nullable=False),
    sa.Column('issuer', sa.String(length=120), nullable=False),
    sa.Column('issued_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_ps_certificate_district_id_district')),
    sa.ForeignKeyConstraint(['participant_id'], ['ps_participant.id'], name=op.f('fk_ps_certificate_participant_id_ps_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_certificate')),
    sa.UniqueConstraint('code', name=op.f('uq_ps_certificate_code')),
    sa.UniqueConstraint('number', name=op.f('uq_ps_certificate_number')),
    sa.UniqueConstraint('participant_id', 'school_year', name='uq_ps_certificate_participant_year')
    )
    with op.batch_alter_table('ps_certificate', schema=None) as batch_op:
        batch_op.create_index('ix_ps_certificate_district_earned', ['district_id', 'earned_on'], unique=False)

    op.create_table('ps_plan_requirement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('kinds', sa.String(length=80), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_ps_plan_requirement_case_id_case_file')),
    sa.ForeignKeyConstraint(['guardian_id'], ['guardian.id'], name=op.f('fk_ps_plan_requirement_guardian_id_guardian')),
    sa.ForeignKeyConstraint(['plan_id'], ['guidance_plan.id'], name=op.f('fk_ps_plan_requirement_plan_id_guidance_plan')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_ps_plan_requirement_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_plan_requirement')),
    sa.UniqueConstraint('plan_id', 'guardian_id', name='uq_ps_plan_requirement_plan_guardian')
    )
    with op.batch_alter_table('ps_plan_requirement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ps_plan_requirement_round_id'), ['round_id'], unique=False)

    op.create_table('ps_public_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['ps_course.id'], name=op.f('fk_ps_public_link_course_id_ps_course')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_ps_public_link_created_by_user_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['guidance_plan.id'], name=op.f('fk_ps_public_link_plan_id_guidance_plan')),
    sa.ForeignKeyConstraint(['session_id'], ['ps_session.id'], name=op.f('fk_ps_public_link_session_id_ps_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_public_link')),
    sa.UniqueConstraint('token', name=op.f('uq_ps_public_link_token'))
    )
    op.create_table('ps_survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=10), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('provider_label', sa.String(length=120), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('overall', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('submitted_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['ps_course.id'], name=op.f('fk_ps_survey_response_course_id_ps_course')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_ps_survey_response_district_id_district')),
    sa.ForeignKeyConstraint(['plan_id'], ['guidance_plan.id'], name=op.f('fk_ps_survey_response_plan_id_guidance_plan')),
    sa.ForeignKeyConstraint(['provider_id'], ['guidance_provider.id'], name=op.f('fk_ps_survey_response_provider_id_guidance_provider')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], name=op.f('fk_ps_survey_response_recorded_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ps_survey_response'))
    )
    with op.batch_alter_table('ps_survey_response', schema=None) as batch_op:
        batch_op.create_index('ix_ps_survey_district_submitted', ['district_id', 'submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ps_survey_response_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ps_survey_response_plan_id'), ['plan_id'], unique=False)



def downgrade():
    with op.batch_alter_table('ps_survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ps_survey_response_plan_id'))
        batch_op.drop_index(batch_op.f('ix_ps_survey_response_course_id'))
        batch_op.drop_index('ix_ps_survey_district_submitted')

    op.drop_table('ps_survey_response')
    op.drop_table('ps_public_link')
    with op.batch_alter_table('ps_plan_requirement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ps_plan_requirement_round_id'))

    op.drop_table('ps_plan_requirement')
    with op.batch_alter_table('ps_certificate', schema=None) as batch_op:
        batch_op.drop_index('ix_ps_certificate_district_earned')

    op.drop_table('ps_certificate')
    with op.batch_alter_table('ps_attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_ps_attendance_participant_year')
        batch_op.drop_index('ix_ps_attendance_district_day')

    op.drop_table('ps_attendance')
    with op.batch_alter_table('ps_participant', schema=None) as batch_op:
        batch_op.drop_index('ix_ps_participant_name_last4')
        batch_op.drop_index(batch_op.f('ix_ps_participant_guardian_id'))

    op.drop_table('ps_participant')
    with op.batch_alter_table('ps_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ps_session_course_id'))

    op.drop_table('ps_session')
    with op.batch_alter_table('ps_course', schema=None) as batch_op:
        batch_op.drop_index('ix_ps_course_district_year')

    op.drop_table('ps_course')
