"""Place map labels so that none hides another (greedy point-feature labelling).

The core works on plain boxes in display units (points or pixels, ``y`` up) and
knows nothing of matplotlib or Leaflet: the print map measures its names, hands
the boxes here and moves them as told. Labels are placed in rank order (zone
names, then 中心所 names, then the other stations); each takes the first of its
candidate places that overlaps nothing placed before it, nor a fixed mark
(stars, badges, the north arrow, an inset chart), nor leaves the frame:
its preferred place first, then rings of eight places around its point (above,
below, right, left, then the corners), each ring one label height farther out.
A label that found no clear place takes the one with the least overlap. Labels
moved off their point are reported (``displaced``) so the map can draw a
leader line to them.

The browser map does the same in its page script (``zoning/maps/_html.py``),
zoom by zoom, hiding station names it cannot place instead of moving them far
(they come back when the planner zooms in, and every station's tooltip names it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Box", "LabelBox", "Placement", "candidate_offsets", "place_labels"]

#: ``(x0, y0, x1, y1)`` with ``x0 ≤ x1`` and ``y0 ≤ y1``.
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class LabelBox:
    """A label to place: its point, its size and where its centre would like to be.

    ``dx``/``dy`` is the preferred offset of the box's centre from the point
    (e.g. a zone name just above its star). Lower ``rank`` is placed first.
    """

    x: float
    y: float
    width: float
    height: float
    dx: float = 0.0
    dy: float = 0.0
    rank: int = 0


@dataclass(frozen=True)
class Placement:
    """Where a label's centre goes (offset from its point) and how it got there."""

    dx: float
    dy: float
    displaced: bool  # not at its preferred place
    clear: bool  # overlaps no label placed before it, no mark and stays in the frame


def candidate_offsets(label: LabelBox, *, gap: float, rings: int) -> list[tuple[float, float]]:
    """Centre offsets to try, preferred first, then ``rings`` rings of eight places."""
    w2, h2 = label.width / 2, label.height / 2
    out = [(label.dx, label.dy)]
    for k in range(rings):
        s = gap + k * (label.height + gap)
        ax, ay = w2 + s, h2 + s
        out += [(0.0, ay), (0.0, -ay), (ax, 0.0), (-ax, 0.0)]
        out += [(ax, ay), (-ax, ay), (ax, -ay), (-ax, -ay)]
    return out


def _box(label: LabelBox, dx: float, dy: float, pad: float) -> Box:
    cx, cy = label.x + dx, label.y + dy
    w2, h2 = label.width / 2 + pad, label.height / 2 + pad
    return (cx - w2, cy - h2, cx + w2, cy + h2)


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _outside(a: Box, frame: Box) -> float:
    """Area of ``a`` outside ``frame``."""
    area = (a[2] - a[0]) * (a[3] - a[1])
    return area - _overlap(a, frame)


def place_labels(
    labels: Sequence[LabelBox],
    *,
    marks: Sequence[Box] = (),
    frame: Box | None = None,
    gap: float = 1.0,
    rings: int = 3,
) -> list[Placement]:
    """Place every label, lowest rank first; see the module docstring.

    Parameters
    ----------
    labels
        The labels (display units, ``y`` up).
    marks
        Fixed boxes no label may cover (symbols, insets).
    frame
        Labels must stay inside this box (``None``: anywhere).
    gap
        Clearance kept between boxes, and the first ring's distance from the point.
    rings
        How many rings of places to try around each point.

    Returns
    -------
    list of Placement
        In the order of ``labels``. Deterministic: ties go to the earlier
        candidate and, within a rank, to the earlier label.
    """
    pad = gap / 2
    placed: list[Box] = [tuple(m) for m in marks]  # type: ignore[misc]
    out: list[Placement | None] = [None] * len(labels)
    for idx in sorted(range(len(labels)), key=lambda i: (labels[i].rank, i)):
        label = labels[idx]
        best: tuple[float, int, float, float] | None = None
        for c, (dx, dy) in enumerate(candidate_offsets(label, gap=gap, rings=rings)):
            box = _box(label, dx, dy, pad)
            cost = sum(_overlap(box, p) for p in placed)
            if frame is not None:
                cost += _outside(box, frame)
            if best is None or cost < best[0] - 1e-9:
                best = (cost, c, dx, dy)
            if cost <= 1e-9:
                break
        assert best is not None
        cost, c, dx, dy = best
        placed.append(_box(label, dx, dy, pad))
        out[idx] = Placement(dx, dy, displaced=c > 0, clear=cost <= 1e-9)
    return [p for p in out if p is not None]
