"""Charts and timelines drawn as SVG on the server: they show without scripts, their bars
and marks are links, and their styles come from the stylesheet (classes, no style
attributes), so the Content Security Policy needs no exception."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date

from markupsafe import Markup, escape

from cybergov.explore.charts import Chart
from cybergov.explore.timelines import Event, Timeline

WIDTH = 600
_SERIES = ("", " s2", " s3")


def _text(x: float, y: float, text: str, css: str = "", anchor: str = "start") -> str:
    classes = f' class="{css}"' if css else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{classes}>{escape(text)}</text>'


def _link(href: str | None, title: str, body: str) -> str:
    inner = f"<title>{escape(title)}</title>{body}"
    if href is None:
        return f"<g>{inner}</g>"
    return f'<a href="{escape(href)}">{inner}</a>'


def _shown(value: float | None) -> str:
    if value is None:
        return "none"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def chart_svg(chart: Chart, root: str = "") -> Markup:
    """The chart as an SVG element; bars link to the rows behind them (under ``root``)."""
    if chart.shape == "rows":
        return _rows(chart, root)
    return _columns(chart, root)


def _rows(chart: Chart, root: str) -> Markup:
    left, right, bar, gap = 190.0, 60.0, 11.0, 3.0
    series = len(chart.series)
    band = series * (bar + gap) + 9
    height = 8 + band * max(len(chart.bars), 1)
    scale = (WIDTH - left - right) / (chart.largest or 1)
    parts = [f'<line class="axis" x1="{left}" y1="4" x2="{left}" y2="{height - 2:.1f}"/>']
    for row, item in enumerate(chart.bars):
        top = 6 + row * band
        body = [
            _text(left - 8, top + series * (bar + gap) / 2 + 3, _cut(item.label, 28), "", "end")
        ]
        for number, value in enumerate(item.values):
            y = top + number * (bar + gap)
            width = max((value or 0) * scale, 0.0)
            body.append(
                f'<rect class="bar{_SERIES[number % 3]}" x="{left}" y="{y:.1f}" '
                f'width="{width:.1f}" height="{bar}"/>'
            )
            body.append(_text(left + width + 4, y + bar - 2, _shown(value), "value"))
        title = f"{item.label}: " + ", ".join(
            f"{_shown(v)} {name}" for v, name in zip(item.values, chart.series, strict=True)
        )
        href = f"{root}{item.link}" if item.link else None
        parts.append(_link(href, title, "".join(body)))
    return _svg(chart, height, parts)


def _columns(chart: Chart, root: str) -> Markup:
    left, right, top, bottom = 44.0, 10.0, 12.0, 34.0
    height = 240.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    count = max(len(chart.bars), 1)
    band = plot_w / count
    largest = _nice(chart.largest)
    parts: list[str] = []
    for step in range(5):
        tick = largest * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(
            f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}"/>'
        )
        parts.append(_text(left - 5, y + 4, _shown(tick), "value", "end"))
    every = max(1, math.ceil(count / 12))
    series = len(chart.series)
    points: list[list[tuple[float, float] | None]] = [[] for _ in range(series)]
    for index, item in enumerate(chart.bars):
        x0 = left + index * band
        body: list[str] = []
        if chart.shape == "columns":
            width = max(band * 0.8 / series, 1.0)
            for number, value in enumerate(item.values):
                size = plot_h * (value or 0) / (largest or 1)
                x = x0 + band * 0.1 + number * width
                body.append(
                    f'<rect class="bar{_SERIES[number % 3]}" x="{x:.1f}" '
                    f'y="{top + plot_h - size:.1f}" width="{width:.1f}" height="{size:.1f}"/>'
                )
        else:
            body.append(
                f'<rect x="{x0:.1f}" y="{top}" width="{band:.1f}" height="{plot_h}" '
                'fill="transparent"/>'
            )
            for number, value in enumerate(item.values):
                if value is None:
                    points[number].append(None)
                    continue
                y = top + plot_h - plot_h * value / (largest or 1)
                points[number].append((x0 + band / 2, y))
                body.append(
                    f'<circle class="dot{_SERIES[number % 3]}" cx="{x0 + band / 2:.1f}" '
                    f'cy="{y:.1f}" r="3.5"/>'
                )
        if index % every == 0:
            body.append(_text(x0 + band / 2, height - bottom + 16, item.label, "", "middle"))
        title = f"{item.label}: " + ", ".join(
            f"{_shown(v)} {name}" for v, name in zip(item.values, chart.series, strict=True)
        )
        href = f"{root}{item.link}" if item.link else None
        parts.append(_link(href, title, "".join(body)))
    for number, line in enumerate(points):
        for segment in _segments(line):
            if len(segment) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
                parts.insert(0, f'<polyline class="line{_SERIES[number % 3]}" points="{path}"/>')
    base = top + plot_h
    parts.append(f'<line class="axis" x1="{left}" y1="{base}" x2="{WIDTH - right}" y2="{base}"/>')
    return _svg(chart, height, parts)


def _segments(points: list[tuple[float, float] | None]) -> Iterable[list[tuple[float, float]]]:
    segment: list[tuple[float, float]] = []
    for point in points:
        if point is None:
            if segment:
                yield segment
            segment = []
        else:
            segment.append(point)
    if segment:
        yield segment


def _nice(largest: float) -> float:
    """A round top for an axis that holds ``largest``."""
    if largest <= 0:
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(largest))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if largest <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _svg(chart: Chart, height: float, parts: list[str]) -> Markup:
    label = f"{chart.title} ({chart.unit})" if chart.unit else chart.title
    return Markup(  # noqa: S704 - every text above went through escape()
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:.0f}" role="group" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(parts)
        + "</svg>"
    )


# --- timelines ------------------------------------------------------------------------------

LANES = (
    ("incident", "incidents"),
    ("attribution", "attributions"),
    ("response", "responses"),
    ("listing", "listings"),
    ("renewal", "renewals"),
    ("claim", "claims"),
)


def timeline_svg(timeline: Timeline, root: str = "") -> Markup:
    """The events of a timeline on one time axis, a lane per kind of event; each mark
    links to the resource it stands for."""
    lanes = [(kind, name) for kind, name in LANES if any(e.kind == kind for e in timeline.events)]
    if not timeline.events or not lanes:
        return Markup("")
    left, right, lane_h, top = 100.0, 20.0, 34.0, 26.0
    height = top + lane_h * len(lanes) + 30
    first, last = timeline.span()
    days = max((last - first).days, 1)
    plot_w = WIDTH * 1.5 - left - right
    full_w = WIDTH * 1.5

    def x_of(day: date) -> float:
        return left + plot_w * (day - first).days / days

    parts = []
    for row, (_, name) in enumerate(lanes):
        y = top + row * lane_h
        parts.append(
            f'<rect class="lane" x="{left}" y="{y:.1f}" width="{plot_w:.1f}" '
            f'height="{lane_h - 6}"/>'
        )
        parts.append(_text(left - 8, y + lane_h / 2, name, "lane-label", "end"))
    for tick in _year_ticks(first, last):
        x = x_of(tick)
        parts.append(
            f'<line class="axis" x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 24:.1f}"/>'
        )
        parts.append(_text(x, height - 8, str(tick.year), "", "middle"))
    lane_of = {kind: row for row, (kind, _) in enumerate(lanes)}
    for event in timeline.events:
        if event.kind not in lane_of:
            continue
        y = top + lane_of[event.kind] * lane_h + (lane_h - 6) / 2
        x = x_of(event.day)
        body = ""
        if event.end is not None and event.end > event.day:
            body += (
                f'<rect class="span" x="{x:.1f}" y="{y - 8:.1f}" '
                f'width="{max(x_of(event.end) - x, 2):.1f}" height="16"/>'
            )
        body += f'<circle class="event-{event.kind}" cx="{x:.1f}" cy="{y:.1f}" r="6"/>'
        href = f"{root}{event.link}" if event.link else None
        parts.append(_link(href, _event_title(event), body))
    return Markup(  # noqa: S704 - every text above went through escape()
        f'<svg class="timeline" viewBox="0 0 {full_w:.0f} {height:.0f}" role="group" '
        f'aria-label="{escape(timeline.title)}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(parts)
        + "</svg>"
    )


def _event_title(event: Event) -> str:
    text = f"{event.day.isoformat()}: {event.label}"
    if event.who:
        text += f" ({event.who})"
    return text


def _year_ticks(first: date, last: date) -> list[date]:
    years = list(
        range(first.year + (0 if first.month == 1 and first.day == 1 else 1), last.year + 1)
    )
    step = max(1, math.ceil(len(years) / 10))
    return [date(year, 1, 1) for year in years[::step]]
