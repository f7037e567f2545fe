"""Models for the applications app."""
