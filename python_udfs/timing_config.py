"""Settings of the timing test (vars.timing): TimingConfig and its checks (see timing.py)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

CALENDARS = ("all_awards", "uniform_days")
MAX_PERMUTATIONS = 1_000_000
MIN_AWARDS_FLOOR = 3
# Threads of the timing test (timing_workers): the environment variable, the most it takes,
# and the most chosen by default (the CPUs available, capped).
WORKERS_ENV = "MONEYTRAIL_TIMING_WORKERS"
MAX_WORKERS = 64
MAX_AUTO_WORKERS = 4
# Settings of the uniform-window null this module replaced: refused with a pointer.
_REMOVED_KEYS = ("window", "window_start", "window_end")


@dataclass(frozen=True)
class TimingConfig:
    """Settings of one timing run; invalid values raise ValueError on construction."""

    run_seed: int = 20240101
    n_permutations: int = 2000
    min_donations: int = 3
    min_awards: int = 4
    calendar: str = "all_awards"

    def __post_init__(self) -> None:
        _check_int("run_seed", self.run_seed, 0, (1 << 63) - 1)
        _check_int("n_permutations", self.n_permutations, 2, MAX_PERMUTATIONS)
        _check_int("min_donations", self.min_donations, 1, None)
        _check_int("min_awards", self.min_awards, MIN_AWARDS_FLOOR, None)
        if not isinstance(self.calendar, str) or self.calendar not in CALENDARS:
            raise ValueError(f"timing config: calendar must be one of {', '.join(CALENDARS)}; got {self.calendar!r}")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> TimingConfig:
        """Build from a dbt var / YAML mapping. None means "all defaults".

        Unknown keys and bad values raise ValueError naming the key, the value and what is allowed.
        """
        if mapping is None:
            return cls()
        if not isinstance(mapping, Mapping):
            raise ValueError(f"timing config: expected a mapping, got {type(mapping).__name__}")
        allowed = [f.name for f in fields(cls)]
        removed = sorted(str(k) for k in mapping if k in _REMOVED_KEYS)
        if removed:
            key = removed[0]
            raise ValueError(
                f"timing config: key {key!r} (value {mapping[key]!r}) is no longer a setting: the null "
                "keeps each vendor's first and last award dates and redraws the others from the award "
                "calendar between them, so there is no window to set; remove it (allowed keys: "
                f"{', '.join(allowed)})"
            )
        unknown = sorted(str(k) for k in mapping if k not in allowed)
        if unknown:
            key = unknown[0]
            original = next(k for k in mapping if str(k) == key)
            raise ValueError(
                f"timing config: unknown key {key!r} (value {mapping[original]!r}); allowed keys: {', '.join(allowed)}"
            )
        return cls(**dict(mapping))

    def as_json(self) -> str:
        """The applied settings, as recorded beside every result row."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


def _check_int(name: str, value: Any, low: int, high: int | None) -> None:
    # bool is an int subclass; `n_permutations: true` in YAML is a mistake, not 1.
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        bound = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"timing config: {name} must be an integer {bound}; got {value!r}")


def timing_workers(value: int | str | None = None) -> int:
    """Threads drawing the timing test's nulls: ``value`` when given, else the environment
    variable MONEYTRAIL_TIMING_WORKERS, else "auto". Either is an integer 1..MAX_WORKERS
    (digits only) or "auto": the CPUs this process may run on, at most MAX_AUTO_WORKERS. A
    speed setting only: results are identical for every number of workers, so it is not
    recorded with the settings. Threads pay where a CPU is idle (numpy releases the GIL in the
    draws, lookups and scatters: 1.4-1.9 times the pairs per second on 2 idle cores); with every
    CPU busy they cost a few percent, and 1 turns them off (README, Scale).
    """
    where = "workers"
    if value is None:
        value = os.environ.get(WORKERS_ENV) or "auto"
        where = f"environment variable {WORKERS_ENV}"
    if value == "auto":
        try:
            available = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            available = os.cpu_count() or 1
        return max(1, min(available, MAX_AUTO_WORKERS))
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_WORKERS:
        raise ValueError(
            f"timing: {where} must be an integer between 1 and {MAX_WORKERS} or auto (threads of the timing "
            f"test); got {value!r}"
        )
    return value


def config_from_model(raw_settings: Any, raw_seed: Any) -> TimingConfig:
    """The TimingConfig of int_timing_tests' model config (timing_settings: vars.timing as JSON,
    run_seed: vars.run_seed), on either engine; a missing or misplaced setting is an error."""
    # Each dbt.config.get call of the model stands alone: dbt finds the config keys a Python
    # model reads by scanning its calls, and a call nested in an expression such as `a or b`
    # is not seen (its value then silently arrives as None).
    if raw_settings is None or raw_seed is None:
        raise ValueError(
            "timing: the model config timing_settings/run_seed did not reach int_timing_tests "
            "(models/intermediate/_intermediate.yml sets them from vars.timing and vars.run_seed)"
        )
    settings = json.loads(raw_settings) if isinstance(raw_settings, str) else raw_settings
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        raise ValueError(f"timing config: vars.timing must be a mapping; got {settings!r}")
    settings = dict(settings)
    if "run_seed" in settings:
        raise ValueError("timing config: set run_seed as the top-level var run_seed, not inside vars.timing")
    settings["run_seed"] = int(raw_seed)
    return TimingConfig.from_mapping(settings)


#: The error of a build whose contributions link to vendors but whose contracts have no award date.
NO_AWARD_DATES = (
    "timing: no contract row has a parseable award_date (role_map.contracts.columns."
    "award_date); fix the mapping or set role_map.contracts.timing: {enabled: false}"
)
