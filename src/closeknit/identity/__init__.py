"""Identity resolution: normalise identifiers and names, decide who is who."""
