"""Helpers for tests that open the grader's HTML pages in a real browser (headless Chromium).

Not a test module. The tests skip when `find_chromium()` is None; `bash .ci/setup` installs Debian's
`chromium` and `fonts-nanum`.

What this Chromium (Debian 150, `--headless=new`) prints, and why `render` injects a probe:
- stderr of a clean page is dozens of `ERROR:dbus/...`, `WARNING:media/gpu/vaapi...`,
  `WARNING:sandbox/...` lines and a shell warning from Debian's /usr/bin/chromium wrapper; none of them
  concern the page, so only the page's console messages (`...:INFO:CONSOLE:<line>] "msg", source: url (line)`)
  and lines naming `net::ERR_` / `Failed to load` are looked at.
- every console message is logged at INFO, whatever its level, so `console.error` cannot be told from
  `console.log`; and a missing <img>/<script>/<link> prints nothing at all. Only uncaught exceptions
  ("Uncaught ...") and blocked requests ("... has been blocked by CORS policy") show up by themselves.
  So `render` loads a copy of the page (in `tmp`) with a small script first in <head> that tags
  console.error/console.warn, reports elements that fail to load and unhandled promise rejections, and a
  <base> that points at the original's folder so relative links and images still resolve as before.
  Both are removed again from `Rendered.dom`.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

TIMEOUT_S = 60
# The font stack the grader's pages use (autograder/feedback.py, autograder/class_report.py).
REPORT_FONTS = '"NanumGothic","Noto Sans CJK KR","Noto Sans KR",sans-serif'
BASE_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage")

_PROBE_TAG = "[browser-probe] "
_PROBE_ATTR = "data-browser-probe"
_PROBE_JS = """(function () {
  var tag = %r;
  function text(args) {
    return Array.prototype.map.call(args, function (a) {
      if (typeof a === "string") return a;
      try { return JSON.stringify(a); } catch (e) { return String(a); }
    }).join(" ");
  }
  ["error", "warn"].forEach(function (level) {
    var original = console[level];
    console[level] = function () { original.call(console, tag + "console." + level + ": " + text(arguments)); };
  });
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName) {
      console.log(tag + "Failed to load <" + t.tagName.toLowerCase() + "> " + (t.currentSrc || t.src || t.href || ""));
    }
  }, true);
  window.addEventListener("unhandledrejection", function (e) {
    console.log(tag + "Uncaught (in promise) " + (e.reason && e.reason.stack || e.reason));
  });
})();
""" % _PROBE_TAG

# `[pid:tid:date/time.us:LEVEL:CONSOLE:line] "message", source: url (line)`; older builds write CONSOLE(line).
_CONSOLE = re.compile(r'^\[[^\]\n]*?:(?P<level>[A-Z]+\d*):CONSOLE[^\]\n]*\] "(?P<msg>.*?)", source: (?P<src>.*?) \(\d+\)$',
                      re.M | re.S)
_ERROR_WORDS = ("Uncaught", "ERROR:CONSOLE", "Failed to load", "net::ERR_", "has been blocked", "Refused to")
# Chromium's own chatter on a machine without dbus, a GPU or a display; never about the page.
_NOISE = re.compile(r"dbus|/gpu/|vaapi|sandbox|bluetooth|idle_linux|google_apis|gaia|segmentation_platform"
                    r"|/usr/bin/chromium|^Histogram:")


@dataclass
class Rendered:
    dom: str  # the serialized DOM after load (and after scripts ran for up to 3 s of virtual time)
    errors: list[str]  # JS errors, console.error, failed loads; empty for a clean page
    console: list[str] = field(default_factory=list)  # every console message, console.error/warn prefixed
    stderr: str = ""  # Chromium's raw stderr, for failure messages
    seconds: float = 0.0

    def text(self, element_id: str) -> str:
        return element_text(self.dom, element_id)


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def korean_font() -> str | None:
    """The family name of an installed font that covers Hangul (NanumGothic when there), or None."""
    if not shutil.which("fc-list"):
        return None
    try:
        out = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families = sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})
    for preferred in ("NanumGothic", "Noto Sans CJK KR", "Noto Sans KR"):
        if preferred in families:
            return preferred
    return families[0] if families else None


def _chromium() -> str:
    path = find_chromium()
    if path is None:
        raise RuntimeError("no chromium on PATH (bash .ci/setup installs Debian's chromium)")
    return path


def _run(args: list[str], tmp: Path) -> tuple[str, str, float]:
    """Run Chromium with a fresh-or-reused profile under tmp; kill its whole process group on timeout."""
    tmp.mkdir(parents=True, exist_ok=True)
    cmd = [_chromium(), *BASE_FLAGS, f"--user-data-dir={tmp / 'profile'}", *args]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            start_new_session=True, cwd=tmp)
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise TimeoutError(f"chromium ran past {TIMEOUT_S} s: {' '.join(cmd)}\n{err.decode(errors='replace')[-3000:]}")
    seconds = time.monotonic() - start
    stderr = err.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"chromium exited {proc.returncode}: {' '.join(cmd)}\n{stderr[-3000:]}")
    return out.decode("utf-8", errors="replace"), stderr, seconds


def _with_probe(html_path: Path, tmp: Path) -> Path:
    """A copy of the page in tmp with the probe script and a <base> at the original's folder."""
    text = html_path.read_text(encoding="utf-8")
    probe_js = tmp / "browser-probe.js"
    probe_js.write_text(_PROBE_JS, encoding="utf-8")
    base = html_path.resolve().parent.as_uri() + "/"
    inject = ("" if re.search(r"<base\b", text, re.I) else f'<base href="{base}" {_PROBE_ATTR}>') + \
        f'<script src="{probe_js.as_uri()}" {_PROBE_ATTR}></script>'
    # After <meta charset> when there is one (it must stay in the first 1024 bytes), else after <head>/<html>.
    for pattern in (r"<meta\s+charset[^>]*>", r"<head\b[^>]*>", r"<html\b[^>]*>", r"<!doctype[^>]*>"):
        match = re.search(pattern, text, re.I)
        if match:
            text = text[:match.end()] + inject + text[match.end():]
            break
    else:
        text = inject + text
    copy = tmp / f"rendered-{html_path.name}"
    copy.write_text(text, encoding="utf-8")
    return copy


def _errors(stderr: str, copy: Path, original: Path) -> tuple[list[str], list[str]]:
    console, errors = [], []
    for match in _CONSOLE.finditer(stderr):
        msg, level = match["msg"], match["level"]
        probed = msg.startswith(_PROBE_TAG)
        msg = msg.removeprefix(_PROBE_TAG)
        console.append(msg)
        source = match["src"].replace(copy.as_uri(), original.resolve().as_uri())
        where = f" ({source})" if source and not probed else ""
        if level == "ERROR" or msg.startswith(("console.error:", "Uncaught")) \
                or (probed and msg.startswith("Failed to load")) \
                or any(word in msg for word in _ERROR_WORDS):
            errors.append(msg + where)
    for line in _CONSOLE.sub("", stderr).splitlines():
        if any(word in line for word in _ERROR_WORDS) and not _NOISE.search(line):
            errors.append(line.strip())
    return console, errors


def render(html_path: Path, tmp: Path) -> Rendered:
    """Load html_path in headless Chromium, let it run 3 s of virtual time, and return the DOM and errors."""
    html_path = Path(html_path)
    if not html_path.is_file():  # Chromium would render its own error page and exit 0
        raise FileNotFoundError(html_path)
    tmp = Path(tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    page = _with_probe(html_path, tmp)
    dom, stderr, seconds = _run(["--virtual-time-budget=3000", "--enable-logging=stderr", "--v=0",
                                 "--dump-dom", page.as_uri()], tmp)
    dom = re.sub(rf"<(base|script)\b[^>]*\b{_PROBE_ATTR}\b[^>]*>(</script>)?", "", dom)
    console, errors = _errors(stderr, page, html_path)
    return Rendered(dom=dom, errors=errors, console=console, stderr=stderr, seconds=seconds)


def screenshot(html_path: Path, png: Path, tmp: Path, width: int = 1200, height: int = 1600) -> None:
    """A PNG of the page's first width x height CSS pixels."""
    html_path, png = Path(html_path), Path(png)
    if not html_path.is_file():
        raise FileNotFoundError(html_path)
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    _, stderr, _ = _run(["--virtual-time-budget=3000", "--hide-scrollbars", f"--window-size={width},{height}",
                         f"--screenshot={png.resolve()}", html_path.resolve().as_uri()], Path(tmp))
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot {png}\n{stderr[-3000:]}")


class _TextOf(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, element_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.element_id, self.depth, self.found, self.skip = element_id, 0, False, 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        if self.depth:
            self.depth += 1
            self.skip += tag in ("script", "style")
        elif not self.found and dict(attrs).get("id") == self.element_id:
            self.found, self.depth = True, 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in self.VOID:
            self.depth -= 1
            self.skip -= self.skip > 0 and tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.parts.append(data)


def element_text(dom: str, element_id: str) -> str:
    """The text content of the element with that id, whitespace collapsed; LookupError when there is none."""
    parser = _TextOf(element_id)
    parser.feed(dom)
    parser.close()
    if not parser.found:
        raise LookupError(f"no element with id={element_id!r}")
    return " ".join("".join(parser.parts).split())


def _ink(image):
    """Per-pixel darkness (0 white .. 1 black) of an RGB(A) float image from matplotlib."""
    return 1.0 - image[..., :3].mean(axis=-1)


def hangul_renders(tmp: Path, font_family: str = REPORT_FONTS) -> bool:
    """True when Hangul is drawn as real glyphs, not as the tofu boxes of a character no font has.

    One page, two boxes of the same size and font: the top one holds Hangul, the bottom one as many
    U+10FFFD (plane-16 private use, in no font). Without a Korean font both draw the same .notdef boxes
    and the halves come out pixel-identical; with one they differ."""
    import matplotlib.image as mpimg
    import numpy as np

    tmp = Path(tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    hangul = "한국어채점보고서"
    tofu = "\U0010FFFD" * len(hangul)
    box = "position:absolute;left:0;width:900px;height:100px;margin:0;padding:0 0 0 10px;" \
          "font-size:64px;line-height:100px;white-space:nowrap;overflow:hidden"
    page = tmp / "hangul-probe.html"
    page.write_text(
        '<!doctype html><html lang="ko"><head><meta charset="utf-8"><style>'
        f"html,body{{margin:0;background:#fff;color:#000;font-family:{font_family}}}</style></head><body>"
        f'<p style="{box};top:0">{hangul}</p><p style="{box};top:100px">{tofu}</p></body></html>',
        encoding="utf-8")
    png = tmp / "hangul-probe.png"
    screenshot(page, png, tmp, width=1000, height=200)
    image = mpimg.imread(png)
    top, bottom = _ink(image[0:100]), _ink(image[100:200])
    if (top > 0.5).sum() < 50:  # nothing drawn at all
        return False
    return int((np.abs(top - bottom) > 0.25).sum()) > 50
