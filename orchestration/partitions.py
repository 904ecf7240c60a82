"""Partitions of the raw layer: partner (from config/partners.yml) x period (discovered from files).

Partners are static and read from the registry, so a new partner appears as a new partition when
its config entry is added, with no code change. Periods are dynamic: they are registered as files
arrive (by the landing sensor or `make run`), keyed by their first month (2019-04).
"""

from __future__ import annotations

import dagster as dg

from ingestion.registry import load_registry
from ingestion.settings import load_settings

PERIOD_PARTITIONS = dg.DynamicPartitionsDefinition(name="period")


def partner_codes() -> list[str]:
    return sorted(load_registry(load_settings().config_dir).partners)


PARTNER_PARTITIONS = dg.StaticPartitionsDefinition(partner_codes())
SPEND_PARTITIONS = dg.MultiPartitionsDefinition({"partner": PARTNER_PARTITIONS, "period": PERIOD_PARTITIONS})


def spend_partition_key(partner: str, period: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"partner": partner, "period": period})
