"""Ruling lines joined into grids: a page's rule segments (`PageText.rules`) merged into
straight lines (a rule found in pieces, or drawn cell by cell, is one line; a slight slant
is kept), and lines that touch one another grouped into tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from schemas.pages import Word

FULL_WIDTH = 0.6  # a horizontal rule this share of the grid's width separates rows
MAX_GAP = 2.0  # pieces of one rule are at most this many tolerances apart along it
MAX_SLOPE = 0.05  # a rule leaning more than this (about 3 degrees) is not trusted to lean

Piece = tuple[float, float, float, float]  # along0, across0, along1, across1


@dataclass(slots=True)
class Line:
    """A ruling line: its segments merged, as across = a + b·along (along = x for a
    horizontal line, y for a vertical one), from `start` to `end` along it."""

    horizontal: bool
    start: float
    end: float
    a: float
    b: float = 0.0

    def at(self, along: float) -> float:
        return self.a + self.b * along


@dataclass(slots=True)
class Grid:
    """One ruled table on a page: rows between full-width horizontal lines, columns between
    the vertical lines that cross its rows."""

    page: int  # index in the run
    rows: list[Line]  # full-width horizontal lines, top to bottom
    columns: list[Line]  # vertical lines, left to right
    left: float
    right: float
    words: list[Word] = field(default_factory=list)

    @property
    def top(self) -> float:
        return self.rows[0].at((self.left + self.right) / 2)

    @property
    def bottom(self) -> float:
        return self.rows[-1].at((self.left + self.right) / 2)

    def x(self, v: Line) -> float:
        """Where a vertical line is, halfway down the grid."""
        return v.at((self.top + self.bottom) / 2)

    def band_middle(self, i: int) -> float:
        centre = (self.left + self.right) / 2
        return (self.rows[i].at(centre) + self.rows[i + 1].at(centre)) / 2

    def contains(self, x: float, y: float) -> bool:
        return self.left <= x <= self.right and self.rows[0].at(x) <= y <= self.rows[-1].at(x)


def merge_rules(rules: Iterable[Sequence[float]], tol: float) -> tuple[list[Line], list[Line]]:
    """Rule segments -> horizontal and vertical lines (collinear pieces merged, fitted)."""
    pieces: dict[bool, list[Piece]] = {True: [], False: []}
    for x0, y0, x1, y1 in rules:
        horizontal = abs(x1 - x0) >= abs(y1 - y0)
        s0, c0, s1, c1 = (x0, y0, x1, y1) if horizontal else (y0, x0, y1, x1)
        if s1 < s0:
            s0, c0, s1, c1 = s1, c1, s0, c0
        pieces[horizontal].append((s0, c0, s1, c1))
    return _merge(pieces[True], True, tol), _merge(pieces[False], False, tol)


def _merge(pieces: list[Piece], horizontal: bool, tol: float) -> list[Line]:
    """Pieces on one line (across within `tol` of its fit), longest first so the fit is
    set by the long ones; then split where a gap along the line is wider than a few `tol`
    (the left borders of two tables one above the other are two lines)."""
    groups: list[tuple[Line, list[Piece]]] = []
    for piece in sorted(pieces, key=lambda p: p[0] - p[2]):
        mid_along, mid_across = (piece[0] + piece[2]) / 2, (piece[1] + piece[3]) / 2
        for line, members in groups:
            if abs(line.at(mid_along) - mid_across) <= tol:
                members.append(piece)
                _fit(line, members, tol)
                break
        else:
            line = Line(horizontal, piece[0], piece[2], 0.0)
            _fit(line, [piece], tol)
            groups.append((line, [piece]))
    lines = []
    for _, members in groups:
        run: list[Piece] = []
        for piece in sorted(members):
            if run and piece[0] > max(p[2] for p in run) + MAX_GAP * tol:
                lines.append(_fitted(horizontal, run, tol))
                run = []
            run.append(piece)
        lines.append(_fitted(horizontal, run, tol))
    return lines


def _fitted(horizontal: bool, members: list[Piece], tol: float) -> Line:
    line = Line(horizontal, 0.0, 0.0, 0.0)
    _fit(line, members, tol)
    return line


def _fit(line: Line, members: list[Piece], tol: float) -> None:
    """Least squares through the members' ends; a short line stays level (the slope of a
    short piece is mostly noise)."""
    along = [v for p in members for v in (p[0], p[2])]
    across = [v for p in members for v in (p[1], p[3])]
    line.start, line.end = min(along), max(along)
    mean_s, mean_c = sum(along) / len(along), sum(across) / len(across)
    spread = sum((s - mean_s) ** 2 for s in along)
    slope = sum((s - mean_s) * (c - mean_c) for s, c in zip(along, across, strict=True)) / spread \
        if spread > 1e-6 else 0.0
    line.b = max(-MAX_SLOPE, min(MAX_SLOPE, slope)) if line.end - line.start > 20 * tol else 0.0
    line.a = mean_c - line.b * mean_s


def _crossing(h: Line, v: Line) -> tuple[float, float]:
    x = v.at(h.at(v.a))
    x = v.at(h.at(x))  # twice: both lines may lean a little
    return x, h.at(x)


def find_grids(hlines: list[Line], vlines: list[Line], tol: float, page: int) -> list[Grid]:
    """Horizontal and vertical lines that touch one another, grouped into tables."""
    parent = list(range(len(hlines) + len(vlines)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hlines):
        for j, v in enumerate(vlines):
            x, y = _crossing(h, v)
            if h.start - tol <= x <= h.end + tol and v.start - tol <= y <= v.end + tol:
                parent[root(i)] = root(len(hlines) + j)
    members: dict[int, tuple[list[Line], list[Line]]] = {}
    for i, line in enumerate([*hlines, *vlines]):
        hs, vs = members.setdefault(root(i), ([], []))
        (hs if line.horizontal else vs).append(line)
    grids = [_grid(hs, vs, tol, page) for hs, vs in members.values() if len(hs) >= 2 and len(vs) >= 2]
    return sorted((g for g in grids if g is not None), key=lambda g: g.top)


def _grid(hs: list[Line], vs: list[Line], tol: float, page: int) -> Grid | None:
    left, right = min(h.start for h in hs), max(h.end for h in hs)
    full = [h for h in hs if h.end - h.start >= FULL_WIDTH * (right - left)]
    middle = (left + right) / 2
    full.sort(key=lambda h: h.at(middle))
    rows: list[Line] = []
    for h in full:  # double rules and near-duplicates: keep the first
        if not rows or h.at(middle) - rows[-1].at(middle) > tol:
            rows.append(h)
    if len(rows) < 2:
        return None
    grid = Grid(page, rows, [], left, right)
    grid.columns = sorted(vs, key=grid.x)
    return grid
