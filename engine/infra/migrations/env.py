"""Alembic environment: runs on the connection handed in by ``engine.infra.schema`` (or the configured URL)."""
from alembic import context

from engine.infra.db import make_engine
from engine.infra.migrations.env_filters import include_object
from engine.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)


def _run(connection):
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
                      include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
