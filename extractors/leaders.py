"""Dotted leaders of a form ("Chiều cao: 1m65 ........ Cân nặng: …"), found and erased before OCR.

Tesseract reads a leader as junk ("……", "ĐO 600", "ÓC") and, at 200 dpi, sometimes loses the
short value beside it or the whole line. A leader is a run of small, round, similar dark
components on one baseline at a regular pitch, with nothing printed just above each dot (so
the lower dot of a colon and a dot under a letter are not taken). The runs are painted
white, so the OCR sees words separated by blank space, and kept as segments in page pixels
(`PageText.leaders`) so the field reader still knows a leader closed the value.
"""

from __future__ import annotations

import bisect

import cv2
import numpy as np

Leader = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the page image

# Sizes in inches, so they hold at any resolution: a leader dot of 10–14 pt type is about
# 0.02 in across, the dots about 0.04 in apart.
DOT_MIN_IN, DOT_MAX_IN = 0.008, 0.035
PITCH_MIN_IN, PITCH_MAX_IN = 0.02, 0.09
MIN_DOTS = 4  # "..." may be an ellipsis in a sentence; four and more at a regular pitch are a leader


def find_and_erase(binary: np.ndarray, dpi: int) -> tuple[np.ndarray, list[Leader]]:
    """The page (black text on white, `preprocess.binarise`) with its dotted leaders painted
    white, and the leaders' segments."""
    ink = cv2.threshold(binary, 127, 1, cv2.THRESH_BINARY_INV)[1]
    _, labels, stats, centers = cv2.connectedComponentsWithStats(ink, connectivity=8)
    lo, hi = max(DOT_MIN_IN * dpi, 1.5), DOT_MAX_IN * dpi
    w, h, area = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_AREA]
    dot = (w >= lo) & (w <= hi) & (h >= lo) & (h <= hi) & (w <= 2 * h) & (h <= 2 * w) \
        & (area >= 0.45 * w * h)
    dot[0] = False  # the background
    dots = [i for i in np.flatnonzero(dot) if _clear_above(ink, stats[i])]
    runs = _runs(dots, stats, centers, dpi)
    if not runs:
        return binary, []
    erased = binary.copy()
    leaders: list[Leader] = []
    for run in runs:
        for i in run:  # the dot's own pixels, within its box
            x, y, w, h = (int(v) for v in stats[i, :4])
            erased[y:y + h, x:x + w][labels[y:y + h, x:x + w] == i] = 255
        x0 = min(stats[i, 0] for i in run)
        y0 = min(stats[i, 1] for i in run)
        x1 = max(stats[i, 0] + stats[i, 2] for i in run)
        y1 = max(stats[i, 1] + stats[i, 3] for i in run)
        leaders.append((float(x0), float(y0), float(x1), float(y1)))
    return erased, leaders


def _clear_above(ink: np.ndarray, stat: np.ndarray) -> bool:
    """Nothing printed just above the dot: not a colon's lower dot, not a mark under a letter."""
    x, y, w, h = (int(v) for v in stat[:4])
    return not ink[max(y - 3 * h, 0):y, x:x + w].any()


def _runs(dots: list[int], stats: np.ndarray, centers: np.ndarray, dpi: int) -> list[list[int]]:
    """Dots chained left to right on one baseline at a regular pitch, MIN_DOTS or more."""
    pitch_lo, pitch_hi = PITCH_MIN_IN * dpi, PITCH_MAX_IN * dpi
    band = max(int(DOT_MAX_IN * dpi), 2)
    bottom = stats[:, 1] + stats[:, 3]
    # Dots bucketed by baseline, each bucket sorted by x: a dot's successor is looked for
    # only among the dots a pitch to its right in its own and the neighbouring buckets.
    rows: dict[int, list[int]] = {}
    for i in sorted(dots, key=lambda i: centers[i, 0]):
        rows.setdefault(int(bottom[i]) // band, []).append(i)
    xs = {key: [float(centers[i, 0]) for i in row] for key, row in rows.items()}
    used: set[int] = set()
    runs: list[list[int]] = []
    for i in sorted(dots, key=lambda i: centers[i, 0]):
        if i in used:
            continue
        run, pitch = [i], 0.0
        while True:
            last = run[-1]
            x, key = float(centers[last, 0]), int(bottom[last]) // band
            best, best_dx = None, pitch_hi + 1
            for row in (key - 1, key, key + 1):
                if row not in rows:
                    continue
                at = bisect.bisect_left(xs[row], x + pitch_lo)
                for j in rows[row][at:]:
                    dx = float(centers[j, 0]) - x
                    if dx > pitch_hi or dx >= best_dx:
                        break
                    if j in used or abs(int(bottom[j]) - int(bottom[last])) > 0.6 * stats[last, 3] + 1:
                        continue
                    if 0.4 <= stats[j, 4] / max(stats[last, 4], 1) <= 2.5:
                        best, best_dx = j, dx
            if best is None or (pitch and not 0.7 * pitch <= best_dx <= 1.4 * pitch):
                break
            pitch = (pitch * (len(run) - 1) + best_dx) / len(run)
            run.append(best)
        if len(run) >= MIN_DOTS:
            used.update(run)
            runs.append(run)
    return runs
