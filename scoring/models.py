"""Models for the scoring app."""
