"""sources/ssb."""
