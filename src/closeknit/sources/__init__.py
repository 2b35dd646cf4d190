"""Source parsers: one module per format, each with sniff(path) and parse(path)."""
