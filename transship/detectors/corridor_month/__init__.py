"""Corridor-month detectors: each scores one origin x controlled code x month of shipments
(``transship.features.corridor_month``)."""
