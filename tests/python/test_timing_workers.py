"""The timing test's threads (timing_workers) change its speed only: the same table, byte for
byte, for every number of workers, and the setting is validated exactly."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from python_udfs import timing, timing_null
from python_udfs.timing import TimingConfig, run_timing
from python_udfs.timing_config import MAX_AUTO_WORKERS, MAX_WORKERS, WORKERS_ENV, timing_workers
from tests.python.test_timing import tables


def _shapes(seed: int):
    """Vendors of every path: small batched ones (3-12 award dates), mid-sized ones drawn by
    pairwise rejection, large dense ones on the bitmap grid (hundreds of dates), one whose
    awards fill most of its span (exponential keys), several pairs per vendor, a vendor
    without awards and a pair with too few donations."""
    rng = np.random.default_rng(seed)
    donations, awards = [], []
    sizes = [3, 5, 8, 12, 12, 12, 20, 33, 40, 120, 262, 300, 380]
    for v, n in enumerate(sizes):
        span = 1095 if n != 380 else 450
        awards += [(f"v{v}", int(a)) for a in rng.choice(np.arange(span), size=n, replace=False)]
        for r in range(1 + v % 3):
            donations += [(f"v{v}", f"r{r}", int(d)) for d in rng.integers(-20, span + 20, size=3 + 7 * r)]
    donations += [("vnone", "r0", 1), ("vnone", "r0", 2), ("vnone", "r0", 3), ("v0", "rsmall", 9)]
    return tables(donations, awards)


@pytest.mark.parametrize("calendar", ["all_awards", "uniform_days"])
@pytest.mark.parametrize("seed", [1, 2])
def test_every_number_of_workers_gives_the_same_table(calendar, seed):
    data = _shapes(seed)
    config = TimingConfig(n_permutations=777, calendar=calendar)
    one = run_timing(*data, config, workers=1)
    assert one.filter(pa.compute.equal(one.column("status"), "tested")).num_rows >= 12
    for workers in (2, 3, 8):
        assert run_timing(*data, config, workers=workers).equals(one), workers


def test_workers_agree_with_several_blocks_per_vendor(monkeypatch):
    # small blocks: every large vendor draws several blocks, on several threads at once
    monkeypatch.setattr(timing_null, "_BATCH_ELEMENTS", 1 << 14)
    data = _shapes(3)
    config = TimingConfig(n_permutations=1500)
    one = run_timing(*data, config, workers=1)
    assert run_timing(*data, config, workers=4).equals(one)
    monkeypatch.setattr(timing, "_BATCH_SMALL", False)  # every vendor a task of its own
    assert run_timing(*data, config, workers=4).equals(one)


def test_workers_setting_is_validated_exactly(monkeypatch):
    monkeypatch.delenv(WORKERS_ENV, raising=False)
    assert timing_workers() == timing_workers("auto")
    assert 1 <= timing_workers("auto") <= MAX_AUTO_WORKERS
    assert timing_workers(3) == timing_workers("3") == 3
    for bad in (0, -1, MAX_WORKERS + 1, True, 2.0, "two", " 2", "+2", "\u0662", "AUTO"):
        with pytest.raises(ValueError, match="timing: workers must be an integer between 1 and 64 or auto"):
            timing_workers(bad)  # type: ignore[arg-type]
    monkeypatch.setenv(WORKERS_ENV, "2")
    assert timing_workers() == 2
    assert timing_workers(1) == 1  # an explicit value wins over the environment
    monkeypatch.setenv(WORKERS_ENV, "auto")
    assert 1 <= timing_workers() <= MAX_AUTO_WORKERS
    monkeypatch.setenv(WORKERS_ENV, "")
    assert timing_workers() == timing_workers("auto")
    for bad in ("0", "65", "two", " 2", "2.0", "+2", "\u0662"):
        monkeypatch.setenv(WORKERS_ENV, bad)
        message = f"timing: environment variable {WORKERS_ENV} must be an integer between 1 and 64 or auto"
        with pytest.raises(ValueError, match=message):
            timing_workers()
        with pytest.raises(ValueError, match=WORKERS_ENV):
            run_timing(*_shapes(1), TimingConfig(n_permutations=9))
