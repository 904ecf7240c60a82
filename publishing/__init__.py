"""Decide whether the warehouse may be published, and publish it atomically.

Kept apart from ingestion (which reads partner files) and from the Dagster layer (which only wires):
the quality gate and the publication are plain functions a test can call directly.
"""
