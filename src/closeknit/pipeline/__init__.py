"""The ingestion and scoring pipeline: import files, parse in a second process, score, gather report data."""
