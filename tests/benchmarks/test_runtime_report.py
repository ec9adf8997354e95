"""Figures of the runtime benchmark: ratios, targets and percentiles say what they claim."""

import pytest
from runtime_bench.report import Figure, percentile, ratio_at_least, value_below


def test_ratio_is_dotdo_over_baseline_and_target_checks_it():
    figure = Figure("req/s", value=800.0, unit="/s", baseline=200.0, target=">= 4x", meets=ratio_at_least(4.0))
    assert figure.ratio == pytest.approx(4.0)
    assert figure.verdict is True
    assert Figure("req/s", 799.0, "/s", baseline=200.0, meets=ratio_at_least(4.0)).verdict is False


def test_figure_without_baseline_has_no_ratio_and_absolute_targets_still_apply():
    figure = Figure("RSS", value=250.0, unit="MB", meets=value_below(300))
    assert figure.ratio is None
    assert figure.verdict is True
    assert Figure("RSS", value=300.0, unit="MB", meets=value_below(300)).verdict is False
    assert figure.as_dict()["meets_target"] is True


def test_percentile_is_nearest_rank():
    samples = [float(i) for i in range(1, 101)]
    assert percentile(samples, 0.5) == 50.0
    assert percentile(samples, 0.99) == 99.0
    assert percentile([3.0], 0.99) == 3.0
