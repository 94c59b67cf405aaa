"""The application's PostgreSQL role: what it may do to each table, granted by the owner after migrating.

In production the schema belongs to an *owner* role that runs ``guardloop init`` (migrations); the web,
timer and rendering processes connect as an *application* role that owns nothing. Only a table's owner
(or a superuser) can drop, alter or disable its triggers, and only a superuser can switch triggers off
for a session (``session_replication_role``), so the append-only audit log and the immutable documents
hold against the application's own credentials. On top of the triggers the grants leave out what the
application never does: it never updates or deletes an audit entry or a PDF, and never deletes a document.
"""
from sqlalchemy import inspect, text

# table -> privileges of the application role (every other table: SELECT, INSERT, UPDATE, DELETE)
APP_PRIVILEGES = {
    "audit_entry": "SELECT, INSERT",
    "audit_staged": "SELECT, INSERT, DELETE",       # deleted once chained (the trigger checks)
    "audit_head": "SELECT, UPDATE",
    "document_file": "SELECT, INSERT",
    "document_record": "SELECT, INSERT, UPDATE",    # delivery and supersede only (the trigger checks)
    "alembic_version": "SELECT",
}
DEFAULT_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def grant_app_role(engine, role: str) -> list[str]:
    """Grant ``role`` what the application needs on the current schema's tables (run as the owner, after
    each migration: new tables need their grants). Returns the statements run."""
    if engine.dialect.name != "postgresql":
        raise ValueError("application roles exist on PostgreSQL only")
    quoted = engine.dialect.identifier_preparer.quote(role)
    with engine.begin() as conn:
        schema = engine.dialect.identifier_preparer.quote(conn.execute(text("SELECT current_schema()")).scalar())
        statements = [f"GRANT USAGE ON SCHEMA {schema} TO {quoted}",
                      f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quoted}",
                      f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}"]
        for table in inspect(conn).get_table_names():
            privileges = APP_PRIVILEGES.get(table, DEFAULT_PRIVILEGES)
            statements.append(f"GRANT {privileges} ON {schema}.{engine.dialect.identifier_preparer.quote(table)} "
                              f"TO {quoted}")
        for statement in statements:
            conn.execute(text(statement))
    return statements
