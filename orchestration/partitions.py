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


def batches_by_partner(partitions: list[tuple[str, str, str]], workers: int) -> list[list[tuple[str, str, str]]]:
    """Split (feed, partner, period) partitions into at most `workers` batches that can load at once.

    A partner's partitions stay together and in order (supplier lists before spend, months in
    order): each spend load compares its rows with the partner's other months (a payment sent twice
    is caught that way), so two of one partner's months must never load at the same time. Partners
    are dealt largest first onto the batch with the fewest partitions so far, so the batches finish
    together."""
    by_partner: dict[str, list[tuple[str, str, str]]] = {}
    for partition in sorted(partitions, key=lambda p: (p[1], FEEDS[p[0]].periodic, p[2], p[0])):
        by_partner.setdefault(partition[1], []).append(partition)
    batches: list[list[tuple[str, str, str]]] = [[] for _ in range(max(1, min(workers, len(by_partner))))]
    for members in sorted(by_partner.values(), key=len, reverse=True):
        min(batches, key=len).extend(members)
    return [batch for batch in batches if batch]
