"""Every integration test that uses the engine context runs on SQLite and on PostgreSQL."""
from tests.conftest import backends


def pytest_generate_tests(metafunc):
    if "database_url" in metafunc.fixturenames and "database_url" not in metafunc.fixturenames[:0]:
        if not any(m.name == "parametrize" and "database_url" in m.args[0] for m in metafunc.definition.iter_markers()):
            metafunc.parametrize("database_url", backends(), indirect=True)
