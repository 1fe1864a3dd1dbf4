"""The score trend as an inline SVG drawing, computed on the server (no chart library)."""

from dataclasses import dataclass

from ..feedback.rubric import HEURISTIC

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
