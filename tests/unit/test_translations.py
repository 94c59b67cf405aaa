"""The Chinese catalog (web/translations/zh, served for the zh_CN locale) is complete, keeps its placeholders and compiles."""
import gettext
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations"
ZH_PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
POT = TRANSLATIONS / "messages.pot"

# %(name)s, %(n)d, %(x).2f … — the named python-format placeholders, plus bare ones like %s.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0\- +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa])")


def load(path):
    with open(path, "rb") as f:
        return read_po(f)


def ids(message):
    return message.id if isinstance(message.id, tuple) else (message.id,)


def strings(message):
    return message.string if isinstance(message.string, tuple) else (message.string,)


def placeholders(text):
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text.replace("%%", "")))


@pytest.fixture(scope="module")
def zh():
    return load(ZH_PO)


def messages(catalog):
    return [m for m in catalog if m.id]


def test_every_message_is_translated(zh):
    untranslated = [m.id for m in messages(zh) if not all(s and s.strip() for s in strings(m))]
    assert not untranslated, f"untranslated in zh_CN: {untranslated}"


def test_no_fuzzy_translations(zh):
    # Babel skips fuzzy entries when compiling, so a fuzzy entry would show up in English.
    fuzzy = [m.id for m in messages(zh) if m.fuzzy]
    assert not fuzzy, f"fuzzy in zh_CN: {fuzzy}"


def test_placeholders_match(zh):
    wrong = []
    for m in messages(zh):
        expected = placeholders(ids(m)[0])
        for s in strings(m):
            if placeholders(s) != expected:
                wrong.append((m.id, s))
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def test_catalog_covers_the_template():
    pot_ids = {m.id for m in messages(load(POT))}
    zh_ids = {m.id for m in messages(load(ZH_PO))}
    missing = pot_ids - zh_ids
    assert not missing, f"msgids of messages.pot missing from zh_CN (run pybabel update): {sorted(missing, key=str)}"


def test_compiled_catalog_loads(zh, tmp_path):
    mo = tmp_path / "messages.mo"
    with open(mo, "wb") as f:
        write_mo(f, zh)
    with open(mo, "rb") as f:
        translations = gettext.GNUTranslations(f)
    assert translations.gettext("Inbox") == "待办"
    assert translations.gettext("Sign in") == "登录"
    assert translations.gettext("Round %(n)s") % {"n": 2} == "第 2 轮"
    # Every message survives compilation (nothing dropped as fuzzy or empty).
    for m in messages(zh):
        if isinstance(m.id, str):
            assert translations.gettext(m.id) == m.string, m.id


def test_every_message_in_the_sources_is_in_the_catalog(tmp_path):
    """Extract the messages afresh: a string added to a template or view without a translation fails here."""
    from babel.messages.frontend import CommandLineInterface
    root = TRANSLATIONS.parents[1]
    fresh = tmp_path / "fresh.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(root / "babel.cfg"), "-k", "_", "-k", "gettext",
                                "-k", "lazy_gettext", "-o", str(fresh), str(root / "web")])
    source_ids = {m.id for m in messages(load(fresh))}
    assert len(source_ids) > 100
    missing = source_ids - {m.id for m in messages(load(ZH_PO))}
    assert not missing, f"messages without a Chinese translation (run make translations-update): {sorted(missing, key=str)}"
