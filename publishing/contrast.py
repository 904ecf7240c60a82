"""Colour contrast as WCAG 2.2 defines it (relative luminance), for the tests that hold the charts'
palette and the pages' colours to the public-sector accessibility regulations: 4.5:1 for text,
3:1 for large text and for the marks of a chart against their background."""

from __future__ import annotations

TEXT = 4.5
LARGE_TEXT_OR_GRAPHICS = 3.0


def _channel(c: float) -> float:
    c = c / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of '#rgb' or '#rrggbb'."""
    hex_ = colour.lstrip("#")
    if len(hex_) == 3:
        hex_ = "".join(ch * 2 for ch in hex_)
    r, g, b = (int(hex_[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def ratio(foreground: str, background: str) -> float:
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
