"""The pyramid PNG: decodes at the right size, is drawn (not blank), reads as a pyramid, and renders both
locales without a warning (no missing Japanese glyphs, no font fallback noise)."""

from __future__ import annotations

import importlib.metadata
import logging
import warnings
from collections.abc import Mapping
from functools import cache
from io import BytesIO
from typing import Literal

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from numpy.typing import NDArray
from PIL import Image

from bot.views import chart
from bot.views.chart import (
    HEIGHT_PX,
    MIN_BAR_WIDTH,
    NAME_MAX_RIGHT,
    OUTLINE,
    STAGE_COLOURS,
    WIDTH_PX,
    ChartFontMissing,
    japanese_font_path,
    pyramid_png,
)

EN_LABELS = {1: "Acquaintance", 2: "Prospect", 3: "Customer", 4: "Repeater"}
JA_LABELS = {1: "知り合い", 2: "見込み顧客", 3: "顧客", 4: "リピーター"}
EN_TITLE = "Team pyramid — week of 2026-11-23"
JA_TITLE = "チームのピラミッド — 2026-11-23の週"
HEALTHY = {1: 142, 2: 61, 3: 23, 4: 7}
LAST_WEEK = {1: 135, 2: 64, 3: 20, 4: 7}

Pixels = NDArray[np.uint8]


def render(
    counts: Mapping[int, int],
    previous: Mapping[int, int] | None = None,
    *,
    locale: Literal["en", "ja"] = "en",
    **kwargs: str,
) -> bytes:
    labels = JA_LABELS if locale == "ja" else EN_LABELS
    title = JA_TITLE if locale == "ja" else EN_TITLE
    return pyramid_png(
        counts, previous, locale=locale, title=kwargs.pop("title", title), stage_labels=labels, **kwargs
    )


@cache
def rendered(counts: tuple[int, ...], previous: tuple[int, ...] | None, locale: Literal["en", "ja"]) -> bytes:
    """One render per input across the module (each takes ~0.1 s)."""
    before = None if previous is None else dict(zip((1, 2, 3, 4), previous, strict=True))
    return render(dict(zip((1, 2, 3, 4), counts, strict=True)), before, locale=locale)


def pixels(png: bytes) -> Pixels:
    with Image.open(BytesIO(png)) as image:
        return np.asarray(image.convert("RGB"))


def row_y(stage: int) -> int:
    """Pixel row (from the top) through a stage's bar, clear of the count's digits."""
    pitch = (chart.ROWS_TOP - chart.ROWS_BOTTOM) / 4
    bar_half = pitch * chart.BAR_HEIGHT_SHARE / 2
    return round(HEIGHT_PX - (chart._row_centre(stage) + bar_half * 0.8))


def matching(image: Pixels, colour: str, *, tolerance: int = 10) -> NDArray[np.bool_]:
    rgb = np.array([round(c * 255) for c in to_rgb(colour)], dtype=np.int16)
    close: NDArray[np.bool_] = np.all(np.abs(image.astype(np.int16) - rgb) <= tolerance, axis=-1)
    return close


def bar_extent(image: Pixels, stage: int) -> tuple[int, int] | None:
    """(left, right) pixel columns of the stage's bar, measured on its colour right of the label column."""
    xs = np.flatnonzero(matching(image[row_y(stage), NAME_MAX_RIGHT:], STAGE_COLOURS[stage]))
    if xs.size == 0:
        return None
    return NAME_MAX_RIGHT + int(xs[0]), NAME_MAX_RIGHT + int(xs[-1])


def bar_width(image: Pixels, stage: int) -> int:
    extent = bar_extent(image, stage)
    return 0 if extent is None else extent[1] - extent[0] + 1


@pytest.fixture
def no_warnings(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Fails on Python warnings (e.g. "Glyph … missing from font(s)") and on matplotlib's logged ones."""
    caplog.set_level(logging.WARNING, logger="matplotlib")
    return caplog


def assert_clean(recwarn: pytest.WarningsRecorder, caplog: pytest.LogCaptureFixture) -> None:
    # ResourceWarnings come from the garbage collector finalising other tests' objects (a database
    # connection), whenever it happens to run: not the chart's business.
    assert [str(w.message) for w in recwarn if not issubclass(w.category, ResourceWarning)] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_png_decodes_at_the_expected_size() -> None:
    png = rendered((142, 61, 23, 7), (135, 64, 20, 7), "en")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (WIDTH_PX, HEIGHT_PX)


def test_png_is_not_blank_and_has_a_white_background() -> None:
    image = pixels(rendered((142, 61, 23, 7), (135, 64, 20, 7), "en"))
    non_white = np.any(image < 245, axis=-1)
    assert non_white.mean() > 0.08
    packed = (image[..., 0].astype(np.uint32) << 16) | (image[..., 1].astype(np.uint32) << 8) | image[..., 2]
    assert len(np.unique(packed)) > 50  # distinct colours
    corners = [image[0, 0], image[0, -1], image[-1, 0], image[-1, -1]]
    assert all(tuple(corner) == (255, 255, 255) for corner in corners)


def test_a_healthy_pyramid_is_wider_at_the_bottom_and_centred() -> None:
    image = pixels(rendered((142, 61, 23, 7), None, "en"))
    widths = [bar_width(image, stage) for stage in (1, 2, 3, 4)]
    assert widths[0] > widths[1] > widths[2] > widths[3] > 0
    # Proportional to the counts (the widest spans the pyramid's full width).
    assert widths[0] == pytest.approx(chart.PYRAMID_WIDTH, abs=3)
    assert widths[1] / widths[0] == pytest.approx(61 / 142, abs=0.02)
    centres = []
    for stage in (1, 2, 3, 4):
        extent = bar_extent(image, stage)
        assert extent is not None
        centres.append((extent[0] + extent[1]) / 2)
    assert max(centres) - min(centres) <= 2


def test_an_inverted_pyramid_is_drawn_inverted() -> None:
    image = pixels(rendered((3, 8, 12, 20), None, "ja"))
    widths = [bar_width(image, stage) for stage in (1, 2, 3, 4)]
    assert widths[0] < widths[1] < widths[2] < widths[3]


def test_a_tiny_stage_keeps_a_minimum_visible_width() -> None:
    image = pixels(rendered((10_000, 0, 1, 0), None, "en"))
    assert bar_width(image, 1) == pytest.approx(chart.PYRAMID_WIDTH, abs=3)
    assert bar_width(image, 3) >= MIN_BAR_WIDTH - 2
    assert bar_width(image, 2) == 0
    assert bar_width(image, 4) == 0


def test_a_zero_stage_keeps_its_row_and_label(
    recwarn: pytest.WarningsRecorder, no_warnings: pytest.LogCaptureFixture
) -> None:
    image = pixels(rendered((12, 0, 5, 2), None, "en"))
    assert bar_width(image, 2) == 0
    assert bar_width(image, 1) > bar_width(image, 3) > bar_width(image, 4) > 0
    # The label column still shows stage 2's badge (in its colour) and name (dark ink).
    label_rows = image[
        round(HEIGHT_PX - chart._row_centre(2)) - 20 : round(HEIGHT_PX - chart._row_centre(2)) + 20
    ]
    assert matching(label_rows[:, : chart.NAME_X], STAGE_COLOURS[2]).sum() > 200
    assert np.any(label_rows[:, chart.NAME_X : NAME_MAX_RIGHT] < 100, axis=-1).sum() > 50
    assert_clean(recwarn, no_warnings)


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_all_zeros_renders(
    locale: Literal["en", "ja"], recwarn: pytest.WarningsRecorder, no_warnings: pytest.LogCaptureFixture
) -> None:
    image = pixels(render({1: 0, 2: 0, 3: 0, 4: 0}, {1: 0, 2: 0, 3: 0, 4: 0}, locale=locale))
    assert image.shape == (HEIGHT_PX, WIDTH_PX, 3)
    assert all(bar_width(image, stage) == 0 for stage in (1, 2, 3, 4))
    assert np.any(image < 245, axis=-1).mean() > 0.01  # title, labels and zeros are still drawn
    assert_clean(recwarn, no_warnings)


def test_missing_stages_count_as_zero() -> None:
    assert render({1: 4}) == render({1: 4, 2: 0, 3: 0, 4: 0})


def test_a_single_huge_stage_renders(
    recwarn: pytest.WarningsRecorder, no_warnings: pytest.LogCaptureFixture
) -> None:
    image = pixels(render({1: 0, 2: 0, 3: 0, 4: 123_456_789}, {4: 120_000_000}))
    assert bar_width(image, 4) == pytest.approx(chart.PYRAMID_WIDTH, abs=3)
    assert [bar_width(image, stage) for stage in (1, 2, 3)] == [0, 0, 0]
    assert_clean(recwarn, no_warnings)


def outline_bands(image: Pixels) -> Pixels:
    """The strips between the top of each bar and the top of its (taller) outline, over the chart area."""
    pitch = (chart.ROWS_TOP - chart.ROWS_BOTTOM) / 4
    bands = []
    for stage in (1, 2, 3, 4):
        centre = HEIGHT_PX - chart._row_centre(stage)
        top = round(centre - pitch * chart.OUTLINE_HEIGHT_SHARE / 2) - 3
        bottom = round(centre - pitch * chart.BAR_HEIGHT_SHARE / 2) - 1
        bands.append(image[top:bottom, NAME_MAX_RIGHT:])
    return np.concatenate(bands)


def test_last_week_is_a_dashed_outline_only_when_given() -> None:
    with_outline = outline_bands(pixels(rendered((142, 61, 23, 7), (135, 64, 20, 7), "en")))
    without = outline_bands(pixels(rendered((142, 61, 23, 7), None, "en")))
    assert matching(with_outline, OUTLINE, tolerance=25).sum() > 500
    assert np.all(without == 255)
    # Dashed: along the top edge of the widest outline, grey alternates with white gaps.
    row = matching(with_outline, OUTLINE, tolerance=60).any(axis=0)
    runs = np.flatnonzero(np.diff(row.astype(np.int8)) != 0)
    assert len(runs) > 40


def test_the_outline_shows_even_when_last_week_was_smaller() -> None:
    # Stage 3 grew from 20 to 23: its outline is narrower than the bar but pokes out above and below it.
    image = pixels(rendered((142, 61, 23, 7), (135, 64, 20, 7), "en"))
    pitch = (chart.ROWS_TOP - chart.ROWS_BOTTOM) / 4
    centre = HEIGHT_PX - chart._row_centre(3)
    above_bar = round(centre - pitch * (chart.BAR_HEIGHT_SHARE + chart.OUTLINE_HEIGHT_SHARE) / 4)
    band = image[above_bar - 8 : above_bar + 8, NAME_MAX_RIGHT:]
    assert matching(band, OUTLINE, tolerance=25).sum() > 20


@pytest.mark.parametrize("locale", ["en", "ja"])
@pytest.mark.parametrize("previous", [None, LAST_WEEK])
def test_both_locales_render_without_warnings(
    locale: Literal["en", "ja"],
    previous: Mapping[int, int] | None,
    recwarn: pytest.WarningsRecorder,
    no_warnings: pytest.LogCaptureFixture,
) -> None:
    png = render(HEALTHY, previous, locale=locale)
    assert pixels(png).shape == (HEIGHT_PX, WIDTH_PX, 3)
    assert_clean(recwarn, no_warnings)


def test_japanese_text_has_no_missing_glyphs() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render(HEALTHY, LAST_WEEK, locale="ja")
        # Japanese inside English text (a team or customer name) falls back to the Japanese font.
        pyramid_png(HEALTHY, LAST_WEEK, locale="en", title="Pyramid — 営業一課", stage_labels=JA_LABELS)
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []
    assert [str(w.message) for w in caught] == []


def test_the_japanese_font_ships_in_an_installed_package() -> None:
    path = japanese_font_path()
    assert path.suffix == ".ttf"
    assert path.stat().st_size > 1_000_000
    assert chart._japanese_family() == "IPAexGothic"


def test_a_missing_font_package_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> importlib.metadata.Distribution:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", not_installed)
    with pytest.raises(ChartFontMissing, match="pip install matplotlib-fontja"):
        japanese_font_path()


def test_output_is_deterministic() -> None:
    first = render(HEALTHY, LAST_WEEK, locale="ja")
    second = render(HEALTHY, LAST_WEEK, locale="ja")
    assert first == second
    assert len(first) == len(second)
    assert render(HEALTHY, LAST_WEEK, locale="en") != first


def test_a_long_title_and_long_labels_shrink_to_fit() -> None:
    long_title = "Team pyramid for the enterprise sales team in Kansai — week of 2026-11-23 (provisional)"
    png = pyramid_png(
        HEALTHY,
        None,
        locale="en",
        title=long_title,
        stage_labels={1: "Acquaintance of an acquaintance", 2: "Prospect", 3: "Customer", 4: "Repeater"},
    )
    image = pixels(png)
    ink = np.any(image < 200, axis=-1)
    assert not ink[:, :4].any() and not ink[:, -4:].any()  # nothing runs off the sides
    # Stage names stay in their column: nothing dark between the column and the widest bar.
    below_title = HEIGHT_PX - chart.ROWS_TOP
    column_gap = slice(NAME_MAX_RIGHT + 2, chart.PYRAMID_CENTRE - chart.PYRAMID_WIDTH // 2 - 2)
    assert not ink[below_title:, column_gap].any()


def test_a_big_count_beside_a_narrow_bar_stays_inside_the_image() -> None:
    image = pixels(render({1: 100_000_000, 2: 1_234_567, 3: 0, 4: 0}, {2: 99_000_000}))
    ink = np.any(image < 200, axis=-1)
    assert not ink[:, -4:].any()
    assert bar_width(image, 2) >= MIN_BAR_WIDTH - 2


def test_custom_legend_label_changes_the_image() -> None:
    assert render(HEALTHY, LAST_WEEK, previous_label="prior week") != render(HEALTHY, LAST_WEEK)


@pytest.mark.parametrize(
    ("counts", "message"),
    [({1: -1}, "negative"), ({5: 3}, "stages are 1-4"), ({0: 3}, "stages are 1-4")],
)
def test_invalid_counts_are_rejected(counts: dict[int, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render(counts)
    with pytest.raises(ValueError, match=message):
        render(HEALTHY, counts)


def test_drawing_leaves_matplotlib_global_state_alone() -> None:
    import sys

    import matplotlib

    family = list(matplotlib.rcParams["font.family"])
    render(HEALTHY, LAST_WEEK, locale="ja")
    assert "matplotlib_fontja" not in sys.modules  # its module code (which sets rcParams) never runs
    assert not hasattr(chart, "pyplot") and not hasattr(chart, "plt")
    assert list(matplotlib.rcParams["font.family"]) == family
