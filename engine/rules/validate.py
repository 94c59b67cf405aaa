"""Reading one field of submitted data, or raising ``InvalidInput`` that names it.

Values may arrive as strings (forms) or as Python values (services called directly).
"""
import unicodedata
from datetime import date, datetime, timedelta

from engine.errors import InvalidInput
from engine.rules.idcard import id_problem, normalise_id
from engine.workflow.clock import CHINA_TZ, clock

EARLIEST = date(1900, 1, 1)
FUTURE_YEARS = 10   # the latest date a field that may lie ahead (a deadline) accepts: today + 10 years


def text(data: dict, field: str, *, required=True, max_len=2000, strip=True) -> str:
    value = data.get(field)
    value = "" if value is None else str(value)
    if strip:
        value = value.strip()
    if _has_control(value):
        raise InvalidInput(field, "含有无效的控制字符。", "This field contains a control character that is not allowed.")
    if not visible(value):
        value = ""  # only spaces or invisible characters (zero-width spaces …): nothing was typed
    if required and not value:
        raise InvalidInput(field, "此项为必填项。", "This field is required.")
    if len(value) > max_len:
        raise InvalidInput(field, f"不能超过 {max_len} 个字符。", f"At most {max_len} characters.")
    return value


def _has_control(value: str) -> bool:
    """NUL and the other C0 controls but tab and line breaks: no database or document takes them."""
    return any(ch < " " and ch not in "\t\r\n" or ch == "\x7f" for ch in value)


def visible(value: str) -> bool:
    """Whether ``value`` shows anything: a name of zero-width spaces or format characters does not."""
    return any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Zl", "Zp", "Mn")
               for ch in value)


def integer(data: dict, field: str, *, low: int, high: int, required=True) -> int | None:
    value = data.get(field)
    if value is None or value == "":
        if required:
            raise InvalidInput(field, "此项为必填项。", "This field is required.")
        return None
    if isinstance(value, bool):
        raise InvalidInput(field, "请填写整数。", "Enter a whole number.")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidInput(field, "请填写整数。", "Enter a whole number.") from None
    if not low <= number <= high:
        raise InvalidInput(field, f"应在 {low} 到 {high} 之间。", f"Must be between {low} and {high}.")
    return number


def boolean(data: dict, field: str, *, required=False) -> bool:
    value = data.get(field)
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        if required:
            raise InvalidInput(field, "请选择是或否。", "Choose yes or no.")
        return False
    text_value = str(value).strip().lower()
    if text_value in ("1", "true", "yes", "y", "on", "是"):
        return True
    if text_value in ("0", "false", "no", "n", "off", "否"):
        return False
    raise InvalidInput(field, "请选择是或否。", "Choose yes or no.")


def day(data: dict, field: str, *, required=True, not_future=True, after: date | None = None) -> date | None:
    value = data.get(field)
    if value is None or value == "":
        if required:
            raise InvalidInput(field, "请填写日期。", "Enter a date.")
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInput(field, "日期格式应为 YYYY-MM-DD。", "Use the date format YYYY-MM-DD.") from None
    if value < EARLIEST:
        raise InvalidInput(field, "日期不合理（早于 1900 年）。", "The date is not plausible (before 1900).")
    if not_future and value > clock.today():
        raise InvalidInput(field, "日期不能晚于今天。", "The date cannot be in the future.")
    if value > latest_day():
        raise InvalidInput(field, f"日期不能晚于 {latest_day().isoformat()}。",
                           f"The date cannot be later than {latest_day().isoformat()}.")
    if after is not None and value <= after:
        raise InvalidInput(field, f"日期应晚于 {after.isoformat()}。", f"The date must be after {after.isoformat()}.")
    return value



def child_birth_date(data: dict, field: str) -> date:
    """A birth date of someone under 18 today (a child of a clue or of the screening register)."""
    birth = day(data, field)
    today = clock.today()
    if (today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))) >= 18:
        raise InvalidInput(field, "儿童应未满 18 周岁。", "The child must be under 18.")
    return birth

def latest_day() -> date:
    today = clock.today()
    return today + timedelta(days=365 * FUTURE_YEARS + FUTURE_YEARS // 4)


def moment(data: dict, field: str, *, not_future=True) -> datetime:
    """A date and time (China time when no offset is given), within the same bounds as ``day``."""
    value = data.get(field)
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            raise InvalidInput(field, "时间格式无效。", "The date and time are not valid.") from None
    day({field: value.date()}, field, not_future=False)  # the bounds of a date, before any time-zone arithmetic
    value = value if value.tzinfo else value.replace(tzinfo=CHINA_TZ)
    if not_future and value > clock.now() + timedelta(minutes=5):
        raise InvalidInput(field, "时间不能晚于现在。", "The time cannot be in the future.")
    return value


def choice(data: dict, field: str, options, *, required=True) -> str | None:
    value = data.get(field)
    value = "" if value is None else str(value).strip()
    if not value:
        if required:
            raise InvalidInput(field, "请选择一项。", "Choose one option.")
        return None
    if value not in options:
        raise InvalidInput(field, "选项无效。", f"'{value}' is not one of the options.")
    return value


def choices(data: dict, field: str, options, *, at_least=0) -> list[str]:
    value = data.get(field) or []
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",") if v.strip()]
    value = [str(v).strip() for v in value]
    unknown = [v for v in value if v not in options]
    if unknown:
        raise InvalidInput(field, f"选项无效：{'、'.join(unknown)}。", f"Not an option: {', '.join(unknown)}.")
    if len(value) < at_least:
        raise InvalidInput(field, f"至少选择 {at_least} 项。", f"Choose at least {at_least}.")
    return sorted(set(value), key=value.index)


def id_number(data: dict, field: str, *, required=False) -> str | None:
    value = normalise_id(text(data, field, required=required, max_len=40))
    if len(value) > 18:
        raise InvalidInput(field, "身份证号码应为 18 位。", "A resident ID number has 18 characters.")
    if not value:
        return None
    problem = id_problem(value)
    messages = {
        "length": ("身份证号码应为 18 位。", "A resident ID number has 18 characters."),
        "characters": ("身份证号码只能包含数字，末位可为 X。", "Digits only; the last may be X."),
        "birth_date": ("身份证号码中的出生日期无效。", "The birth date inside the ID number is not a date."),
        "checksum": ("身份证号码校验位不正确。", "The ID number's check digit is wrong."),
    }
    if problem:
        raise InvalidInput(field, *messages[problem])
    return value
