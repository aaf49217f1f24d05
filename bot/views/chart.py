"""The team's customer pyramid as a PNG for the weekly summary: counts in, PNG bytes out.

Pure: no clock, no I/O except reading the Japanese font that ships inside the `matplotlib-fontja`
package. Drawn with the Agg canvas on a standalone `Figure` (no pyplot, so no global figure state).

The canvas is 1000x700 px and is laid out in pixel coordinates (one data unit = one pixel). Slack shows
it at roughly 40 % of that in the message, so every font is sized to stay readable there.
"""

from __future__ import annotations

import importlib.metadata
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Literal

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle
from matplotlib.text import Text

__all__ = ["STAGES", "ChartFontMissing", "bar_width", "japanese_font_path", "pyramid_png"]

STAGES: tuple[int, ...] = (1, 2, 3, 4)

# The font: IPAexGothic, bundled by the `matplotlib-fontja` distribution. Located through the
# distribution's metadata, so its module (which changes matplotlib's global rcParams on import) never runs.
FONT_DISTRIBUTION = "matplotlib-fontja"
FONT_FILE = "matplotlib_fontja/fonts/ipaexg.ttf"
LATIN_FAMILY = "DejaVu Sans"  # ships with matplotlib itself

WIDTH_PX, HEIGHT_PX, DPI = 1000, 700, 100

# Bottom (stage 1) to top (stage 4): one hue per stage, darker towards the top.
STAGE_COLOURS: Mapping[int, str] = {1: "#9FD4C8", 2: "#56ABB0", 3: "#33789E", 4: "#27406E"}
INK = "#1F2933"
MUTED = "#52606D"
OUTLINE = "#7B8794"
BACKGROUND = "#FFFFFF"

DEFAULT_PREVIOUS_LABEL: Mapping[str, str] = {"en": "last week", "ja": "先週"}

# Layout, in pixels from the bottom-left corner.
TITLE_Y = 652
TITLE_MAX_WIDTH = 940
ROWS_TOP, ROWS_BOTTOM = 600, 66
BADGE_X, BADGE_RADIUS = 58, 25
NAME_X, NAME_MAX_RIGHT = 96, 318
PYRAMID_CENTRE, PYRAMID_WIDTH = 652, 620
MIN_BAR_WIDTH = 20.0  # a non-zero stage stays visible however small next to the widest
BAR_HEIGHT_SHARE, OUTLINE_HEIGHT_SHARE = 0.66, 0.84  # of a row; the taller outline shows above and below
COUNT_PADDING = 14

# Font sizes, in points (at 100 dpi one point is 1.39 px).
TITLE_SIZE, NAME_SIZE, BADGE_SIZE, COUNT_SIZE, LEGEND_SIZE = 26.0, 22.0, 20.0, 34.0, 20.0
# An amount under a stage's name (revenue beside counts): the name moves up to make room.
AMOUNT_SIZE, NAME_RAISE, AMOUNT_DROP = 17.0, 14.0, 22.0
MIN_TEXT_SIZE = 11.0
NAME_MIN_SIZE = TITLE_MIN_SIZE = 16.0


class ChartFontMissing(RuntimeError):
    """The Japanese font package is not installed, so the chart cannot be drawn."""


def japanese_font_path() -> Path:
    """The IPAexGothic .ttf shipped inside the installed `matplotlib-fontja` distribution."""
    try:
        distribution = importlib.metadata.distribution(FONT_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as error:
        raise ChartFontMissing(
            f"The pyramid chart needs the Japanese font from the '{FONT_DISTRIBUTION}' package, which is "
            f"not installed: pip install {FONT_DISTRIBUTION}"
        ) from error
    path = Path(str(distribution.locate_file(FONT_FILE)))
    if not path.is_file():
        raise ChartFontMissing(
            f"The '{FONT_DISTRIBUTION}' package is installed but its font {FONT_FILE} is not at {path}: "
            f"reinstall it (pip install --force-reinstall {FONT_DISTRIBUTION})"
        )
    return path


_register_lock = threading.Lock()


@cache
def _japanese_family() -> str:
    """Registers the Japanese font with matplotlib (once per process) and returns its family name."""
    path = japanese_font_path()
    with _register_lock:
        font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


@dataclass(frozen=True)
class _Fonts:
    text: list[str]  # title, stage names, legend: the locale's font first, the other as fallback
    numbers: list[str]  # counts and stage numbers (digits and commas only), in bold


def _fonts(locale: Literal["en", "ja"]) -> _Fonts:
    japanese = _japanese_family()
    first, second = (japanese, LATIN_FAMILY) if locale == "ja" else (LATIN_FAMILY, japanese)
    # Text that may need the fallback stays at normal weight: IPAexGothic has no bold face, and asking
    # for one makes matplotlib log "Failed to find font weight bold" on every draw.
    return _Fonts(text=[first, second], numbers=[LATIN_FAMILY])


def pyramid_png(
    counts: Mapping[int, int],
    previous: Mapping[int, int] | None,
    *,
    locale: Literal["en", "ja"],
    title: str,
    stage_labels: Mapping[int, str],
    previous_label: str | None = None,
    amounts: Mapping[int, str] | None = None,
) -> bytes:
    """The pyramid as a 1000x700 PNG: stage 4 on top, stage 1 at the bottom, bars centred.

    `counts` and `previous` map stage numbers (1-4) to account counts; a missing stage counts 0.
    `previous` (last week) is drawn as a dashed outline behind each bar, with a legend labelled
    `previous_label` (by default "last week" / "先週"); `None` draws neither.
    `amounts` maps stage numbers to a short, already formatted amount ("won ¥1,200,000") written under
    the stage's name, so that revenue 1 < 2 < 3 < 4 reads beside the counts; a missing stage has none.
    """
    if locale not in DEFAULT_PREVIOUS_LABEL:
        raise ValueError(f"unsupported locale: {locale!r}")
    now = _checked(counts, "counts")
    before = None if previous is None else _checked(previous, "previous")
    if previous_label is None:
        previous_label = DEFAULT_PREVIOUS_LABEL[locale]
    fonts = _fonts(locale)

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(figure)  # attaches itself: text is measured and the PNG written with Agg
    try:
        axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
        axes.set_xlim(0, WIDTH_PX)
        axes.set_ylim(0, HEIGHT_PX)
        axes.set_axis_off()
        _draw(axes, now, before, fonts=fonts, title=title, stage_labels=stage_labels, amounts=amounts or {})
        if before is not None:
            _legend(axes, previous_label, fonts)
        buffer = BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, facecolor=BACKGROUND, metadata={"Software": None})
        return buffer.getvalue()
    finally:
        figure.clear()


def _checked(counts: Mapping[int, int], name: str) -> dict[int, int]:
    unknown = [stage for stage in counts if stage not in STAGES]
    if unknown:
        raise ValueError(f"{name}: stages are 1-4, got {sorted(unknown)!r}")
    result = {stage: int(counts.get(stage, 0)) for stage in STAGES}
    negative = {stage: count for stage, count in result.items() if count < 0}
    if negative:
        raise ValueError(f"{name}: counts cannot be negative, got {negative!r}")
    return result


def bar_width(count: int, widest: int) -> float:
    """Width in pixels: proportional to the count, at least MIN_BAR_WIDTH when non-zero, 0 for zero."""
    if count <= 0 or widest <= 0:
        return 0.0
    return max(MIN_BAR_WIDTH, PYRAMID_WIDTH * count / widest)


def _row_centre(stage: int) -> float:
    pitch = (ROWS_TOP - ROWS_BOTTOM) / len(STAGES)
    return ROWS_BOTTOM + pitch * (stage - 0.5)


def _draw(
    axes: Axes,
    now: Mapping[int, int],
    before: Mapping[int, int] | None,
    *,
    fonts: _Fonts,
    title: str,
    stage_labels: Mapping[int, str],
    amounts: Mapping[int, str],
) -> None:
    title_text = axes.text(
        WIDTH_PX / 2,
        TITLE_Y,
        title,
        ha="center",
        va="center",
        color=INK,
        fontsize=TITLE_SIZE,
        family=fonts.text,
    )
    _fit(title_text, TITLE_MAX_WIDTH, min_size=TITLE_MIN_SIZE)

    # One scale for both weeks, so last week's outline compares with this week's bar.
    widest = max([*now.values(), *(before.values() if before is not None else [])])
    pitch = (ROWS_TOP - ROWS_BOTTOM) / len(STAGES)
    names: list[Text] = []
    for stage in STAGES:
        y = _row_centre(stage)
        colour = STAGE_COLOURS[stage]

        axes.add_patch(Circle((BADGE_X, y), BADGE_RADIUS, facecolor=colour, edgecolor="none"))
        axes.text(
            BADGE_X,
            y,
            str(stage),
            ha="center",
            va="center_baseline",
            color=_ink_on(colour),
            fontsize=BADGE_SIZE,
            fontweight="bold",
            family=fonts.numbers,
        )
        amount = amounts.get(stage)
        name = axes.text(
            NAME_X,
            y + NAME_RAISE if amount else y,
            stage_labels.get(stage, ""),
            ha="left",
            va="center_baseline",
            color=INK,
            fontsize=NAME_SIZE,
            family=fonts.text,
        )
        names.append(name)
        if amount:
            amount_text = axes.text(
                NAME_X,
                y - AMOUNT_DROP,
                amount,
                ha="left",
                va="center_baseline",
                color=MUTED,
                fontsize=AMOUNT_SIZE,
                family=fonts.text,
            )
            _fit(amount_text, NAME_MAX_RIGHT - NAME_X)

        width = bar_width(now[stage], widest)
        previous_width = bar_width(before[stage], widest) if before is not None else 0.0
        if before is not None and previous_width > 0:
            outline_height = pitch * OUTLINE_HEIGHT_SHARE
            axes.add_patch(
                Rectangle(
                    (PYRAMID_CENTRE - previous_width / 2, y - outline_height / 2),
                    previous_width,
                    outline_height,
                    facecolor="none",
                    edgecolor=OUTLINE,
                    linewidth=2.0,
                    linestyle=(0, (4, 3)),
                    zorder=1,
                )
            )
        if width > 0:
            bar_height = pitch * BAR_HEIGHT_SHARE
            axes.add_patch(
                Rectangle(
                    (PYRAMID_CENTRE - width / 2, y - bar_height / 2),
                    width,
                    bar_height,
                    facecolor=colour,
                    edgecolor="none",
                    zorder=2,
                )
            )
        _count(axes, now[stage], y, width, previous_width, colour, fonts)

    # A long stage name shrinks to fit its column, and the others with it so that all four match, down to
    # NAME_MIN_SIZE; a name still too long at that size is cut short.
    for name in names:
        _fit(name, NAME_MAX_RIGHT - NAME_X, min_size=NAME_MIN_SIZE)
    size = min(float(name.get_fontsize()) for name in names)
    for name in names:
        name.set_fontsize(size)


def _count(
    axes: Axes, count: int, y: float, width: float, previous_width: float, colour: str, fonts: _Fonts
) -> None:
    """The count inside its bar when it fits; otherwise beside the bar, clear of last week's outline."""
    label = axes.text(
        PYRAMID_CENTRE,
        y,
        f"{count:,}",
        ha="center",
        va="center_baseline",
        color=_ink_on(colour),
        fontsize=COUNT_SIZE,
        fontweight="bold",
        family=fonts.numbers,
        zorder=3,
    )
    text_width = _width_px(label)
    if width >= text_width + 2 * COUNT_PADDING:
        return
    label.set_color(INK if count > 0 else MUTED)
    if width == 0 and (previous_width == 0 or previous_width >= text_width + 2 * COUNT_PADDING):
        return  # no bar: the count sits where the bar would be (inside last week's outline, if any)
    outline_right = PYRAMID_CENTRE + previous_width / 2
    left = PYRAMID_CENTRE + width / 2 + COUNT_PADDING
    if left + text_width > outline_right - COUNT_PADDING and left < outline_right + COUNT_PADDING:
        # It would cross the outline's right edge: beyond the outline if there is room, else inside it.
        beyond = outline_right + COUNT_PADDING
        if beyond + text_width <= WIDTH_PX - COUNT_PADDING:
            left = beyond
    label.set_horizontalalignment("left")
    label.set_x(left)
    _fit(label, WIDTH_PX - COUNT_PADDING - left)


def _legend(axes: Axes, label: str, fonts: _Fonts) -> None:
    handle = Rectangle(
        (0, 0), 1, 1, facecolor="none", edgecolor=OUTLINE, linewidth=2.0, linestyle=(0, (4, 3))
    )
    axes.legend(
        handles=[handle],
        labels=[label],
        loc="lower right",
        bbox_to_anchor=(0.985, 0.0),
        frameon=False,
        handlelength=2.2,
        handleheight=1.1,
        prop=font_manager.FontProperties(family=fonts.text, size=LEGEND_SIZE),
        labelcolor=MUTED,
    )


def _width_px(text: Text) -> float:
    """Width in pixels, measured with the figure's own (Agg) renderer."""
    return float(text.get_window_extent().width)


def _fit(text: Text, max_width: float, *, min_size: float = MIN_TEXT_SIZE) -> None:
    """Shrinks the text's font until it is at most `max_width` pixels wide; at `min_size`, cuts it short
    with an ellipsis instead."""
    size = float(text.get_fontsize())
    for _ in range(8):
        width = _width_px(text)
        if width <= max_width or size <= min_size:
            break
        size = max(min_size, size * max_width / width * 0.98)
        text.set_fontsize(size)
    full = text.get_text()
    keep = len(full)
    while keep > 1 and _width_px(text) > max_width:
        keep -= 1
        text.set_text(full[:keep].rstrip() + "…")


def _ink_on(colour: str) -> str:
    """Dark text on light fills, white on dark ones."""
    red, green, blue = to_rgb(colour)
    return INK if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.55 else "#FFFFFF"
