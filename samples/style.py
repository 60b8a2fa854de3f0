"""How one office typed its forms: the typographic choices a dossier's papers share, drawn from
the seed so that no two dossiers look quite alike (font, size, spacing, margins, dotted leaders,
how dates and item numbers are written, table column widths). Realistic ranges: what forms
filled in Word look like."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import date

from samples.layout import BODY

# Times New Roman's metric twin is by far the most common; Arial-like and DejaVu faces vary it.
FONT_WEIGHTS = {"liberation-serif": 45, "liberation-sans": 20, "dejavu-serif": 13,
                "dejavu-serif-condensed": 12, "dejavu-sans-condensed": 10}
DATE_FORMATS = ("dd/mm/yyyy", "d/m/yyyy", "dd-mm-yyyy")
NUMBERING = (")", ".", "-")


@dataclass(frozen=True, slots=True)
class Style:
    family: str  # a key of samples.layout.FAMILIES
    size: float  # body text, px at 300 dpi (48 px = 11.5 pt), ±10 %
    leading: float  # line advance, in font sizes
    left: int  # margins, px at 300 dpi
    right: int
    top: int
    bottom: int
    label_gap: float  # px between a label's colon and its value
    leaders: bool  # dotted leaders after values, as on the printed form
    numbering: str  # the item number's suffix: "1)", "1.", "1-"
    date_format: str  # one of DATE_FORMATS
    birth_in_words: bool  # "Sinh ngày 12 tháng 3 năm 1978" rather than "Sinh ngày: 12/03/1978"
    side_by_side: bool  # items sharing a line as on the printed form, or one per line
    hanging: bool  # wrapped values continue under the value, not back at the margin
    value_weight: str  # "regular" or "bold": how typed-in values stand out, if at all
    table_scale: float  # table text relative to body text
    repeat_header: bool  # a table broken over pages repeats its header row
    page_numbers: bool  # "Trang 2/4" at the foot of every page
    column_seed: int  # jitter of table column widths

    def number(self, item: str) -> str:
        return f"{item}{self.numbering}" if item else ""

    def date(self, d: date) -> str:
        if self.date_format == "d/m/yyyy":
            return f"{d.day}/{d.month}/{d.year}"
        sep = "-" if self.date_format == "dd-mm-yyyy" else "/"
        return f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year}"

    def month(self, d: date) -> str:
        sep = "-" if self.date_format == "dd-mm-yyyy" else "/"
        return f"{d.month}{sep}{d.year}" if self.date_format == "d/m/yyyy" else \
            f"{d.month:02d}{sep}{d.year}"

    def summary(self) -> dict:
        return asdict(self)


def draw_style(rnd: random.Random) -> Style:
    family = rnd.choices(list(FONT_WEIGHTS), weights=list(FONT_WEIGHTS.values()))[0]
    condensed = "condensed" in family or family == "liberation-serif"
    size = round(BODY * rnd.uniform(0.9, 1.1) * (1.0 if condensed else 0.95), 1)
    return Style(
        family=family,
        size=size,
        leading=round(rnd.uniform(1.2, 1.6), 2),
        left=rnd.randrange(200, 361, 10),
        right=rnd.randrange(150, 241, 10),
        top=rnd.randrange(150, 261, 10),
        bottom=rnd.randrange(150, 241, 10),
        label_gap=round(size * rnd.choice((0.25, 0.3, 0.5, 0.8, 1.2)), 1),
        leaders=rnd.random() < 0.55,
        numbering=rnd.choices(NUMBERING, weights=(6, 3, 1))[0],
        date_format=rnd.choices(DATE_FORMATS, weights=(6, 3, 1))[0],
        birth_in_words=rnd.random() < 0.5,
        side_by_side=rnd.random() < 0.7,
        hanging=rnd.random() < 0.4,
        value_weight=rnd.choices(("regular", "bold"), weights=(4, 1))[0],
        table_scale=round(rnd.uniform(0.85, 1.0), 2),
        repeat_header=rnd.random() < 0.5,
        page_numbers=rnd.random() < 0.4,
        column_seed=rnd.randrange(1 << 30),
    )
