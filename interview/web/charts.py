"""The score trend as an inline SVG drawing, computed on the server (no chart library)."""

from dataclasses import dataclass

from ..feedback.rubric import HEURISTIC
from ..feedback.session_trends import Trend

WIDTH, HEIGHT, PADDING = 320, 120, 18


@dataclass(frozen=True)
class TrendPoint:
    x: float
    y: float
    score: int
    label: str
    heuristic: bool  # judged by the offline analysis, not the model: drawn hollow


def score_trend(scores: list[tuple[str, int, str]]) -> list[TrendPoint]:
    """Place (label, score 1-10, method) triples, oldest first, on the chart's grid."""
    if not scores:
        return []
    step = (WIDTH - 2 * PADDING) / max(1, len(scores) - 1)
    plot_height = HEIGHT - 2 * PADDING
    return [
        TrendPoint(
            x=round(PADDING + index * step, 1),
            y=round(HEIGHT - PADDING - (score - 1) / 9 * plot_height, 1),
            score=score,
            label=label,
            heuristic=method == HEURISTIC,
        )
        for index, (label, score, method) in enumerate(scores)
    ]


def polyline(points: list[TrendPoint]) -> str:
    return " ".join(f"{point.x},{point.y}" for point in points)


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    value: float
    label: str
    heuristic: bool


@dataclass(frozen=True)
class ScaleChart:
    """Means on a fixed scale (`low`..`high`), with the mean of them all as a level line."""

    points: list[ChartPoint]
    line: str
    low: int
    high: int
    low_y: float
    high_y: float
    mean_y: float | None


def session_chart(trend: Trend) -> ScaleChart:
    """Place a trend's session means, oldest first, on its scale."""
    low, high = trend.low, trend.high
    step = (WIDTH - 2 * PADDING) / max(1, len(trend.points) - 1)
    points = [
        ChartPoint(
            round(PADDING + index * step, 1), _y(p.mean, low, high), p.mean, p.label, p.heuristic
        )
        for index, p in enumerate(trend.points)
    ]
    return ScaleChart(
        points=points,
        line=" ".join(f"{point.x},{point.y}" for point in points),
        low=low,
        high=high,
        low_y=_y(low, low, high),
        high_y=_y(high, low, high),
        mean_y=None if trend.mean is None else _y(trend.mean, low, high),
    )


def _y(value: float, low: int, high: int) -> float:
    plot_height = HEIGHT - 2 * PADDING
    return round(HEIGHT - PADDING - (value - low) / (high - low) * plot_height, 1)
