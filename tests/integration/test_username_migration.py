"""Migration 0009 stores every user name in its compared form; a collision keeps the older account's name
and marks the newer one, and only the old demo accounts (name and display name) are flagged as demo."""
from alembic import command
from sqlalchemy import text

from engine.infra.db import make_engine
from engine.infra.schema import alembic_config


def _upgrade(engine, revision):
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_existing_user_names_are_normalised_and_collisions_kept_apart(database_url):
    engine = make_engine(database_url)
    try:
        _upgrade(engine, "0007")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO agency (id, code, name_zh, name_en) VALUES (1, 'police', '公安', 'Police')"))
            conn.execute(text("INSERT INTO district (id, code, name_zh, name_en) VALUES (1, 'JB', '江北区', 'Jiangbei')"))
            for user_id, name, shown in ((1, "police", "江北公安民警·吴强"), (2, "Police", "另一人"),
                                         (3, "ＡＤＭＩＮ２", "管理员"), (4, "admin", "管理员")):
                conn.execute(text("INSERT INTO user_account (id, username, display_name, password_hash, role, "
                                  "agency_id, district_id, active, failed_logins, created_at) VALUES "
                                  "(:id, :name, :shown, 'x', 'caseworker', 1, 1, true, 0, CURRENT_TIMESTAMP)"),
                             {"id": user_id, "name": name, "shown": shown})
        _upgrade(engine, "head")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, username, demo FROM user_account ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "police", True), (2, "police~2", False), (3, "admin2", False),
                                            (4, "admin", False)]
    finally:
        engine.dispose()
