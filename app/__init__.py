"""Signpost domain and services. Nothing in this package imports Qt."""
