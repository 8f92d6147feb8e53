"""Figures over people: the per-agency rollups kept on every write, an agency's stats, who is behind, and exports."""
