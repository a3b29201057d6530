"""Benchmarks (`make bench`): run from a checkout, not shipped in the package."""
