"""Answers the command line, the pages and the JSON API share: each assembled once, from the store."""
