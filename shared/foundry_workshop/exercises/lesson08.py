"""Checks of lesson 08 (AI in the browser): the page's digit preprocessing, and how speed is measured."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from foundry_workshop.exercises.registry import register


def _canvas(height: int, width: int, *boxes: tuple[int, int, int, int]) -> np.ndarray:
    """A white canvas with ink in each (top, left, bottom, right) box (bottom/right exclusive)."""
    ink = np.zeros((height, width), dtype=bool)
    for top, left, bottom, right in boxes:
        ink[top:bottom, left:right] = True
    return ink


def _full_row(pixels: list[int]) -> bool:
    return any(all(v > 0 for v in pixels[row * 8:(row + 1) * 8]) for row in range(8))


@register("08.digit_pixels")
def check_digit_pixels(digit_pixels: Any) -> str | None:
    """digit_pixels(ink) crops the drawing, fits it into 32x32 and counts ink per 4x4 block (8x8 values 0..16)."""
    empty = digit_pixels(_canvas(224, 224))
    if list(empty) != [0] * 64:
        return "an empty drawing has no ink: return 64 zeros."
    # A thick bar across the top of a big canvas, like the stroke of a "7", drawn small in one corner.
    corner_bar = list(digit_pixels(_canvas(224, 224, (10, 10, 30, 90))))
    if len(corner_bar) != 64:
        return f"return 64 numbers (8 rows of 8 blocks), not {len(corner_bar)}."
    if max(corner_bar) > 16 or min(corner_bar) < 0:
        return "each value counts inked pixels of one 4x4 block of the 32x32 bitmap, so it lies in 0..16."
    if not _full_row(corner_bar):
        return ("crop to the ink's bounding box first, then fit it into 32x32: a small drawing in a corner must "
                "fill the width of the 8x8 input, as the data set's digits do.")
    # A tall thin stroke (a "1") stays thin and centred: the box is square, so the aspect ratio is kept.
    one = list(digit_pixels(_canvas(224, 224, (20, 100, 200, 118))))
    if one[0] != 0 or one[7] != 0 or sum(one) == 0:
        return ("keep the aspect ratio: fit the LONGER side of the ink's box into 32 pixels and centre the "
                "shorter one, or a '1' is stretched into a filled square.")
    full = list(digit_pixels(_canvas(64, 64, (0, 0, 64, 64))))
    if full != [16] * 64:
        return "a canvas full of ink gives 16 in every block (4x4 pixels, all inked)."
    return None


@register("08.decode_speed")
def check_decode_speed(decode_speed: Any) -> str | None:
    """decode_speed(started, token_times) -> (first-token seconds, tokens/s of the decoding after it)."""
    first, rate = decode_speed(10.0, [11.5, 11.75, 12.0, 12.25, 12.5])
    if not math.isclose(first, 1.5):
        return f"the first-token time is the first token's arrival minus the start: expected 1.5 s, got {first!r}."
    if rate is None or not math.isclose(rate, 4.0):
        return ("tokens/s measures decoding only: count the tokens AFTER the first one and divide by the time "
                f"from the first token to the last ((5 - 1) / 1.0 s = 4.0 here), got {rate!r}.")
    single = decode_speed(0.0, [0.4])
    if single[1] is not None:
        return "with one token there is no decoding interval: return None as the rate."
    return None
