"""Masking a child's personal data wherever it is listed (lists, searches, exports, dashboards)."""


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_id(number: str | None) -> str:
    if not number:
        return ""
    return number[:6] + "*" * 8 + number[-4:]
