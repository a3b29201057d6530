"""Corridor-year detectors: each scores one country x controlled code x year of trade
statistics (``transship.features.corridor_year``), without claiming to know the goods'
true origin."""
