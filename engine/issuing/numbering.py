"""Gap-free numbers advanced under a row lock: case numbers and document numbers (发文字号).

A document number is counted per issuing office, document type and year, the year taken in China time
(an order issued at 00:30 Beijing time on 1 January belongs to the new year). How it reads is a setting
of each office: its 机关代字 (``doc_prefix``), the code of each type (``type_codes``) and the format
(``number_format``; by default 机关代字类型代字〔年份〕序号号, courts （年份）机关代字类型代字序号号).
"""
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.models import Counter
from engine.reference import DEFAULT_TYPE_CODES, NUMBER_FORMATS, TYPE_CODES
from engine.workflow.clock import CHINA_TZ


def next_value(session: Session, name: str) -> int:
    row = session.get(Counter, name, with_for_update=True)
    if row is None:
        try:
            with session.begin_nested():
                session.add(Counter(name=name, value=0))
        except IntegrityError:
            pass  # another transaction created it first; lock theirs
        row = session.get(Counter, name, with_for_update=True, populate_existing=True)
    row.value += 1
    session.flush()
    return row.value


def china_year(moment: datetime) -> int:
    return moment.astimezone(CHINA_TZ).year


def type_code(office, agency_code: str, doc_type: str) -> str:
    """The office's code for the type, else its agency's default, else the type's."""
    if office.type_codes and doc_type in office.type_codes:
        return office.type_codes[doc_type]
    return default_type_code(agency_code, doc_type)


def default_type_code(agency_code: str, doc_type: str) -> str:
    return TYPE_CODES.get(agency_code, {}).get(doc_type, DEFAULT_TYPE_CODES.get(doc_type, ""))


def number_format(office, agency_code: str) -> str:
    return office.number_format or NUMBER_FORMATS["court" if agency_code == "court" else "default"]


def format_number(fmt: str, prefix: str, code: str, year: int, seq: int) -> str:
    return fmt.format(prefix=prefix, code=code, year=year, seq=seq)


def document_number(session: Session, office, agency_code: str, doc_type: str,
                    moment: datetime) -> tuple[str, int, int]:
    """(number, year, sequence) of the next document of this type from this office."""
    year = china_year(moment)
    sequence = next_value(session, f"doc:{office.id}:{doc_type}:{year}")
    number = format_number(number_format(office, agency_code), office.doc_prefix,
                           type_code(office, agency_code, doc_type), year, sequence)
    return number, year, sequence
