"""The browser helpers (tests/browser.py) on small generated pages; skipped without Chromium."""

from __future__ import annotations

import pytest

from .browser import element_text, find_chromium, hangul_renders, korean_font, render


@pytest.fixture(autouse=True)
def chromium() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip("no chromium: install Debian's chromium (bash .ci/setup does) to run the browser tests")
    return path


def test_korean_page_renders_without_errors(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>채점 결과</title></head>'
                    '<body><h1>채점 결과</h1><p>점수: <span id="score">87.5</span> / 100</p>'
                    '<script>document.getElementById("score").dataset.seen = "1"</script></body></html>',
                    encoding="utf-8")
    rendered = render(page, tmp_path / "chromium")
    assert rendered.errors == []
    assert element_text(rendered.dom, "score") == "87.5"
    assert "채점 결과" in rendered.dom and 'data-seen="1"' in rendered.dom


def test_render_reports_page_errors(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<!doctype html><meta charset="utf-8"><img src="missing.png">'
                    '<script>console.error("나쁨"); undefinedFunction()</script>', encoding="utf-8")
    errors = render(page, tmp_path / "chromium").errors
    assert any("missing.png" in e for e in errors), errors
    assert any("console.error: 나쁨" in e for e in errors), errors
    assert any(e.startswith("Uncaught ReferenceError") for e in errors), errors


def test_hangul_is_drawn_not_tofu(tmp_path):
    if korean_font() is None:
        pytest.skip("no Korean font: install fonts-nanum (or fonts-noto-cjk); bash .ci/setup does")
    assert hangul_renders(tmp_path)
