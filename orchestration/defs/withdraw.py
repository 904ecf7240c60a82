"""Withdraw a delivery from the Dagster UI: the same action, checks and record as `svw withdraw`.

Launch the `withdraw_delivery` job with its config (partner, feed, period, reason; withdrawn_by and
remove_landing_file optional). A refusal (unknown partition, no reason, the landing file still
there) fails the run with the reason and changes nothing. The rows leave the published figures at
the next rebuild and publication, which reports the withdrawal.
"""

import dagster as dg

from ingestion.registry import load_registry
from ingestion.withdraw import WithdrawError, withdraw
from orchestration.resources import WarehouseSettings


class WithdrawConfig(dg.Config):
    partner: str
    feed: str
    period: str  # YYYY-MM, or current for a snapshot feed
    reason: str
    withdrawn_by: str = ""  # default: the run's launching user when Dagster knows it, else SVW_OPERATOR/login
    remove_landing_file: bool = False


@dg.op(description="Remove one delivery's raw partition and append the withdrawal to data/raw/_withdrawals.jsonl.")
def withdraw_delivery_op(context: dg.OpExecutionContext, config: WithdrawConfig, warehouse: WarehouseSettings) -> None:
    settings = warehouse.get()
    by = config.withdrawn_by or context.run.tags.get("dagster/user") or None
    try:
        done = withdraw(
            settings.raw_dir,
            settings.landing_dir,
            load_registry(settings.config_dir),
            config.partner,
            config.feed,
            config.period,
            config.reason,
            withdrawn_by=by,
            remove_landing_file=config.remove_landing_file,
        )
    except WithdrawError as exc:
        raise dg.Failure(description=f"nothing withdrawn: {exc}", allow_retries=False) from None
    context.log.info(
        f"withdrawn {done.partner} {done.feed} {done.period}: {done.source_file} by {done.withdrawn_by}: {done.reason}"
    )
    context.log_event(
        dg.AssetObservation(
            asset_key=dg.AssetKey(["raw", done.feed]),
            metadata={
                "withdrawn": f"{done.partner} {done.period}",
                "source_file": done.source_file,
                "withdrawn_by": done.withdrawn_by,
                "reason": done.reason,
                "landing_file_moved_to": done.landing_file or "",
            },
        )
    )


@dg.job(
    name="withdraw_delivery",
    description="Withdraw a loaded delivery (partner, feed, period, reason); rebuild and publish afterwards.",
)
def withdraw_delivery_job():
    withdraw_delivery_op()


defs = dg.Definitions(jobs=[withdraw_delivery_job])
