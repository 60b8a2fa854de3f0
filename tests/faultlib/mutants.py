"""Malformed inputs: real files truncated, bit-flipped, overwritten, spliced, their PDF numbers
and image headers set to hostile values. Deterministic: mutant i of a seed list is always the
same bytes."""

from __future__ import annotations

import io
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from faultlib.inputs import FONT

# Peer files up to this size are seeds (larger ones make slow mutants, not new shapes).
PEER_SEED_BYTES = 120_000


@dataclass(frozen=True, slots=True)
class Seed:
    name: str
    data: bytes
    weight: int = 1  # how often it is picked; big scans are slow to read, so picked less


@dataclass(frozen=True, slots=True)
class Mutant:
    name: str  # what it is made of, e.g. "0042-flip8-text.pdf"
    data: bytes
    seed: str
    how: str


def small_seeds() -> list[Seed]:
    """Small files of every accepted kind, made here: quick to read even when OCR is needed."""
    font = ImageFont.truetype(FONT, 22)
    image = Image.new("L", (520, 180), 255)
    draw = ImageDraw.Draw(image)
    for line in range(3):
        draw.text((20, 20 + 50 * line), f"Hồ sơ cán bộ dòng {line}: Nguyễn Văn An", fill=0, font=font)
    seeds = [Seed("text.pdf", _text_pdf(1), 6), Seed("text-2p.pdf", _text_pdf(2), 3)]
    for name, fmt, extra, weight in (
        ("scan.pdf", "PDF", {"resolution": 200.0}, 4),
        ("scan.png", "PNG", {"dpi": (200, 200)}, 3),
        ("scan.jpg", "JPEG", {"dpi": (200, 200), "quality": 80}, 3),
        ("scan-lzw.tif", "TIFF", {"dpi": (200, 200), "compression": "tiff_lzw"}, 2),
    ):
        out = io.BytesIO()
        image.save(out, fmt, **extra)
        seeds.append(Seed(name, out.getvalue(), weight))
    out = io.BytesIO()
    bw = image.point(lambda v: 255 if v > 128 else 0).convert("1")
    bw.save(out, "TIFF", save_all=True, append_images=[bw.rotate(180)], compression="group4",
            dpi=(200, 200))
    seeds.append(Seed("scan-g4-2p.tif", out.getvalue(), 2))
    return seeds


def sample_seeds(folder: Path) -> list[Seed]:
    """Files of the samples generator: a born-digital CV and a one-page scan (A4, slow to OCR)."""
    from samples.generate import generate, generate_pages

    made = generate(folder / "dossier", 1, seed=11)
    seeds = [Seed(f"samples-{p.name}", p.read_bytes(), 3) for p in made.paths
             if p.suffix == ".pdf" and p.stat().st_size < 200_000]
    page = generate_pages(folder / "pages", 1, seed=11)[0]
    seeds.append(Seed(f"samples-{page.name}", page.read_bytes(), 1))
    return seeds


def peer_seeds(peers: Path) -> list[Seed]:
    return [Seed(f"peers-{p.name}", p.read_bytes(), 1) for p in sorted(peers.iterdir())
            if p.is_file() and 0 < p.stat().st_size <= PEER_SEED_BYTES
            and p.name not in ("MANIFEST.tsv", "README.md")]


def mutants(seeds: list[Seed], count: int, start: int = 0) -> Iterator[Mutant]:
    """`count` malformed files made from `seeds` (mutant i is always the same bytes)."""
    pool = [seed for seed in seeds for _ in range(seed.weight)]
    for i in range(start, start + count):
        rnd = random.Random(i)
        seed = rnd.choice(pool)
        how, mutate = rnd.choice(MUTATIONS)
        data = mutate(seed.data, rnd, seeds)
        if data == seed.data:  # nothing to change (e.g. no number to set): flip a bit instead
            how, data = "flip1", _flip(seed.data, rnd, 1)
        yield Mutant(f"{i:05d}-{how}-{seed.name}", data, seed.name, how)


def _text_pdf(pages: int) -> bytes:
    pdf = FPDF(unit="pt", format=(298, 420))  # A6
    pdf.add_font("dejavu", "", FONT)
    pdf.set_font("dejavu", size=9)
    for page in range(pages):
        pdf.add_page()
        for line in range(8):
            pdf.text(20, 40 + 16 * line, f"Trang {page + 1} dòng {line}: Nguyễn Văn An, Đức Trọng")
    return bytes(pdf.output())


def _flip(data: bytes, rnd: random.Random, bits: int) -> bytes:
    out = bytearray(data)
    for _ in range(bits):
        pos = rnd.randrange(len(out) * 8)
        out[pos // 8] ^= 1 << (pos % 8)
    return bytes(out)


def _truncate(data: bytes, rnd: random.Random, _: list[Seed]) -> bytes:
    # Half the cuts near the end, where the xref and trailer of a PDF live.
    cut = rnd.randrange(len(data)) if rnd.random() < 0.5 else len(data) - rnd.randrange(1, 400)
    return data[:max(cut, 0)]


def _overwrite(data: bytes, rnd: random.Random, _: list[Seed]) -> bytes:
    at, n = rnd.randrange(len(data)), rnd.choice((1, 4, 16, 64, 512))
    fill = bytes(rnd.randrange(256) for _ in range(n)) if rnd.random() < 0.7 else bytes(n)
    return data[:at] + fill + data[at + n:]


def _delete(data: bytes, rnd: random.Random, _: list[Seed]) -> bytes:
    at, n = rnd.randrange(len(data)), rnd.choice((1, 8, 100, 1000))
    return data[:at] + data[at + n:]


def _duplicate(data: bytes, rnd: random.Random, _: list[Seed]) -> bytes:
    at, n = rnd.randrange(len(data)), rnd.choice((8, 100, 1000))
    return data[:at] + data[at:at + n] * rnd.choice((2, 10)) + data[at + n:]


def _splice(data: bytes, rnd: random.Random, seeds: list[Seed]) -> bytes:
    other = rnd.choice(seeds).data
    return data[:rnd.randrange(len(data))] + other[rnd.randrange(len(other)):]


# Values that break readers: zero, negative, huge, fractional, absurd.
_HOSTILE_NUMBERS = (b"0", b"-1", b"1", b"2147483648", b"99999999999", b"-99999", b"3.5",
                    b"1e308", b"65536")
_PDF_NUMBER = re.compile(rb"/(Length|Count|Width|Height|BitsPerComponent|Size|Prev|N|First|"
                         rb"Columns|Rows|Rotate|K|W|Index|XRefStm|Predictor|Colors)\s+(-?\d+)")
_PDF_BOX = re.compile(rb"/(MediaBox|CropBox)\s*\[([^\]]*)\]")


def _pdf_numbers(data: bytes, rnd: random.Random, _: list[Seed]) -> bytes:
    """Set some numbers of the PDF's dictionaries (lengths, counts, sizes) to hostile values."""
    matches = list(_PDF_NUMBER.finditer(data)) + list(_PDF_BOX.finditer(data))
    if not matches:
        return data
    out = data
    for match in sorted(rnd.sample(matches, min(len(matches), rnd.choice((1, 2, 5)))),
                        key=lambda m: m.start(), reverse=True):
        if match.group(1) in (b"MediaBox", b"CropBox"):
            value = b"[" + b" ".join(rnd.choice(_HOSTILE_NUMBERS) for _ in range(4)) + b"]"
            out = out[:match.start(2) - 1] + value + out[match.end(2) + 1:]
        else:
            out = out[:match.start(2)] + rnd.choice(_HOSTILE_NUMBERS) + out[match.end(2):]
    return out


def _image_header(data: bytes, rnd: random.Random, _: list[Seed]) -> bytes:
    """Hostile width, height or depth in a PNG IHDR or the first bytes of any image."""
    out = bytearray(data)
    if data.startswith(b"\x89PNG") and len(out) > 33:
        field = rnd.choice(((16, 4), (20, 4), (24, 1), (25, 1)))  # width, height, depth, colour
        value = rnd.choice((0, 1, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 3, 16))
        start, size = field
        out[start:start + size] = (value & ((1 << (8 * size)) - 1)).to_bytes(size, "big")
        return bytes(out)  # the CRC no longer matches: also a test
    head = min(len(out), 64)
    for _ in range(rnd.choice((1, 3, 8))):
        out[rnd.randrange(head)] = rnd.choice((0, 0xFF, 0x7F, 0x80, 1))
    return bytes(out)


def _chop_head(data: bytes, rnd: random.Random, _: list[Seed]) -> bytes:
    """The file's tail only: no signature, or a signature-less piece of a PDF."""
    return data[rnd.randrange(1, max(len(data), 2)):]


MUTATIONS: tuple[tuple[str, Callable[[bytes, random.Random, list[Seed]], bytes]], ...] = (
    ("truncate", _truncate),
    ("flip1", lambda d, r, _: _flip(d, r, 1)),
    ("flip8", lambda d, r, _: _flip(d, r, 8)),
    ("flip64", lambda d, r, _: _flip(d, r, 64)),
    ("overwrite", _overwrite),
    ("delete", _delete),
    ("duplicate", _duplicate),
    ("splice", _splice),
    ("pdfnum", _pdf_numbers),
    ("pdfnum", _pdf_numbers),
    ("header", _image_header),
    ("chophead", _chop_head),
)
