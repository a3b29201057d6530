"""Point-in-time window helpers: a row arriving on day D only ever sees rows before D."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

if TYPE_CHECKING:
    from datetime import date

DATE = "arrival_date"
# Days since 1970 shifted to stay positive, packed below the key id in one int64.
_DAY_BITS = 22
_DAY_OFFSET = 1 << 21
_MAX_ID = 1 << 40


@dataclass(frozen=True)
class Window:
    """The sum of ``value`` over [D - days, D - skip_days), D being a row's arrival date."""

    value: pl.Expr
    days: int
    skip_days: int = 0


class KeyCodes:
    """The category codes of a frame's key columns, each found once however many windows
    and first sightings over the frame's rows read it (casting millions of strings is
    most of numbering their keys)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.codes: dict[str, pl.Series] = {}

    def __call__(self, key: str) -> pl.Series:
        if key not in self.codes:
            column = self.frame[key].cast(pl.String).cast(pl.Categorical)
            # Kept as the 32-bit codes: combining them widens to 64 bits one key at a time.
            self.codes[key] = column.to_physical()
        return self.codes[key]


def group_ids(frame: pl.DataFrame, keys: list[str], codes: KeyCodes | None = None) -> pl.Series:
    """Per row, an integer standing for its keys (below 2**40; null keys are a value of
    their own, as in a group_by): each key's category code, the codes combined, renumbered
    where the combination grows too large. Far cheaper than joining ids to string keys.
    ``codes`` holds the codes of ``frame``'s rows (or of the same rows of another frame)."""
    codes = codes or KeyCodes(frame)
    assert codes.frame.height == frame.height
    ids = pl.Series(values=np.zeros(frame.height, dtype=np.int64))
    for key in keys:
        code = codes(key)
        top = code.max()
        width = 1 if top is None else int(top) + 2  # type: ignore[arg-type]
        if frame.height and (int(ids.max()) + 1) * width >= 1 << 62:  # type: ignore[arg-type]
            ids = ids.rank("dense").cast(pl.Int64)
        ids = ids * width + code.fill_null(width - 1)
    if frame.height and int(ids.max()) >= _MAX_ID:  # type: ignore[arg-type]
        ids = ids.rank("dense").cast(pl.Int64)
    return ids


def prior_sums(
    frame: pl.DataFrame,
    keys: list[str],
    windows: dict[str, Window],
    since: date | None = None,
    codes: KeyCodes | None = None,
    earlier: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Per row, one column per window: sums over earlier rows with the same keys. Rows with
    null keys form one group, as in a group_by; a constant value counts rows. With
    ``since``, only rows arriving from that day on get their sums (the others are null),
    every row still counting in them. ``codes``: see ``group_ids``. ``earlier`` (the keys,
    ``DATE`` and one column per window) adds day totals of shipments not in ``frame``, on
    days before any of the key's rows in it (``day_totals``).

    The rows are first summed per key and day (a group keeps its rows in frame order, so
    a key's day totals are the same whichever other keys or days the frame holds): a
    nightly build's context of millions of rows becomes a few hundred thousand key-days.
    Each window is then the difference of two running totals of the key's days, found by
    binary search on (key id, day): far faster than a rolling pass or an as-of join over
    many small string-keyed groups. Windows over the same keys share the one sort.
    """
    day = frame[DATE].cast(pl.Int32).cast(pl.Int64) + _DAY_OFFSET
    ids = group_ids(frame, keys, codes)
    position = (ids * (1 << _DAY_BITS) + day).to_numpy()
    # Selected beside the date, so that a constant value fills every row.
    values = frame.select(
        DATE, **{name: window.value.cast(pl.Float64) for name, window in windows.items()}
    )
    if earlier is not None:
        # Day totals of keys the frame has, numbered as the frame numbers them, each
        # day's total one more row after the frame's own.
        numbered = (
            frame.select(keys)
            .with_columns(_id=ids)
            .group_by("_id")
            .agg(pl.col(keys).first())
            .join(earlier, on=keys, nulls_equal=True)
        )
        position = np.concatenate(
            [
                position,
                (
                    numbered["_id"] * (1 << _DAY_BITS)
                    + numbered[DATE].cast(pl.Int32).cast(pl.Int64)
                    + _DAY_OFFSET
                ).to_numpy(),
            ]
        )
        values = pl.concat([values, numbered.select(values.columns)])
    # A stable sort keeps the rows of one key and day in frame order.
    order = np.argsort(position, kind="stable")
    position_rows = position[order]
    starts = np.flatnonzero(np.diff(position_rows, prepend=-1))
    position_sorted = position_rows[starts]
    # The wanted rows in (key, day) order: binary searches for sorted positions stay in
    # cache (searched in frame order, a full build's windows took several times longer).
    in_frame = order < frame.height
    wanted = order[in_frame]
    if since is not None:
        day_mask = np.int64((1 << _DAY_BITS) - 1)
        wanted = order[in_frame & ((position_rows & day_mask) >= _day_number(since))]
    position_wanted = position[wanted]
    key_first = np.searchsorted(
        position_sorted, position_wanted & ~np.int64((1 << _DAY_BITS) - 1), "left"
    )
    found: dict[int, np.ndarray] = {}

    def first_at_or_after(offset_days: int) -> np.ndarray:
        """Index of the key's first day on or after day - offset."""
        if offset_days not in found:
            found[offset_days] = np.searchsorted(
                position_sorted, position_wanted - offset_days, "left"
            )
        return found[offset_days]

    keys_sorted = position_sorted >> _DAY_BITS
    columns = {}
    for name, window in windows.items():
        # Running totals restart per key, so rounding dust stays at the scale of that key.
        day_totals = np.add.reduceat(values[name].to_numpy()[order], starts)
        running = (
            pl.DataFrame({"key": keys_sorted, "value": day_totals})
            .select(pl.col("value").cum_sum().over("key"))["value"]
            .to_numpy()
        )

        def total_before(offset_days: int, running: np.ndarray = running) -> np.ndarray:
            at = first_at_or_after(offset_days)
            return np.where(at > key_first, running[at - 1], 0.0)

        # running totals leave rounding dust where a window is really empty
        sums = np.full(frame.height, np.nan)
        sums[wanted] = np.round(total_before(window.skip_days) - total_before(window.days), 6)
        columns[name] = pl.Series(name, sums, nan_to_null=since is not None)
    return pl.DataFrame(columns)


def _day_number(day: date) -> int:
    number: int = pl.Series([day]).cast(pl.Int32).item() + _DAY_OFFSET
    return number


def prior_sum(
    frame: pl.DataFrame,
    keys: list[str],
    value: pl.Expr,
    days: int,
    skip_days: int = 0,
    since: date | None = None,
    codes: KeyCodes | None = None,
    earlier: pl.DataFrame | None = None,
) -> pl.Series:
    """One window of ``prior_sums`` (``earlier``'s day totals in ``sum``)."""
    windows = {"sum": Window(value, days, skip_days)}
    return prior_sums(frame, keys, windows, since, codes, earlier)["sum"]


def first_seen(
    frame: pl.DataFrame,
    keys: list[str],
    earlier: pl.DataFrame | None = None,
    since: date | None = None,
    codes: KeyCodes | None = None,
) -> pl.Series:
    """Per row: the first arrival date of its keys strictly before the row's date, else null.

    The overall first date is the same as the first date among earlier rows whenever it
    lies before D, so one group minimum gives a point-in-time answer for every row.
    ``earlier`` (keys and ``first_seen``) adds first dates from shipments not in ``frame``.
    With ``since``, only rows arriving from that day on get theirs (the others are null),
    every row still counting in them. ``codes``: see ``group_ids``.
    """
    rows = frame.select(*keys, DATE).with_columns(_group=group_ids(frame, keys, codes))
    firsts = rows.group_by("_group").agg(pl.col(keys).first(), _first=pl.col(DATE).min())
    if earlier is not None:
        firsts = firsts.join(
            earlier.rename({"first_seen": "_earlier"}), on=keys, how="left", nulls_equal=True
        ).with_columns(_first=pl.min_horizontal("_first", "_earlier"))
    first = pl.col("_first")
    wanted = rows.select("_group", DATE).with_row_index("_row")
    if since is not None:
        # Only the wanted rows are joined: the context would be most of a nightly's rows.
        wanted = wanted.filter(pl.col(DATE) >= since)
    found = wanted.join(
        firsts.select("_group", "_first"), on="_group", how="left", maintain_order="left"
    ).select("_row", first_seen=pl.when(first < pl.col(DATE)).then(first))
    if since is None:
        return found["first_seen"]
    return pl.Series("first_seen", [None] * frame.height, pl.Date).scatter(
        found["_row"], found["first_seen"]
    )


def day_totals(rows: pl.DataFrame, keys: list[str], value: str) -> pl.DataFrame:
    """Per key and day of ``rows``, the sum of ``value`` (keys, ``DATE``, ``value``), for
    ``prior_sums``' ``earlier``. ``rows`` are sorted by the keys and the day, and within a
    day as a build sorts its frame (by shipment): each total is then added as
    ``prior_sums`` adds a key's day, the same bit for bit."""
    if rows.is_empty():
        return rows.select(*keys, DATE, value)
    new = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift(1)) for c in [*keys, DATE])
    starts = np.flatnonzero(rows.select(new.fill_null(True)).to_series().to_numpy())
    totals = np.add.reduceat(rows[value].cast(pl.Float64).to_numpy(), starts)
    return rows[starts].select(*keys, DATE).with_columns(pl.Series(value, totals))
