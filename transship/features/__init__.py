"""Point-in-time shipment profiles built with polars from the store.

The package imports nothing itself: an ingest needs the monthly summaries, not the
feature build and the detectors it imports (about 0.2 s of every `transship ingest`).
"""
