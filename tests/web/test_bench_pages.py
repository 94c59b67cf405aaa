"""bench/pages.py runs against the demo database: every page it measures answers 200 for people of every
role it picks, and it reports each kind of page it timed."""
import argparse
import shutil

from bench import pages


def test_pages_benchmark_runs_on_the_demo_data(demo_db, tmp_path):
    path = tmp_path / "bench.db"
    shutil.copy(demo_db, path)
    args = argparse.Namespace(database_url=f"sqlite:///{path}", per_role=1, rounds=1, seed=1, explain=None,
                              json=str(tmp_path / "pages.json"))
    report = pages.run(args)
    roles = {role for _, role in report["people"]}
    assert {"caseworker", "counsellor", "supervisor", "leader"} <= roles
    assert roles & {"prosecutor", "judge"}, "an officer of the procuratorate or the court with work open"
    for kind in ("inbox", "case_page", "search", "cockpit", "cockpit_cold"):
        assert report["kinds"][kind]["n"] > 0, kind
        assert report["kinds"][kind]["statements_median"] > 0, kind
    assert (tmp_path / "pages.json").read_text(encoding="utf-8").startswith("{")
