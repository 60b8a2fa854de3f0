"""Ruling lines of a page: the horizontal and vertical strokes that draw table cells.

Scans: the evenly lit page is binarised with a generous threshold (not the OCR's median
and Otsu, which break the one-pixel rules of bilevel scans into dashes), then a
morphological opening with long, thin kernels keeps only strokes longer than any letter;
each remaining stroke becomes one segment, its ends fitted on the stroke, so a slightly
slanted rule stays one segment. 300 dpi pages are searched at half size. A few
milliseconds a page.
"""

from __future__ import annotations

import cv2
import numpy as np

Rule = tuple[float, float, float, float]  # x0, y0, x1, y1 in the page's word units

# A rule is at least this long (inches): longer than any letter stroke, shorter than the
# narrowest cell (a one-line row of a salary grid is about 0.25 in tall).
MIN_RULE_IN = 0.18
# Pixels darker than this (0–255, on the evenly lit page) are ink. Generous: faint, thin
# rules count, and what is not a long straight stroke is dropped anyway.
INK_LEVEL = 160
# Pages of at least twice this resolution are searched at half size.
WORK_DPI = 150


def find_rules(evened: np.ndarray, dpi: int) -> list[Rule]:
    """Horizontal and vertical rule segments of an upright grey page on white paper
    (`preprocess.even_light`), in pixels of that image."""
    _, ink = cv2.threshold(evened, INK_LEVEL - 1, 255, cv2.THRESH_BINARY_INV)
    scale = 0.5 if dpi >= 2 * WORK_DPI else 1.0  # an exact half: cheap and faithful
    if scale < 1.0:
        half = (max(ink.shape[1] // 2, 1), max(ink.shape[0] // 2, 1))
        ink = cv2.resize(ink, half, interpolation=cv2.INTER_AREA)
        _, ink = cv2.threshold(ink, 60, 255, cv2.THRESH_BINARY)  # one ink pixel of four
    length = max(int(MIN_RULE_IN * (dpi or 200) * scale), 9)
    found = [*_strokes(ink, length, horizontal=True), *_strokes(ink, length, horizontal=False)]
    return [(x0 / scale, y0 / scale, x1 / scale, y1 / scale) for x0, y0, x1, y1 in found]


def _strokes(ink: np.ndarray, length: int, horizontal: bool) -> list[Rule]:
    shape = (length, 1) if horizontal else (1, length)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, shape)
    mask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    rules: list[Rule] = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        long_side, short_side = (w, h) if horizontal else (h, w)
        if long_side < length or short_side > long_side / 4:
            continue  # a blob (a seal, a photo), not a stroke
        rules.append(_segment(contour.reshape(-1, 2).astype(np.float64), horizontal))
    return rules


def _segment(points: np.ndarray, horizontal: bool) -> Rule:
    """The stroke's centre line from end to end: the mean of its outline near each end."""
    along, across = (points[:, 0], points[:, 1]) if horizontal else (points[:, 1], points[:, 0])
    lo, hi = float(along.min()), float(along.max())
    end = max(min((hi - lo) / 8, 40.0), 1.0)
    first = float(across[along <= lo + end].mean()) + 0.5
    last = float(across[along >= hi - end].mean()) + 0.5
    if horizontal:
        return round(lo, 1), round(first, 1), round(hi + 1, 1), round(last, 1)
    return round(first, 1), round(lo, 1), round(last, 1), round(hi + 1, 1)
