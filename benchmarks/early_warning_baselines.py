"""Which baseline should the early-warning drop signal use? The robust seasonal baseline of
``transship.early_warning.series`` against a change-point method from a maintained library
(``ruptures``' PELT), both run online (at each month, on the data up to that month) over
the same monthly series:

- the synthetic demo world's monthly statistics (seed 7), where China's direct exports to
  the US of every controlled code stop at the ban (2024-12-03): those series must alarm
  from 2024-12 on, and every alarm elsewhere (or earlier) is a false alarm;
- China's real monthly exports by partner (``<data>/china_exports_monthly``, 2017-2024),
  which have no labels: the alarms are counted, and those on 8112.92 in the three months
  after the August 2023 licences are counted apart.

Both methods see the same signal, three-month sums of the value in dollars, on series that
traded in at least half their months. A seasonal alarm is the digest's drop rule
(``signals.dropped``): the window is at most half the median of the same months in up to
three earlier years, below each of them, and (once the flow has six departures from its
baseline to measure its noise) three robust standard deviations below it, a fall to a
tenth counting however noisy the flow. A PELT
alarm: a change point (L2 cost on log dollars, minimum segment three months, penalty
2 log(n) times the robust variance of the month-to-month changes) within the last three
months of the trailing 36, with the level after it at most half the level before.

    pip install ruptures   # not a dependency of transship: it lost this measurement
    python -m benchmarks.early_warning_baselines ../shared/data --out bench-out/early_warning.json
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from transship.early_warning.config import WarningSettings
from transship.early_warning.series import KEYS, clean, windows
from transship.early_warning.signals import dropped, measured
from transship.world.generate import BAN, shipments_with_labels, trade_flows

HISTORY_MONTHS = 36
FIRST_YEARS = 2
"""Neither method alarms before two years of history (the seasonal baseline needs a
year; PELT needs segments on both sides)."""


def _monthly_flows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        source=pl.lit("bench"),
        frequency=pl.lit("monthly"),
        period_start=pl.col("period").str.to_date("%Y-%m"),
    )


def synthetic_flows(seed: int = 7) -> pl.DataFrame:
    return _monthly_flows(trade_flows(shipments_with_labels(seed, 1.0), seed))


def real_flows(data_dir: Path) -> pl.DataFrame:
    from transship.ingest.shared import load_shared_statistics
    from transship.storage.store import open_store

    store = Path("/tmp") / f"early_warning_bench_{time.time_ns()}.duckdb"
    con = open_store(store)
    for _ in load_shared_statistics(con, data_dir):
        pass
    flows: pl.DataFrame = con.sql(
        "SELECT source, period, period_start, frequency, reporter, partner, flow, hs6, "
        "value_usd, weight_kg FROM trade_flows WHERE frequency = 'monthly'"
    ).pl()
    con.close()
    store.unlink()
    return flows


def _dense(frame: pl.DataFrame) -> pl.DataFrame:
    """Window sums of series that traded in at least half their published months."""
    settings = WarningSettings()
    rows, _ = clean(frame)
    sums = windows(rows, settings).filter(pl.col("partner").str.len_chars() == 2)
    traded = sums.group_by(KEYS).agg(share=(pl.col("value_usd") > 0).mean())
    return sums.join(traded.filter(pl.col("share") >= 0.5), on=KEYS).sort([*KEYS, "period_start"])


def seasonal_alarms(sums: pl.DataFrame) -> pl.DataFrame:
    """The drop rule the digest uses (``signals.dropped``), in dollars."""
    start = sums["period_start"].min()
    assert isinstance(start, date)
    first = date(start.year + FIRST_YEARS, start.month, 1)
    in_dollars = sums.with_columns(weight_kg=None, base_weight_kg=None)
    return (
        measured(in_dollars.filter(pl.col("complete") & pl.col("base_value_usd").is_not_null()))
        .filter((pl.col("period_start") >= first) & dropped(WarningSettings()))
        .select(*KEYS, "period_start")
    )


def pelt_alarms(sums: pl.DataFrame) -> pl.DataFrame:
    rpt: Any = importlib.import_module("ruptures")
    start = sums["period_start"].min()
    assert isinstance(start, date)
    first = date(start.year + FIRST_YEARS, start.month, 1)
    found = []
    for key, series in sums.filter(pl.col("complete")).group_by(KEYS, maintain_order=True):
        signal = np.log1p(series["value_usd"].to_numpy() / 1000.0)
        months = series["period_start"].to_list()
        for t in range(len(signal)):
            if months[t] < first:
                continue
            history = signal[max(0, t + 1 - HISTORY_MONTHS) : t + 1]
            if len(history) < 12:
                continue
            steps = np.diff(history)
            spread = 1.4826 * np.median(np.abs(steps - np.median(steps)))
            penalty = 2 * np.log(len(history)) * max(spread**2, 1e-3)
            breaks = rpt.Pelt(model="l2", min_size=3, jump=1).fit(history).predict(pen=penalty)
            if len(breaks) < 2:
                continue
            last = breaks[-2]
            if last < len(history) - 3:
                continue
            before, after = history[:last].mean(), history[last:].mean()
            if after <= before - np.log(2):
                found.append(dict(zip(KEYS, key, strict=True)) | {"period_start": months[t]})
    return pl.DataFrame(found, schema={**dict.fromkeys(KEYS, pl.String), "period_start": pl.Date})


def _planted(frame: pl.DataFrame) -> pl.Expr:
    """China's direct exports to the US, either side's statistics, controlled codes."""
    us_from_china = (pl.col("reporter") == "US") & (pl.col("partner") == "CN")
    china_to_us = (pl.col("reporter") == "CN") & (pl.col("partner") == "US")
    return (us_from_china | china_to_us) & pl.col("hs6").is_in(
        ["282580", "811010", "811292", "282560"]
    )


def score_synthetic(sums: pl.DataFrame, alarms: pl.DataFrame) -> dict[str, Any]:
    ban = date(BAN.year, BAN.month, 1)
    truth = sums.filter(_planted(sums)).select(KEYS).unique()
    after = alarms.filter(_planted(alarms) & (pl.col("period_start") >= ban))
    firsts = after.group_by(KEYS).agg(first=pl.col("period_start").min())
    delays = [(f.year - ban.year) * 12 + f.month - ban.month for f in firsts["first"].to_list()]
    false = alarms.filter(~_planted(alarms) | (pl.col("period_start") < ban))
    other = sums.filter(~_planted(sums))
    series_years = other.select(KEYS).unique().height * other["period_start"].n_unique() / 12
    return {
        "planted_series": truth.height,
        "planted_found": firsts.height,
        "delay_months": sorted(delays),
        "false_alarms": false.height,
        "false_alarm_series": false.select(KEYS).unique().height,
        "series_without_plant": other.select(KEYS).unique().height,
        "false_alarms_per_series_year": round(false.height / max(series_years, 1), 3),
    }


def score_real(sums: pl.DataFrame, alarms: pl.DataFrame) -> dict[str, Any]:
    licence = alarms.filter(
        (pl.col("hs6") == "811292")
        & pl.col("period_start").is_between(date(2023, 8, 1), date(2023, 10, 1))
    )
    return {
        "series": sums.select(KEYS).unique().height,
        "alarms": alarms.height,
        "series_with_alarms": alarms.select(KEYS).unique().height,
        "alarms_811292_aug_oct_2023": licence.select(KEYS).unique().height,
        "series_811292": sums.filter(pl.col("hs6") == "811292").select(KEYS).unique().height,
    }


def measure(frame: pl.DataFrame, scorer: Any) -> dict[str, Any]:
    started = time.perf_counter()
    sums = _dense(frame)
    out: dict[str, Any] = {"windows_and_baselines_seconds": round(time.perf_counter() - started, 2)}
    for name, method in (("seasonal", seasonal_alarms), ("pelt", pelt_alarms)):
        started = time.perf_counter()
        alarms = method(sums)
        seconds = time.perf_counter() - started
        out[name] = scorer(sums, alarms) | {"seconds": round(seconds, 2)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=Path("bench-out/early_warning.json"))
    args = parser.parse_args(argv)
    result = {
        "synthetic_demo_world": measure(synthetic_flows(), score_synthetic),
        "real_china_monthly": measure(real_flows(args.data), score_real),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
