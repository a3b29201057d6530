"""The synthetic trade world with planted schemes that transship measures itself on."""
