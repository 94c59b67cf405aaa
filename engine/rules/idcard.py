"""Resident ID numbers (居民身份证号码, GB 11643-1999): 18 characters with an ISO 7064 checksum."""
import unicodedata
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
DIGITS = "0123456789"
_FULL_WIDTH = ("\uff01", "\uff5e")   # the full-width forms of ASCII (０-９, Ｘ, ｘ …) a Chinese IME types


def normalise_id(number: str | None) -> str:
    """The number as stored and compared: full-width characters as ASCII, spaces removed, ``x`` upper-case.
    Other look-alike digits (``²``, ``٣``) are left as they are, for ``id_problem`` to refuse."""
    text = "".join(unicodedata.normalize("NFKC", ch) if _FULL_WIDTH[0] <= ch <= _FULL_WIDTH[1] else ch
                   for ch in (number or ""))
    return text.replace(" ", "").replace("\u3000", "").upper()


def checksum_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def id_problem(number: str) -> str | None:
    """Why ``number`` is not a valid resident ID number, or None when it is."""
    if len(number) != 18:
        return "length"
    if not all(ch in DIGITS for ch in number[:17]) or number[17] not in DIGITS + "X":
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
