"""The geometry of a provider page's distribution chart, so the template only prints numbers.

One group per span of days, one bar per kind of line in it; each kind has its own pattern
(static/css: classes only, no inline style) and every bar is labelled with its kind and share,
so the chart reads without colour. The table beside it carries the same figures.
"""

from dataclasses import dataclass

from cases.directory.selectors import Figures

WIDTH = 320
BAR_MAX = 170  # a bar for 100 %; the label after it fits in the rest
BAR_HEIGHT = 14
ROW = 18
HEADING = 18
GAP = 10


@dataclass(frozen=True)
class Bar:
    kind: str
    label: str
    share: int
    y: int
    width: int
    text_x: int
    text_y: int


@dataclass(frozen=True)
class Group:
    label: str
    label_y: int
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    groups: list[Group]
    kinds: list[str]


def distribution(figures: Figures) -> Chart | None:
    if not figures.kinds:
        return None
    y = 0
    groups = []
    for bucket in figures.buckets:
        label_y = y + HEADING - 5
        y += HEADING
        bars = []
        for kind, share in bucket.shares:
            width = max(round(share * BAR_MAX / 100), 1) if share else 0
            bars.append(
                Bar(
                    kind=kind.kind.replace("_", "-"),
                    label=str(kind.label),
                    share=share,
                    y=y,
                    width=width,
                    text_x=width + 6,
                    text_y=y + BAR_HEIGHT - 3,
                )
            )
            y += ROW
        groups.append(Group(label=bucket.label, label_y=label_y, bars=bars))
        y += GAP
    return Chart(
        width=WIDTH,
        height=y,
        groups=groups,
        kinds=[kind.kind.replace("_", "-") for kind in figures.kinds],
    )
