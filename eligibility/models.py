"""Models for the eligibility app."""
