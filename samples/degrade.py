"""Make a clean page look like it went through an office scanner: a little skewed, slightly
blurred, grainy, unevenly lit, JPEG-compressed, sometimes fed in sideways or upside down,
sometimes saved in grey or black and white. All randomness comes from the caller's Generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

COLORS = ("rgb", "gray", "bw")


@dataclass(frozen=True, slots=True)
class Scan:
    image: Image.Image  # mode RGB, L or 1, 300 dpi
    rotation: int  # the content is turned this far clockwise: 0, 90, 180 or 270
    skew: float  # degrees, counter-clockwise positive, applied to the upright page
    color: str  # "rgb", "gray" or "bw"


def degrade(page: Image.Image, rng: np.random.Generator, rotation: int = 0,
            color: str = "rgb") -> Scan:
    """A scan of `page`. Skew, blur, noise, lighting and compression are drawn from `rng`;
    the quarter turn and the colour mode are the caller's choice."""
    if rotation % 90 or color not in COLORS:
        raise ValueError(f"rotation must be a multiple of 90 and color one of {COLORS}")
    # Grey and black-and-white scans are worked on one channel: a third of the work.
    pixels = np.asarray(page.convert("RGB" if color == "rgb" else "L"))
    h, w = pixels.shape[:2]

    # Toner is never quite black, paper never quite white (and a little yellow).
    ink = rng.uniform(15, 55)
    white = rng.uniform(228, 246)
    paper = np.array([white, white - rng.uniform(0, 5), white - rng.uniform(3, 12)])
    if color != "rgb":
        paper = paper[:1]
    ramp = np.arange(256) / 255.0
    lut = np.stack([ink + (p - ink) * ramp for p in paper], axis=-1).round().astype(np.uint8)
    pixels = cv2.LUT(pixels, lut.reshape(256, 1, -1) if color == "rgb" else lut[:, 0])

    skew = float(round(rng.uniform(0.5, 2.5) * rng.choice((-1, 1)), 2))
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), skew, 1.0)
    matrix[:, 2] += rng.uniform(-20, 20, size=2)  # the sheet is never centred either
    pixels = cv2.warpAffine(pixels, matrix, (w, h), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT,
                            borderValue=tuple(float(p) for p in paper))
    pixels = cv2.GaussianBlur(pixels, (0, 0), rng.uniform(0.5, 1.0))

    light = _lighting(rng, h, w)
    noise = rng.standard_normal((h, w), dtype=np.float32) * np.float32(rng.uniform(2, 6))
    # Plane by plane with OpenCV: several times faster than numpy broadcasting over RGB.
    planes = [cv2.add(cv2.multiply(plane, light, dtype=cv2.CV_32F), noise, dtype=cv2.CV_8U)
              for plane in (cv2.split(pixels) if color == "rgb" else [pixels])]
    pixels = cv2.merge(planes) if color == "rgb" else planes[0]

    if color == "bw":
        # A scanner's fixed threshold, halfway between toner and paper.
        image = Image.fromarray(pixels > (ink + white) / 2)
    else:
        ok, jpeg = cv2.imencode(".jpg", pixels[..., ::-1] if color == "rgb" else pixels,
                                (cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(60, 86))))
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        decoded = cv2.imdecode(jpeg, cv2.IMREAD_UNCHANGED)
        image = Image.fromarray(decoded[..., ::-1] if color == "rgb" else decoded)

    turns = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
             270: Image.Transpose.ROTATE_90}  # Pillow turns counter-clockwise
    if rotation % 360:
        image = image.transpose(turns[rotation % 360])
    return Scan(image, rotation % 360, skew, color)


def _lighting(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A smooth brightness field: a lamp-side gradient and a darker rim (vignette)."""
    sh, sw = h // 16, w // 16
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    y, x = y / sh - 0.5, x / sw - 0.5
    angle = rng.uniform(0, 2 * np.pi)
    gradient = (x * np.cos(angle) + y * np.sin(angle)) * rng.uniform(0.04, 0.12)
    vignette = (x * x + y * y) * rng.uniform(0.05, 0.2)
    small = (1.0 - gradient - vignette).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
