"""The audit chain's hash (engine.auditlog.record.entry_hash, chain): pure, the same for a dict and a row."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from engine.auditlog.record import chain, entry_hash

AT = datetime(2026, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def entry(**changes) -> dict:
    return {"at": AT, "user_id": 3, "action": "open_case", "entity": "case", "entity_id": "5", "case_id": 5,
            "before": None, "after": {"status": "open"}, **changes}


def test_each_entry_links_to_the_hash_before_it():
    rows = chain([entry(), entry(action="assign")], last_id=10, last_hash="0" * 64)
    assert [r["id"] for r in rows] == [11, 12]
    assert rows[0]["prev_hash"] == "0" * 64 and rows[1]["prev_hash"] == rows[0]["hash"]
    assert rows[1]["hash"] == entry_hash(rows[1])


def test_the_hash_is_the_same_for_a_row_read_back_and_in_utc_whatever_the_zone():
    row = {**entry(), "id": 1, "prev_hash": "a" * 64}
    read_back = SimpleNamespace(**{**row, "at": AT.astimezone(timezone.utc)})
    assert entry_hash(row) == entry_hash(read_back)


def test_any_change_of_content_or_link_changes_the_hash():
    row = {**entry(), "id": 1, "prev_hash": "a" * 64}
    for change in ({"after": {"status": "closed"}}, {"user_id": 4}, {"prev_hash": "b" * 64}, {"id": 2}):
        assert entry_hash({**row, **change}) != entry_hash(row), change


def test_a_keyed_hash_differs_from_the_plain_one_and_between_keys():
    row = {**entry(), "id": 1, "prev_hash": "a" * 64}
    plain, keyed = entry_hash(row), entry_hash(row, b"k1")
    assert len(plain) == len(keyed) == 64 and plain != keyed != entry_hash(row, b"k2")
