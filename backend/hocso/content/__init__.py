"""Learning content: files in content/, validated, loaded by hash, and served per language."""
