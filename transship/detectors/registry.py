"""Every detector of every level, by name (the order within a level is the order in which
fusion multiplies their evidence)."""

from __future__ import annotations

from transship.detectors.base import Detector
from transship.detectors.capacity import Capacity
from transship.detectors.corridor_month.capacity import MonthCapacity
from transship.detectors.corridor_month.flagged_share import FlaggedShare
from transship.detectors.corridor_month.surge import MonthSurge
from transship.detectors.corridor_surge import CorridorSurge
from transship.detectors.corridor_year.capacity import YearCapacity
from transship.detectors.corridor_year.china_export_surge import ChinaExportSurge
from transship.detectors.corridor_year.import_surge import ImportSurge
from transship.detectors.corridor_year.mirror_gap import MirrorGap
from transship.detectors.description import DescriptionMismatch
from transship.detectors.hbos import HBOS
from transship.detectors.isolation_forest import IsolationForest
from transship.detectors.pass_through import PassThrough
from transship.detectors.pca import PCA
from transship.detectors.relationships import Relationships
from transship.detectors.returning_firm import ReturningFirm
from transship.detectors.routing import Routing
from transship.detectors.structuring import Structuring
from transship.detectors.unit_value import UnitValueMisfit

DETECTORS: dict[str, type[Detector]] = {
    cls.name: cls
    for cls in (
        CorridorSurge,
        Capacity,
        PassThrough,
        UnitValueMisfit,
        DescriptionMismatch,
        Routing,
        Relationships,
        Structuring,
        ReturningFirm,
        IsolationForest,
        HBOS,
        PCA,
        ImportSurge,
        ChinaExportSurge,
        MirrorGap,
        YearCapacity,
        MonthSurge,
        MonthCapacity,
        FlaggedShare,
    )
}
