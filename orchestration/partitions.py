"""Partitions of the raw layer: partner (from config/partners.yml) x period (discovered from files).

Partners are static and read from the registry, so a new partner appears as a new partition when
its config entry is added, with no code change. Periods are dynamic: they are registered as files
arrive (by the landing sensor or `make run`), keyed by their first month (2019-04).
"""

from __future__ import annotations

import dagster as dg

from ingestion.canonical import FEEDS
from ingestion.registry import load_registry
from ingestion.settings import load_settings

PERIOD_PARTITIONS = dg.DynamicPartitionsDefinition(name="period")


def partner_codes() -> list[str]:
    return sorted(load_registry(load_settings().config_dir).partners)


PARTNER_PARTITIONS = dg.StaticPartitionsDefinition(partner_codes())
PERIODIC_PARTITIONS = dg.MultiPartitionsDefinition({"partner": PARTNER_PARTITIONS, "period": PERIOD_PARTITIONS})


def partitions_for(feed: str) -> dg.PartitionsDefinition:
    """A periodic feed (FeedSchema.periodic: spend) is partitioned by partner and period; a snapshot
    feed, whose new file replaces the last, by partner only."""
    return PERIODIC_PARTITIONS if FEEDS[feed].periodic else PARTNER_PARTITIONS


def partition_key_for(feed: str, partner: str, period: str) -> str | dg.MultiPartitionKey:
    """The partition a landed file of this feed loads into."""
    return dg.MultiPartitionKey({"partner": partner, "period": period}) if FEEDS[feed].periodic else partner
