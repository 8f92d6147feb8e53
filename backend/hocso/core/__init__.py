"""Cross-cutting pieces: settings, database, security and the error family."""
