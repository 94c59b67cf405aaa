"""What vulture reports unused in engine/, web/ and documents/ but is used where it cannot look.

tests/unit/test_static_checks.py runs vulture on those packages with this file (settings: ``[tool.vulture]``
in pyproject.toml, which already leaves out functions registered by a decorator: Flask views and hooks, click
commands, task handlers). Each line names one thing and why it stays; vulture only reads this file. Add a
line only for something used from outside its sight (a template, a library calling back, tests or bench/),
never for what is simply dead: delete that.
"""
# ruff: noqa
# mypy: ignore-errors

# --- read by templates (web/templates, documents/templates), which vulture does not read --------------------
SUPERVISION_CONSEQUENCES  # documents/templates/supervision_order.html.j2 (texts.*)
SUPERVISION_NOTE  # documents/templates/supervision_order.html.j2
GUIDANCE_CONSEQUENCES  # documents/templates/guidance_order.html.j2
REPRIMAND_CONSEQUENCES  # documents/templates/reprimand.html.j2
WARNING_CONSEQUENCES  # documents/templates/warning_letter.html.j2
PROTECTION_CONSEQUENCES  # documents/templates/protection_order.html.j2
_.recipient_label  # documents/templates/base.html.j2 (DocumentType field)
SUPERVISION_STATUSES  # web/templates/case.html: label('SUPERVISION_STATUSES', …) looks the table up by name
_.may_record  # web/templates/services/base.html (Progress field)
_.period_start  # Progress field, filled with the period the row is about (the page shows `period`)
_.period_end  # Progress field, as period_start
_.deliveries_due  # web/templates/admin_api_client.html
_.deliveries_failed  # web/templates/admin_api_client.html
_.case_version  # web/templates/audits.html and the approval queue's forms (the version the user saw)
_.last_report  # web/templates/services/bases.html
_.round_number  # web/templates/audits.html
_.help  # web/templates task forms: a field's help text (task_forms.Field / TaskForm)

# --- libraries that call back by name or read attributes we set -------------------------------------------
_.position_x  # documents/justify.py: WeasyPrint's layout boxes, read by WeasyPrint when it draws
_.pango_layout  # documents/justify.py: WeasyPrint's text boxes
_.impl  # engine/models/base.py: SQLAlchemy TypeDecorator API
_.cache_ok  # SQLAlchemy TypeDecorator API
_.process_bind_param  # SQLAlchemy TypeDecorator API
_.process_result_value  # SQLAlchemy TypeDecorator API
_.type_annotation_map  # SQLAlchemy DeclarativeBase API
_.isolation_level  # engine/infra/db.py: the DBAPI connection's attribute (pysqlite)
compare_to  # engine/infra/migrations/env_filters.py: Alembic's include_object signature
obj  # Alembic's include_object signature
reflected  # Alembic's include_object signature
cost  # engine/rules/passwords.py _dummy_hash: the lru_cache key (one dummy hash per hashing cost)
_.freeze_panes  # openpyxl worksheet API (engine/reads/spreadsheets.py, engine/services/clue_import.py)
_.font  # openpyxl cell API
_.alignment  # openpyxl cell API
_.data_type  # openpyxl cell API
_.__doc__  # engine/reads/cockpit/parent_school_indicators.py: the indicator's description
_.call_service  # engine/workflow/runtime.py: SpiffWorkflow's script engine calls it for service tasks
_.from_dict  # engine/workflow/runtime.py: SpiffWorkflow's serializer converter API
_.lane_id  # engine/workflow/runtime.py: Lane field, the BPMN lane's id
_.api_detail  # web/api: set on flask.g, read by the API's call log hook
_.provide_automatic_options  # web/api: Flask's view-function attribute
_.regex  # web/api: werkzeug BaseConverter API
_.to_python  # werkzeug BaseConverter API
_.to_url  # werkzeug BaseConverter API
converter  # web/api: flask-smorest's converter registration signature
DEFAULT_ERROR_RESPONSE_NAME  # flask-smorest Api subclass attribute
_._register_error_handlers  # flask-smorest Api method, overridden
_.ensure_ascii  # Flask's JSON provider attribute
_._deserialize  # marshmallow Field API
attr  # marshmallow Field._deserialize signature
Meta  # marshmallow schema options
_.max_content_length  # web/casework.py: werkzeug Request attribute
_.is_active  # web/extensions.py: Flask-Login user API
_.is_anonymous  # Flask-Login user API
_.get_id  # Flask-Login user API
_.login_view  # Flask-Login LoginManager setting
_.login_message  # Flask-Login LoginManager setting
_.permanent  # Flask session attribute
_.max_age  # web/main.py: werkzeug Response cache control
DatabaseStorage  # web/rate_limits.py: registered with `limits` by its STORAGE_SCHEME
_.STORAGE_SCHEME  # `limits` Storage registry
_.base_exceptions  # `limits` Storage API
_.incr  # `limits` Storage API
_.get_expiry  # `limits` Storage API

# --- columns and fields written for the record (read by SQL, exports, the API or nobody yet by design) -----
_.created_by  # model columns: who created the row (accountability)
_.staged_id  # engine/models/audit.py column
_.reporter_contact  # engine/models/case.py column; web/api/schemas.py field
_.acknowledged_by  # engine/models/case.py column
_.responded_by  # engine/models/case.py column
_.opened_by  # engine/models/case.py column
_.status_reason  # engine/models/case.py column
_.edited_at  # engine/models/casework.py column
_.assigned_by  # engine/models/casework.py column
_.read_by  # engine/models/notices.py column
_.last_login_at  # engine/models/org.py column
_.planned_minutes  # engine/models/parent_school.py column
_.channel  # engine/models/parent_school.py column
_.next_review  # engine/models/records.py column
_.drafted_by  # engine/models/records.py column
_.recorded_agency  # engine/models/records.py column
_.issued_by  # engine/models/records.py column
_.delivered_by  # engine/models/records.py column
_.completed_at  # engine/models/records.py column
_.rendered_at  # engine/models/records.py column
_.checked_by  # engine/models/records.py column
_.checked_at  # engine/models/records.py column
_.answered_by  # engine/models/records.py column
_.render_state  # engine/models/records.py column
_.reopened_at_step  # engine/models/review.py column
_.drawn_by  # engine/models/review.py column
_.drawn_at  # engine/models/review.py column
_.renewed_at  # engine/models/services.py column
_.renewed_by  # engine/models/services.py column
_.submitted_by  # engine/models/services.py column
_.review_note  # engine/models/services.py column
_.routed_to  # web/api/schemas.py: serialized API field
_.closed  # web/api/schemas.py: serialized API field
_.merged_into_clue  # web/api/schemas.py: serialized API field
_.delivery  # web/api/schemas.py: serialized API field
_.last_check  # web/api/schemas.py: serialized API field
_.completed  # engine/services/loop_reviews.py: SpiffWorkflow's workflow flag, reset for the rework
_.case_opened  # engine/services/reports.py: a result field (tests/integration/test_clue_decisions.py)
_.handling_chases_explained  # engine/rules/closed_loop.py: read with getattr(f, f"{key}_chases_explained")
_.guidance_chases_explained  # as handling_chases_explained
_.follow_up_chases_explained  # as handling_chases_explained
_.plan_min_minutes  # engine/rules/closed_loop.py RoundFacts field (tests/unit/test_closed_loop_rules.py)
_.plan_period_days  # RoundFacts field
_.plan_drafted_at  # RoundFacts field
_.login_rate_limit  # engine/infra/settings.py: read with getattr(gl.settings, …) by web/rate_limits.py
_.verify_rate_limit  # as login_rate_limit

# --- used by tests/ or bench/ only, which vulture is not pointed at ---------------------------------------
ARCHIVE_VARIANT  # documents/render.py: bench/documents.py renders the archival variant
blank_receipt  # documents/samples.py: tests/documents/conftest.py
refused_receipt  # documents/samples.py: tests/documents/conftest.py
samples  # documents/samples.py: tests/unit/test_legal_basis.py
autogenerate  # engine/infra/schema.py: the developer's tool to write a new migration (docstring)
BY_KEY  # engine/reads/cockpit/indicators.py: tests/integration/test_indicators.py
round_checklist  # engine/reads/checklists.py: tests/integration/test_closed_loop.py
CHASED_TASKS  # engine/workflow/catalog.py: tests/unit/test_task_catalog.py ties the chases the models raise to their names
_.ready_user_tasks  # engine/workflow/runtime.py: tests/workflows/conftest.py, tests/integration/test_bulk_copy.py
ALL_FORMS  # web/task_forms.py: tests/unit/test_bench_helpers.py, bench/http_client.py
