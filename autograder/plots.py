"""The class report's plots: matplotlib with the Agg backend (no display), as inline SVG.

Korean labels need a font that has Hangul: on a bare Debian matplotlib has none and draws empty
boxes. `korean_font()` looks for one among the installed fonts (Debian's fonts-nanum or
fonts-noto-cjk, which `.ci/setup` installs); when there is none, every label is English only,
never boxes. SVG text is kept as text (`svg.fonttype = none`), so the browser draws it with the
page's fonts and the numbers stay searchable.
"""

from __future__ import annotations

import io
import threading
from functools import cache
from pathlib import Path
from typing import Sequence

from .catalog import Msg, render

HANGUL_SAMPLE = "점수학생"


@cache
def korean_font() -> str | None:
    """The family name of an installed font that covers Hangul, or None."""
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    preferred = ("NanumGothic", "Noto Sans CJK KR", "Noto Sans KR", "UnDotum", "Baekmuk Gulim")
    # matplotlib's own fonts (mpl-data) include "Last Resort", which claims every character and
    # draws each as a box: never a Korean font.
    bundled = Path(matplotlib.get_data_path()).resolve()
    fonts = sorted((f for f in font_manager.fontManager.ttflist if bundled not in Path(f.fname).resolve().parents),
                   key=lambda f: (f.name not in preferred, f.name))
    for font in fonts:
        try:
            charmap = FT2Font(font.fname).get_charmap()
        except (OSError, RuntimeError, ValueError):
            continue
        if all(ord(char) in charmap for char in HANGUL_SAMPLE):
            return font.name
    return None


def prepare_in_background() -> None:
    """Import matplotlib and find the Korean font on a thread while a batch is graded. The class
    report's plots are drawn after the last submission; paid then, the import (about 1 s) and the
    font search stand between the last result and "Done". During the zygote's start-up a core is
    idle, and a later `_figure` that finds the import still running waits for it (the import lock)."""
    def prepare() -> None:
        _figure_module()
        korean_font()

    threading.Thread(target=prepare, name="plots-prepare").start()  # not a daemon: never cut off mid-import at exit


def _figure_module():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def label(text: Msg) -> str:
    """A plot label from the catalog, in both languages when Hangul can be drawn, else in English."""
    english = render(text, "en")
    return f"{render(text, 'ko')} / {english}" if korean_font() else english


def _figure(width: float = 6.0, height: float = 2.4):
    pyplot = _figure_module()
    font = korean_font()
    pyplot.rcParams["svg.fonttype"] = "none"
    pyplot.rcParams["font.family"] = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    return pyplot, *pyplot.subplots(figsize=(width, height))


def _svg(pyplot, figure) -> str:
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    pyplot.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def histogram(values: Sequence[float], low: float, high: float, xlabel: str, ylabel: str,
              threshold: float | None = None, threshold_label: str = "") -> str:
    """A histogram as inline SVG; with `threshold`, a dashed line where a check's minimum lies."""
    pyplot, figure, axes = _figure()
    axes.hist(list(values), bins=20, range=(low, high if high > low else low + 1), color="#4c72b0", edgecolor="white")
    if threshold is not None:
        axes.axvline(threshold, color="#c62828", linestyle="--", label=threshold_label)
        axes.legend(loc="upper left", frameon=False)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    return _svg(pyplot, figure)
