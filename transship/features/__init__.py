"""Point-in-time shipment profiles built with polars from the store."""

from transship.features.build import Reference, build_features, load_flows, load_shipments

__all__ = ["Reference", "build_features", "load_flows", "load_shipments"]
