"""Small, dependency-free SVG charts for the statements (they must render in a PDF and offline)."""

from __future__ import annotations

from html import escape

PALETTE = ["#1f5f8b", "#e0883e", "#4c9a6a", "#8e5ea2", "#c24d4d"]


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "£":
        return f"£{value / 1e6:.1f}m" if abs(value) >= 1e6 else f"£{value:,.0f}"
    return f"{value:,.0f}"


def _open(title: str, width: int, height: int, title_x: int) -> list[str]:
    return [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" font-family="Helvetica, Arial, sans-serif">',
        f'<text x="{title_x}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]


def _legend_and_close(parts: list[str], series, left: int, y: int) -> str:
    for si, name in enumerate(series):
        lx = left + si * 150
        parts.append(
            f'<rect x="{lx}" y="{y}" width="10" height="10" fill="{PALETTE[si % len(PALETTE)]}"/>'
            f'<text x="{lx + 14}" y="{y + 9}" font-size="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def grouped_bars(
    title: str,
    categories: list[str],
    series: dict[str, list[float | None]],
    unit: str = "",
    width: int = 640,
    height: int = 260,
    notes: list[str | None] | None = None,
) -> str:
    """Vertical grouped bars: one group per category, one bar per series, labelled with values.

    A category whose figure is not a measurement (a local share whose supplier locations are mostly
    unknown) gets no bar, which would read as zero, but its note ("not yet known") in the bars' place.
    """
    left, bottom, top = 56, 40, 36
    plot_w, plot_h = width - left - 16, height - bottom - top
    values = [v for vs in series.values() for v in vs if v is not None]
    peak = max(values + [1e-9]) * 1.15
    group_w = plot_w / max(1, len(categories))
    bar_w = group_w * 0.8 / max(1, len(series))
    parts = _open(title, width, height, left)
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#555"/>')
    for gi, category in enumerate(categories):
        x0 = left + gi * group_w + group_w * 0.1
        for si, (name, vs) in enumerate(series.items()):
            value = vs[gi]
            if value is None:
                continue
            h = max(0.0, value / peak * plot_h)
            x = x0 + si * bar_w
            y = top + plot_h - h
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w * 0.92:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[si % len(PALETTE)]}"><title>{escape(name)} {escape(category)}: '
                f"{_fmt(value, unit)}</title></rect>"
            )
            parts.append(
                f'<text x="{x + bar_w * 0.46:.1f}" y="{y - 3:.1f}" font-size="9" text-anchor="middle">'
                f"{_fmt(value, unit)}</text>"
            )
        note = notes[gi] if notes else None
        if note:
            parts.append(
                f'<text class="note" x="{x0 + group_w * 0.4:.1f}" y="{top + plot_h / 2:.1f}" font-size="11" '
                f'font-style="italic" fill="#7a5a00" text-anchor="middle">{escape(note)}</text>'
            )
        parts.append(
            f'<text x="{x0 + group_w * 0.4:.1f}" y="{top + plot_h + 16}" font-size="11" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    return _legend_and_close(parts, series, left, height - 14)


def horizontal_bars(
    title: str, labels: list[str], series: dict[str, list[float | None]], unit: str = "£", width: int = 640
) -> str:
    """Horizontal bars, for long labels (themes, outcomes)."""
    row_h, left, top = 22, 230, 30
    height = top + len(labels) * row_h * max(1, len(series)) + 40
    values = [v for vs in series.values() for v in vs if v is not None]
    peak = max(values + [1e-9]) * 1.2
    plot_w = width - left - 20
    parts = _open(title, width, height, 8)
    y = top
    for li, label in enumerate(labels):
        parts.append(f'<text x="{left - 6}" y="{y + 14}" font-size="11" text-anchor="end">{escape(label[:38])}</text>')
        for si, (name, vs) in enumerate(series.items()):
            value = vs[li] or 0
            w = value / peak * plot_w
            parts.append(
                f'<rect class="bar" x="{left}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}" '
                f'fill="{PALETTE[si % len(PALETTE)]}"><title>{escape(name)}: {_fmt(value, unit)}</title></rect>'
                f'<text x="{left + w + 4:.1f}" y="{y + 14}" font-size="9">{_fmt(value, unit)}</text>'
            )
            y += row_h
    return _legend_and_close(parts, series, left, height - 16)
