"""Wagtail hooks: privacy."""
