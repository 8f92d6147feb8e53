"""Agencies: the org tree, civil servants, required modules, and subtree statistics kept as rollups."""
