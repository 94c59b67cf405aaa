"""Hostile text in every field is printed as text; nothing is fetched, attached or requested."""
import socket
import threading

import pytest
from weasyprint import HTML

from documents import DOCUMENT_TYPES, render_html, render_pdf
from documents.fetcher import STATIC_BASE_URL, RefusedURL, StaticOnlyFetcher
from documents.samples import sample

from .conftest import poppler, squash, text_of, write


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1 that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    hits, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            hits.append(conn.recv(1024))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join(2)
    server.close()


def hostile(port: int) -> list[str]:
    return [
        "<img src=file:///etc/passwd>",
        "<link rel=attachment href=file:///etc/passwd>",
        "<style>@import url(file:///etc/passwd)</style>",
        f'<img src="http://127.0.0.1:{port}/x.png">',
    ]


def poison(value, payload: str):
    """Append the payload to every string anywhere in the context (names, fields, lists…)."""
    if isinstance(value, str):
        return value + payload
    if isinstance(value, dict):
        return {k: poison(v, payload) for k, v in value.items()}
    if isinstance(value, list):
        return [poison(v, payload) for v in value]
    return value


@pytest.fixture
def fetched(monkeypatch):
    """Spy on the documents' fetcher: every URL WeasyPrint asks it for."""
    urls = []
    original = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        urls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    return urls


@pytest.mark.parametrize("key", sorted(DOCUMENT_TYPES))
def test_hostile_fields_are_text_not_markup(key, listener, fetched):
    port, hits = listener
    payload = "".join(hostile(port))
    ctx = poison(sample(key), payload)
    html = render_html(key, ctx)
    assert "<img src=file" not in html and "<link rel=attachment" not in html and "<style>@import" not in html
    assert "&lt;img src=file:///etc/passwd&gt;" in html

    path = write(render_pdf(key, ctx), f"hostile-{key}")
    text = squash(text_of(path, raw=True))
    for snippet in hostile(port):
        assert squash(snippet) in text, snippet
    assert "0 embedded files" in poppler("pdfdetach", "-list", str(path))
    assert any(u.startswith("data:image/svg+xml") for u in fetched)   # the spy sees the fetches: the QR code
    assert all(u.startswith("data:") or u.startswith(STATIC_BASE_URL) for u in fetched), fetched
    assert not [u for u in fetched if "passwd" in u or "127.0.0.1" in u]
    assert hits == []


def test_the_stylesheet_is_fetched_through_the_fetcher_and_parsed_once_per_process(fetched, monkeypatch):
    from documents import render
    monkeypatch.setitem(render._state, "css", {})
    render_pdf("reprimand", sample("reprimand"))
    render_pdf("duty_notice", sample("duty_notice"))
    assert [u for u in fetched if u.endswith(".css")] == [STATIC_BASE_URL + "gbt9704.css"]


def test_fetcher_is_a_weasyprint_urlfetcher_allowing_only_data_and_static():
    from weasyprint.urls import URLFetcher

    fetcher = StaticOnlyFetcher()
    assert isinstance(fetcher, URLFetcher)
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    assert b"@page" in fetcher.fetch(STATIC_BASE_URL + "gbt9704.css").read()
    for url in ["file:///etc/passwd", STATIC_BASE_URL + "../render.py", STATIC_BASE_URL + "..%2Frender.py",
                "file://evil.example" + STATIC_BASE_URL[7:] + "gbt9704.css", "http://127.0.0.1:9/x.png",
                "https://example.com/", "ftp://example.com/x", "javascript:alert(1)", "gopher://x"]:
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_raw_markup_through_the_fetcher_attaches_and_requests_nothing(tmp_path, listener):
    """Defence in depth: even unescaped markup gets nothing past the fetcher."""
    port, hits = listener
    markup = ('<html lang="zh-CN"><head><link rel="attachment" href="file:///etc/passwd">'
              '<link rel="stylesheet" href="file:///etc/passwd">'
              f'<style>@import url(http://127.0.0.1:{port}/a.css);</style></head><body>'
              f'<img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/x.png">测试</body></html>')
    path = tmp_path / "raw.pdf"
    HTML(string=markup, base_url=STATIC_BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(path)
    assert "0 embedded files" in poppler("pdfdetach", "-list", str(path))
    assert hits == []


def test_default_fetcher_would_have_attached_the_file(tmp_path):
    """Why the fetcher exists: WeasyPrint's default one attaches local files named in markup."""
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    markup = f'<html><head><link rel="attachment" href="{secret.as_uri()}"></head><body>x</body></html>'
    path = tmp_path / "default.pdf"
    HTML(string=markup).write_pdf(path)
    assert "1 embedded files" in poppler("pdfdetach", "-list", str(path))
