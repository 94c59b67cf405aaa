"""Reading submitted fields (engine.rules.validate): the value, or InvalidInput naming the field."""
from datetime import date, datetime, timedelta, timezone

import pytest

from engine.errors import InvalidInput
from engine.rules import validate as v

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def today(clock):
    clock.set(datetime(2026, 6, 1, 4, 0, tzinfo=timezone.utc))


def refused(call, field: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call()
    assert caught.value.field == field
    return caught.value


def test_text_is_stripped_required_bounded_and_free_of_control_characters():
    assert v.text({"name": "  张三 "}, "name") == "张三"
    assert v.text({}, "name", required=False) == ""
    assert v.text({"name": "\u200b "}, "name", required=False) == ""   # only invisible characters: nothing typed
    assert refused(lambda: v.text({}, "name"), "name").message == "此项为必填项。"
    refused(lambda: v.text({"name": "x" * 11}, "name", max_len=10), "name")
    refused(lambda: v.text({"name": "a\x00b"}, "name"), "name")


def test_integers_booleans_and_choices():
    assert v.integer({"n": "5"}, "n", low=1, high=9) == 5
    refused(lambda: v.integer({"n": "10"}, "n", low=1, high=9), "n")
    refused(lambda: v.integer({"n": "x"}, "n", low=1, high=9), "n")
    assert v.integer({}, "n", low=1, high=9, required=False) is None
    assert v.boolean({"b": "on"}, "b") is True and v.boolean({}, "b") is False
    assert v.choice({"c": " red "}, "c", ("red", "blue")) == "red"
    refused(lambda: v.choice({"c": "green"}, "c", ("red", "blue")), "c")
    assert v.choices({"c": "red，blue,red"}, "c", ("red", "blue")) == ["red", "blue"]
    refused(lambda: v.choices({"c": []}, "c", ("red",), at_least=1), "c")


def test_dates_are_not_in_the_future_unless_allowed_and_within_bounds():
    assert v.day({"d": "2026-05-31"}, "d") == date(2026, 5, 31)
    refused(lambda: v.day({"d": "2026-06-02"}, "d"), "d")
    assert v.day({"d": "2026-06-02"}, "d", not_future=False) == date(2026, 6, 2)
    refused(lambda: v.day({"d": "1899-12-31"}, "d"), "d")
    refused(lambda: v.day({"d": "2026-05-01"}, "d", after=date(2026, 5, 1)), "d")
    assert v.latest_day() > TODAY + timedelta(days=3650)


def test_a_moment_without_offset_is_china_time():
    moment = v.moment({"m": "2026-06-01 09:00"}, "m")
    assert moment == datetime(2026, 6, 1, 1, 0, tzinfo=timezone.utc)
    refused(lambda: v.moment({"m": "2026-06-02T09:00+08:00"}, "m"), "m")


def test_a_childs_birth_date_is_under_eighteen_years_ago():
    assert v.child_birth_date({"b": "2008-06-02"}, "b") == date(2008, 6, 2)
    assert refused(lambda: v.child_birth_date({"b": "2008-06-01"}, "b"), "b").message == "儿童应未满 18 周岁。"


def test_id_numbers_are_normalised_and_checked():
    assert v.id_number({"id": ""}, "id") is None
    assert v.id_number({"id": "11010519491231002x"}, "id") == "11010519491231002X"
    assert "校验位" in refused(lambda: v.id_number({"id": "110105194912310021"}, "id"), "id").message
