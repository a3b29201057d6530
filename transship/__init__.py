"""transship: find export-controlled minerals rerouted through third countries."""

__version__ = "0.1.0"
