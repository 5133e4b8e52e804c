"""Charts drawn on the server as SVG: no script, no external asset, readable when printed.

Each function returns the markup of one ``<svg role="img">`` whose label points the reader to
the table view next to it (the table carries every number; the chart is its picture). Colours
and fonts come from CSS classes (``static/insight.css``), so the strict CSP holds (no inline
style) and print can adjust them. Every text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 720
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 48, 52, 36, 44


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float | int | None]
    css: str
    """``s1`` … ``s4``: the colour (and dash) of the series in insight.css."""


def nice_max(value: float) -> float:
    """The top of an axis of four equal steps of 1, 2, 2.5 or 5 × 10ⁿ (at least 1) at or
    above ``value``: whole-number ticks for counts."""
    quarter = max(value / 4, 1.0)
    power = 10 ** math.floor(math.log10(quarter))
    steps = (1, 2, 2.5, 5, 10) if power >= 10 else (1, 2, 5, 10)
    step = next(s * power for s in steps if quarter <= s * power)
    return float(step * 4)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _fmt_tick(value: float, unit: str) -> str:
    return f"{_num(value)}{unit}"


def _open(label: str, height: int = HEIGHT) -> list[str]:
    return [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(label)}" preserveAspectRatio="xMidYMid meet">'
    ]


def _legend(parts: list[str], series: Sequence[Series]) -> None:
    x = LEFT
    for s in series:
        parts.append(
            f'<g class="legend {s.css}"><rect x="{x}" y="10" width="14" height="10" rx="2"/>'
            f'<text x="{x + 20}" y="19">{escape(s.name)}</text></g>'
        )
        x += 28 + 7 * len(s.name)


def _y_axis(parts: list[str], top: float, unit: str, *, right: bool = False) -> None:
    plot_h = HEIGHT - TOP - BOTTOM
    for i in range(5):
        value = top * i / 4
        y = HEIGHT - BOTTOM - plot_h * i / 4
        if not right:
            parts.append(
                f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            )
            parts.append(
                f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                f"{_fmt_tick(value, unit)}</text>"
            )
        else:
            parts.append(
                f'<text class="tick" x="{WIDTH - RIGHT + 6}" y="{y + 4:.1f}">'
                f"{_fmt_tick(value, unit)}</text>"
            )


def _x_labels(parts: list[str], labels: Sequence[str], centres: Sequence[float]) -> None:
    every = max(1, math.ceil(len(labels) / 14))
    for i, (label, x) in enumerate(zip(labels, centres, strict=True)):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                f'<text class="tick" x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append(
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
        f'y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}"/>'
    )


def _y(value: float, top: float) -> float:
    plot_h = HEIGHT - TOP - BOTTOM
    return HEIGHT - BOTTOM - plot_h * min(max(value, 0.0), top) / top


def line_chart(
    label: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    top: float = 100,
    unit: str = "%",
) -> Markup:
    """Lines over ``labels`` (a gap where a value is null), with a marker on every point."""
    parts = _open(label)
    _legend(parts, series)
    _y_axis(parts, top, unit)
    plot_w = WIDTH - LEFT - RIGHT
    step = plot_w / max(len(labels), 1)
    centres = [LEFT + step * (i + 0.5) for i in range(len(labels))]
    for s in series:
        runs: list[list[tuple[float, float]]] = [[]]
        for x, value in zip(centres, s.values, strict=True):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((x, _y(float(value), top)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline class="line {s.css}" points="{points}"/>')
        for x, value, name in zip(centres, s.values, labels, strict=True):
            if value is not None:
                y = _y(float(value), top)
                parts.append(
                    f'<circle class="dot {s.css}" cx="{x:.1f}" cy="{y:.1f}" r="4">'
                    f"<title>{escape(name)} · {escape(s.name)}: "
                    f"{_num(float(value))}{unit}</title></circle>"
                )
    _x_labels(parts, labels, centres)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in parts went through escape()


def bar_chart(
    label: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    top: float | None = None,
    line: Series | None = None,
) -> Markup:
    """Grouped vertical bars; ``line`` is drawn over them against a 0–100 % axis on the right
    (the cumulative share of a Pareto chart)."""
    values = [float(v) for s in series for v in s.values if v is not None]
    top = top or nice_max(max(values, default=0.0))
    parts = _open(label)
    _legend(parts, [*series, *([line] if line else [])])
    _y_axis(parts, top, unit)
    if line is not None:
        _y_axis(parts, 100, "%", right=True)
    plot_w = WIDTH - LEFT - RIGHT
    step = plot_w / max(len(labels), 1)
    centres = [LEFT + step * (i + 0.5) for i in range(len(labels))]
    bar_w = min(36.0, step * 0.8 / max(len(series), 1))
    for i, s in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * bar_w
        for x, value, name in zip(centres, s.values, labels, strict=True):
            if value is None:
                continue
            y = _y(float(value), top)
            parts.append(
                f'<rect class="bar {s.css}" x="{x + offset - bar_w / 2 + 1:.1f}" y="{y:.1f}" '
                f'width="{bar_w - 2:.1f}" height="{HEIGHT - BOTTOM - y:.1f}">'
                f"<title>{escape(name)} · {escape(s.name)}: {_num(float(value))}{unit}</title>"
                "</rect>"
            )
    if line is not None:
        points = [
            (x, _y(float(v), 100))
            for x, v in zip(centres, line.values, strict=True)
            if v is not None
        ]
        if len(points) > 1:
            joined = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline class="line {line.css}" points="{joined}"/>')
        for x, y in points:
            parts.append(f'<circle class="dot {line.css}" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>')
    _x_labels(parts, labels, centres)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in parts went through escape()


def hbar_chart(
    label: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    top: float = 100,
    unit: str = "%",
) -> Markup:
    """Grouped horizontal bars, one row per label (for breakdowns with long names)."""
    row_h = 14 * len(series) + 14
    left = 190
    height = TOP + row_h * len(labels) + 30
    parts = _open(label, height)
    _legend(parts, series)
    plot_w = WIDTH - left - RIGHT
    for i in range(5):
        x = left + plot_w * i / 4
        parts.append(
            f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{height - 24}"/>'
            f'<text class="tick" x="{x:.1f}" y="{height - 8}" text-anchor="middle">'
            f"{_fmt_tick(top * i / 4, unit)}</text>"
        )
    for row, name in enumerate(labels):
        y0 = TOP + row * row_h + 7
        short = name if len(name) <= 28 else name[:27] + "…"
        parts.append(
            f'<text class="tick" x="{left - 8}" y="{y0 + 7 * len(series) + 4:.1f}" '
            f'text-anchor="end">{escape(short)}<title>{escape(name)}</title></text>'
        )
        for i, s in enumerate(series):
            value = s.values[row]
            y = y0 + i * 14
            if value is None:
                parts.append(f'<text class="tick" x="{left + 4}" y="{y + 10}">no figure</text>')
                continue
            w = plot_w * min(max(float(value), 0.0), top) / top
            parts.append(
                f'<rect class="bar {s.css}" x="{left}" y="{y}" width="{w:.1f}" height="12">'
                f"<title>{escape(name)} · {escape(s.name)}: {_num(float(value))}{unit}</title>"
                f'</rect><text class="value" x="{left + w + 4:.1f}" y="{y + 10}">'
                f"{_num(float(value))}{unit}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in parts went through escape()
