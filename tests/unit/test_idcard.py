from datetime import date

import pytest

from engine.rules.idcard import birth_date, checksum_char, id_problem, sex


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014", "500105201405010028"])
def test_valid_numbers(number):
    assert id_problem(number) is None


@pytest.mark.parametrize("number, problem", [
    ("11010519491231002", "length"), ("1101051949123100211", "length"), ("11010519491231002A", "characters"),
    ("110105194913310029", "birth_date"), ("110105194912310021", "checksum"),
])
def test_invalid_numbers(number, problem):
    assert id_problem(number) == problem


def test_every_wrong_check_character_is_caught():
    first17 = "11010519491231002"
    for char in "0123456789X":
        assert (id_problem(first17 + char) is None) == (char == checksum_char(first17))


def test_birth_date_and_sex():
    assert birth_date("11010519491231002X") == date(1949, 12, 31)
    assert sex("11010519491231002X") == "F" and sex("440524188001010014") == "M"
