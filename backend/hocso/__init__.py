"""Hocso: digital-skills learning for Vietnam's citizens and civil servants."""

__version__ = "0.1.0"
