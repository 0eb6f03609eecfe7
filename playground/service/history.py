"""A bounded loss history: old points are thinned as it grows, the latest stay exact.

After 100,000 epochs a snapshot carries at most `capacity` points, spread over the whole
run (older ones sparser, like a chart's pixels), and the last `recent` of them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class History:
    capacity: int = 500   # a chart 300 px wide shows no more; and a snapshot stays ~50 KB
    recent: int = 100
    points: list[dict] = field(default_factory=list)

    def add(self, point: dict) -> None:
        self.points.append(point)
        if len(self.points) > self.capacity:
            old, new = self.points[: -self.recent], self.points[-self.recent :]
            # keep the very first point so the chart always starts at step 0
            self.points = old[:1] + old[1::2] + new if len(old) > 1 else old + new

    def since(self, step: int) -> list[dict]:
        """The points after `step`, found from the end: steps only grow, and a playing
        page asks for the last one or two each frame."""
        first = len(self.points)
        while first > 0 and self.points[first - 1]["step"] > step:
            first -= 1
        return self.points[first:]

    def clear(self) -> None:
        self.points = []

    def __len__(self) -> int:
        return len(self.points)
