"""Who is who: the spellings of exporters and importers resolved into entities.

``normalise`` folds a name to its comparable core; ``model`` is the Splink model per
role; ``clusters`` builds entities over time from links and corrections; ``resolve``
runs the full resolution and the nightly increment against the store; ``corrections``
records analysts' merges and splits; ``keys`` gives detection its entity keys as of a
date; ``listing`` what the entities are.
"""
