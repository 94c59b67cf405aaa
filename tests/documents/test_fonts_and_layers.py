"""check_fonts, the once-per-process font check, and the layer rule (documents imports only plain data)."""
import ast
from pathlib import Path

import pytest

import documents
from documents import FontsMissing, check_fonts, fonts, render


def test_check_fonts_passes_with_noto_cjk_installed():
    check_fonts()
    assert any("CJK" in family for family in fonts.cjk_families())


def test_check_fonts_raises_in_chinese_and_english_without_cjk_font(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_families", lambda: [])
    with pytest.raises(FontsMissing) as error:
        check_fonts()
    assert "未找到中文字体" in str(error.value) and "No CJK font" in str(error.value)
    assert "fonts-noto-cjk" in str(error.value)


def test_render_pdf_refuses_without_cjk_font_and_checks_once(monkeypatch):
    calls = []
    monkeypatch.setattr(fonts, "cjk_families", lambda: calls.append(1) or [])
    monkeypatch.setitem(render._state, "fonts_ok", False)
    with pytest.raises(FontsMissing):
        documents.render_pdf("reprimand", {"fields": {}}, draft=True)
    monkeypatch.setattr(fonts, "cjk_families", lambda: calls.append(1) or ["Noto Serif CJK SC"])
    documents.render_pdf("reprimand", {"fields": {}}, draft=True)
    documents.render_pdf("reprimand", {"fields": {}}, draft=True)
    assert len(calls) == 2                       # once failing, once passing, then never again


def test_one_font_configuration_and_environment_per_process():
    documents.render_pdf("reprimand", {"fields": {}}, draft=True)
    config, env = render.font_config(), render.environment()
    documents.render_pdf("reprimand", {"fields": {}}, draft=True)
    assert render.font_config() is config and render.environment() is env
    assert env.autoescape is True


def test_documents_import_nothing_of_engine_web_or_flask():
    root = Path(documents.__file__).resolve().parent
    forbidden = {"engine", "web", "flask", "werkzeug", "flask_babel", "sqlalchemy"}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert not {n.split(".")[0] for n in names} & forbidden, (path, names)


def test_templates_never_mark_anything_safe():
    root = Path(documents.__file__).resolve().parent / "templates"
    for path in root.glob("*.j2"):
        text = path.read_text()
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, path
