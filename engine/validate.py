"""Reading one field of submitted data, or raising ``InvalidInput`` that names it.

Values may arrive as strings (forms) or as Python values (services called directly).
"""
from datetime import date

from .clock import clock
from .errors import InvalidInput
from .idcard import id_problem


def text(data: dict, field: str, *, required=True, max_len=2000) -> str:
    value = data.get(field)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise InvalidInput(field, "此项为必填项。", "This field is required.")
    if len(value) > max_len:
        raise InvalidInput(field, f"不能超过 {max_len} 个字符。", f"At most {max_len} characters.")
    return value


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
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise InvalidInput(field, "日期格式应为 YYYY-MM-DD。", "Use the date format YYYY-MM-DD.") from None
    if not_future and value > clock.today():
        raise InvalidInput(field, "日期不能晚于今天。", "The date cannot be in the future.")
    if after is not None and value <= after:
        raise InvalidInput(field, f"日期应晚于 {after.isoformat()}。", f"The date must be after {after.isoformat()}.")
    if value.year < 1900:
        raise InvalidInput(field, "日期不合理。", "The date is not plausible.")
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
    value = text(data, field, required=required, max_len=18).upper()
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
