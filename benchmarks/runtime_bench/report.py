"""Figures, each with the baseline measured in the same run, and their Rich tables."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from statistics import median
from typing import Any

from rich.console import Console
from rich.table import Table


@dataclass
class Figure:
    """One measured figure of dotdo and the baseline it is compared with.

    `ratio` is dotdo's value over the baseline's; `higher_is_better` says which way is good.
    `meets` tells whether the figure meets its target (None: no target).
    """

    label: str
    value: float
    unit: str
    baseline_label: str = ""
    baseline: float | None = None
    higher_is_better: bool = True
    target: str = ""
    meets: Callable[[Figure], bool] | None = field(default=None, repr=False)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """dotdo / baseline, or None without a baseline."""
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    @property
    def verdict(self) -> bool | None:
        """Whether the target is met (None when there is no target)."""
        return None if self.meets is None else self.meets(self)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly view (for `--json`)."""
        data = asdict(self)
        data.pop("meets")
        data["ratio"] = self.ratio
        data["meets_target"] = self.verdict
        return data


def ratio_at_least(minimum: float) -> Callable[[Figure], bool]:
    """A target: dotdo / baseline >= minimum."""
    return lambda figure: figure.ratio is not None and figure.ratio >= minimum


def value_below(maximum: float) -> Callable[[Figure], bool]:
    """A target: the value itself stays under `maximum` (in its own unit)."""
    return lambda figure: figure.value < maximum


def percentile(samples: list[float], fraction: float) -> float:
    """The `fraction` percentile (0..1) of `samples`, nearest-rank."""
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


def middle(values: Iterable[float]) -> float:
    """Median of repeated runs."""
    return median(list(values))


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".rstrip()


def render(console: Console, title: str, figures: list[Figure], notes: Iterable[str] = ()) -> None:
    """Print one section as a table: figure, dotdo, baseline, ratio, target."""
    table = Table(title=title, title_justify="left", title_style="bold", show_lines=False)
    table.add_column("measurement")
    table.add_column("dotdo", justify="right")
    table.add_column("baseline (same run)")
    table.add_column("dotdo / baseline", justify="right")
    table.add_column("target")
    for figure in figures:
        ratio = figure.ratio
        ratio_text = "—" if ratio is None else f"{ratio:.2f}x"
        verdict = figure.verdict
        target = figure.target
        if verdict is not None:
            target = f"[green]✓ {target}[/]" if verdict else f"[red]✗ {target}[/]"
        baseline = figure.baseline_label
        if figure.baseline is not None:
            baseline = f"{_number(figure.baseline, figure.unit)}  {figure.baseline_label}"
        label = figure.label if not figure.note else f"{figure.label}\n[dim]{figure.note}[/]"
        table.add_row(label, _number(figure.value, figure.unit), baseline, ratio_text, target)
    console.print(table)
    for note in notes:
        console.print(f"  [dim]{note}[/]")
    console.print()
