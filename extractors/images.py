"""Image files (TIFF, JPEG, PNG) as page images, within the limits, in 8-bit grey or RGB."""

from __future__ import annotations

import io
import itertools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageSequence, UnidentifiedImageError

from schemas.pages import InputRejected
from schemas.settings import Limits
from schemas.status import RejectReason

# Below this a dpi tag is a screen default (72/96), not a scan resolution.
MIN_SCAN_DPI = 100
DEFAULT_DPI = 300

# TIFF compressions that libtiff builds often lack: a decode failure means "unsupported".
_RARE_TIFF_COMPRESSIONS = {"webp", "zstd", "lzma", "jpeg2000", "tiff_thunderscan", "tiff_sgilog",
                           "tiff_sgilog24", "jbig"}

# Pillow's own bomb check counts against its global limit; ours is per call, so lift it.
Image.MAX_IMAGE_PIXELS = None


@dataclass(slots=True)
class RasterPage:
    image: Image.Image  # mode L or RGB
    dpi: int


def open_image(data: bytes, limits: Limits) -> Image.Image:
    """Open an image file lazily and check what it declares before any pixel is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        raise InputRejected(RejectReason.corrupt, f"the image cannot be read ({exc}).") from exc
    except ValueError as exc:  # e.g. a zlib bomb in a PNG text chunk
        raise _too_large(str(exc)) from exc
    except Exception as exc:  # Pillow's parsers raise many kinds on damaged headers
        raise _unreadable(exc) from exc
    width, height = image.size
    if width * height > limits.max_page_pixels:
        raise _too_large(f"the image is {width}x{height} pixels")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frames = getattr(image, "n_frames", 1)  # reads every frame's header
    except Exception as exc:  # a later frame's header is damaged (TypeError, ValueError...)
        raise _unreadable(exc) from exc
    if frames > limits.max_pages:
        raise InputRejected(
            RejectReason.too_large,
            f"the file has {frames} pages, more than the limit of {limits.max_pages}; "
            "split it into smaller files.",
        )
    return image


def image_pages(image: Image.Image, limits: Limits) -> Iterator[RasterPage]:
    """Every frame of an opened image file (all pages of a multi-page TIFF), decoded and
    normalised."""
    frames = ImageSequence.Iterator(image)
    for number in itertools.count(1):
        try:
            frame = next(frames)
        except StopIteration:
            return
        except Exception as exc:  # seeking to a frame whose header is damaged
            raise _unreadable(exc, page=number) from exc
        width, height = frame.size
        if width * height > limits.max_page_pixels:
            raise _too_large(f"page {number} is {width}x{height} pixels")
        try:
            frame.load()
            pixels = normalise(frame)
        except MemoryError:
            raise
        except Exception as exc:  # decoders raise OSError, ValueError, SyntaxError, and more
            raise _unreadable(exc, page=number, compression=frame.info.get("compression")) from exc
        yield RasterPage(pixels, _dpi(frame))


def normalise(frame: Image.Image) -> Image.Image:
    """8-bit grey or RGB: 16-bit scaled (not clipped), palettes and CMYK converted,
    transparency laid on white paper."""
    mode = frame.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(frame, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or arr.max() > 255 else 255.0
        return Image.fromarray(np.clip(arr / top * 255.0, 0, 255).astype(np.uint8), "L")
    if mode == "P" or "transparency" in frame.info:
        frame = frame.convert("RGBA")
    if frame.mode in ("RGBA", "LA", "PA"):
        paper = Image.new("RGB", frame.size, "white")
        paper.paste(frame.convert("RGBA"), mask=frame.convert("RGBA").getchannel("A"))
        return paper
    if frame.mode in ("1", "L"):
        return frame.convert("L")
    return frame.convert("RGB")


def _dpi(frame: Image.Image) -> int:
    dpi = frame.info.get("dpi") or (DEFAULT_DPI, DEFAULT_DPI)
    try:
        value = float(dpi[0] or 0)
    except (TypeError, ValueError, IndexError):  # a damaged resolution tag
        return DEFAULT_DPI
    return round(value) if MIN_SCAN_DPI <= value <= 2400 else DEFAULT_DPI  # NaN fails both


def _too_large(what: str) -> InputRejected:
    return InputRejected(
        RejectReason.too_large,
        f"{what}: over the limit for one page (a decompression bomb or a damaged file). "
        "Scan it again at 300 dpi.",
    )


def _unreadable(exc: BaseException, page: int | None = None,
                compression: str | None = None) -> InputRejected:
    where = f"page {page}: " if page else ""
    message = str(exc)
    if compression in _RARE_TIFF_COMPRESSIONS:
        return InputRejected(
            RejectReason.unsupported,
            f"{where}unsupported TIFF compression '{compression}' ({message}). Save it again "
            "as an ordinary TIFF (LZW or Group 4) or as PDF.",
        )
    return InputRejected(
        RejectReason.corrupt,
        f"{where}the image is damaged and cannot be decoded ({message}). Scan it again.",
    )
