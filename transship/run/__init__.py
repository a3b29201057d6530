"""A detection run: features, fitted detectors, scores, flags and the runs ledger."""
