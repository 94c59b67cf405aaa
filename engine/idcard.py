"""Resident ID numbers (居民身份证号码, GB 11643-1999): 18 characters with an ISO 7064 checksum."""
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def checksum_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def id_problem(number: str) -> str | None:
    """Why ``number`` is not a valid resident ID number, or None when it is."""
    if len(number) != 18:
        return "length"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "characters"
    try:
        birth_date(number)
    except ValueError:
        return "birth_date"
    if checksum_char(number[:17]) != number[17]:
        return "checksum"
    return None


def birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex(number: str) -> str:
    """'M' or 'F' from the order code's last digit (odd: male)."""
    return "M" if int(number[16]) % 2 else "F"
