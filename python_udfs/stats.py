"""Small statistical helpers shared by the Python models."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def bh_qvalues(p_values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Benjamini-Hochberg q-values, in the order the p-values were given.

    q_(i) = min over j >= i of (p_(j) * m / j), capped at 1, where p_(1) <= ... <= p_(m).
    Tied p-values always receive the same q-value whatever their order (the running
    minimum from the top reaches a tie block through its last member), so the result
    does not depend on input order; the stable sort only makes the intermediate
    ordering reproducible. The product is formed as (p * m) / rank in float64.
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError(f"bh_qvalues: expected a 1-D array of p-values, got shape {p.shape}")
    if p.size == 0:
        return np.empty(0, dtype=np.float64)
    if not np.all(np.isfinite(p)) or np.any(p < 0.0) or np.any(p > 1.0):
        raise ValueError("bh_qvalues: p-values must be finite and within [0, 1]")
    m = p.size
    order = np.argsort(p, kind="stable")
    ranked = (p[order] * m) / np.arange(1, m + 1, dtype=np.float64)
    q_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    np.minimum(q_sorted, 1.0, out=q_sorted)
    q = np.empty(m, dtype=np.float64)
    q[order] = q_sorted
    return q
