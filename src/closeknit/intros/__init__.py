"""Who knows whom and who can introduce you: the contacts' graph, warm paths, introductions and matches."""
