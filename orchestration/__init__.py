"""Dagster wiring: assets, checks, jobs, schedules and sensors over the ingestion library and dbt.

This layer is deliberately thin: each asset calls one library function and turns its report into
Dagster metadata and check results. Business rules live in ingestion/, dbt_project/ and publishing/.
"""
