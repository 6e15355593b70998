"""Benjamini-Hochberg q-values used by the timing test (python_udfs.stats)."""

from __future__ import annotations

import numpy as np
import pytest

from python_udfs.stats import bh_qvalues


def test_known_vector():
    # sorted: 0.0625, 0.125, 0.25, 0.5 -> p*m/rank = 0.25, 0.25, 1/3, 0.5 (already monotone)
    assert bh_qvalues([0.25, 0.0625, 0.5, 0.125]).tolist() == [1 / 3, 0.25, 0.5, 0.25]


def test_step_up_minimum_pulls_earlier_ranks_down():
    # p*m/rank = 0.03, 0.0375, 0.03 -> the second is lowered to the third's 0.03
    assert bh_qvalues([0.01, 0.025, 0.03]).tolist() == [0.03, 0.03, 0.03]


def test_ties_share_one_q_value_whatever_their_order():
    q = bh_qvalues([0.5, 0.125, 0.5, 0.125])
    assert q.tolist() == [0.5, 0.25, 0.5, 0.25]
    assert bh_qvalues([0.125, 0.5, 0.125, 0.5]).tolist() == [0.25, 0.5, 0.25, 0.5]


def test_monotone_capped_and_order_free():
    rng = np.random.default_rng(1)
    p = np.concatenate([rng.random(500) ** 3, [1.0, 1.0, 0.0005]])
    q = bh_qvalues(p)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(q[order]) >= 0)
    assert np.all(q >= p) and np.all(q <= 1.0)
    perm = rng.permutation(p.size)
    assert np.array_equal(bh_qvalues(p[perm]), q[perm])


def test_empty_and_single():
    assert bh_qvalues([]).tolist() == []
    assert bh_qvalues([0.2]).tolist() == [0.2]


@pytest.mark.parametrize("bad", [[0.1, float("nan")], [1.5], [-0.1]])
def test_rejects_values_outside_unit_interval(bad):
    with pytest.raises(ValueError) as err:
        bh_qvalues(bad)
    assert str(err.value) == "bh_qvalues: p-values must be finite and within [0, 1]"


def test_rejects_non_vector():
    with pytest.raises(ValueError) as err:
        bh_qvalues([[0.1, 0.2]])
    assert str(err.value) == "bh_qvalues: expected a 1-D array of p-values, got shape (1, 2)"
