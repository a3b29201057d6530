"""The early-warning digest on the real shared trade statistics (skipped without them):
the facts of ../shared/data/README.md, and a ranking an analyst can read from the top."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl
import pytest

from tests.conftest import SHARED_DATA
from transship.early_warning import warning_digest
from transship.ingest.shared import load_shared_statistics
from transship.storage.store import open_store

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.skipif(
    not (SHARED_DATA / "comtrade_annual").is_dir(), reason="needs ../shared/data"
)


def test_us_digest_reports_the_antimony_fall_its_replacement_and_chinas_rising_exports(
    tmp_path: Path,
) -> None:
    con = open_store(tmp_path / "real.duckdb")
    for _ in load_shared_statistics(con, SHARED_DATA):
        pass
    digest = warning_digest(con, "US", "2023-01")
    con.close()
    rows = digest.warnings.with_row_index("rank")

    def one(kind: str, partner: str, hs6: str) -> dict[str, Any]:
        found = rows.filter(
            (pl.col("kind") == kind) & (pl.col("partner") == partner) & (pl.col("hs6") == hs6)
        )
        assert found.height == 1, f"no single {kind} warning for {partner} {hs6}"
        return found.row(0, named=True)

    # US 811010 imports from China: about 2,356 t in 2022, 493 t in 2024.
    china = one("drop", "China", "811010")
    assert china["period"] == "2024" and china["severity"] == "high"
    assert "2,356.0 t" in china["message"] and "492.7 t" in china["message"]
    # ... replaced by Thailand: 805 t to 1,782 t; Thailand only smelts, on imported feed.
    thailand = one("replacement", "Thailand", "811010")
    assert thailand["period"] == "2024"
    assert "805.0 t" in thailand["message"] and "1,782.5 t" in thailand["message"]
    assert "only minor antimony capacity" in thailand["message"]
    # Mexico stays tiny (the README's negative control); Tajikistan mines antimony.
    replacements = set(rows.filter(pl.col("kind") == "replacement")["partner"])
    assert not replacements & {"Mexico", "Tajikistan"}
    # China's 8112.92 exports to Hong Kong, Malaysia and Belgium rose in 2024.
    hubs = {p: one("diversion", p, "811292") for p in ("Hong Kong", "Malaysia", "Belgium")}
    for partner, row in hubs.items():
        assert row["period"].startswith("2024"), partner
        assert f"to {partner} rose" in row["message"]
    assert "has major" in hubs["Belgium"]["message"]
    # What an analyst reads first: the antimony disruption and the largest hub flows,
    # before a producer's feedstock.
    assert china["rank"] < 3
    assert thailand["rank"] < 5
    assert hubs["Hong Kong"]["rank"] < hubs["Malaysia"]["rank"] < hubs["Belgium"]["rank"]
