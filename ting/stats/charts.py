"""Server-rendered SVG charts: no JavaScript, readable in every UI language.

Every text goes through ``format_html`` (escaped); the font stack names CJK faces first so
Chinese axis labels never fall back to boxes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

FONT: Final = (
    "system-ui, 'PingFang SC', 'PingFang TC', 'Hiragino Sans GB', 'Noto Sans CJK SC', "
    "'Noto Sans CJK TC', 'Microsoft YaHei', 'Microsoft JhengHei', sans-serif"
)
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 28, 48


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    color: str
    values: Sequence[float]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10.0 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def _px(value: float) -> str:
    return f"{value:.1f}"


def _number(value: float, percent: bool) -> str:
    if percent:
        return f"{value:.0f}%"
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def line_chart(
    *,
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    x_title: str,
    y_title: str,
    percent: bool = False,
) -> SafeString:
    """A line chart of one or more series over the same x positions."""
    points = max((len(s.values) for s in series), default=0)
    top = (
        100.0 if percent else _nice_max(max((max(s.values, default=0) for s in series), default=0))
    )
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (points - 1) if points > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h - plot_h * (v / top)

    grid = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#e3e6ea"/>'
        '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
        (
            (LEFT, _px(y(top * k / 4)), WIDTH - RIGHT, _px(y(top * k / 4)), LEFT - 6,
             _px(y(top * k / 4)), _number(top * k / 4, percent))
            for k in range(5)
        ),
    )  # fmt: skip
    ticks = sorted({0, points // 2, points - 1}) if points else []
    x_ticks = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
        ((_px(x(i)), HEIGHT - BOTTOM + 16, x_labels[i]) for i in ticks if i < len(x_labels)),
    )
    lines = format_html_join(
        "",
        '<polyline fill="none" stroke="{}" stroke-width="2" points="{}">'
        "<title>{}</title></polyline>",
        (
            (s.color, " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values)), s.label)
            for s in series
        ),
    )
    legend = format_html_join(
        "",
        '<rect x="{}" y="6" width="12" height="12" fill="{}"/><text x="{}" y="16">{}</text>',
        ((LEFT + n * 140, s.color, LEFT + n * 140 + 18, s.label) for n, s in enumerate(series)),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="100%" '
        'role="img" aria-label="{title}" '
        'font-family="{font}" font-size="12" fill="#41464d" xmlns="http://www.w3.org/2000/svg">'
        "<title>{title}</title>{grid}{x_ticks}{lines}{legend}"
        '<text x="{cx}" y="{xt}" text-anchor="middle">{x_title}</text>'
        '<text x="14" y="{cy}" text-anchor="middle" transform="rotate(-90 14 {cy})">'
        "{y_title}</text>"
        "</svg>",
        w=WIDTH, h=HEIGHT, title=title, font=FONT, grid=grid, x_ticks=x_ticks, lines=lines,
        legend=legend, cx=_px(LEFT + plot_w / 2), xt=HEIGHT - 8, x_title=x_title,
        cy=_px(TOP + plot_h / 2), y_title=y_title,
    )  # fmt: skip


def day_labels(days: Sequence[date]) -> list[str]:
    return [day.strftime("%m-%d") for day in days]
