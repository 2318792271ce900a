"""The streaming plan itself, with files instead of Kafka: the update-mode window query and the episode
step in foreachBatch run as a real Structured Streaming query, micro-batch by micro-batch, one file each.
Each line of a file is an orders.v1 log record, read through the parse the Kafka source's records take."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession

from orders_fixture import NOON, order, record, spread
from riskjob.commands import run_namespace
from riskjob.episode_store import EpisodeStore
from riskjob.orders import RECORD_SCHEMA, file_records, parse_orders
from riskjob.settings import DetectorSettings
from riskjob.streaming import DetectorBatch, StreamOptions, detector_writer
from riskjob.topics import KILL_COMMANDS, RISK_SIGNALS

SECOND = 1_000


def write_batch(directory: Path, sequence: int, rows: list[dict[str, Any]], clock_ms: int = 0) -> None:
    """Orders appended at their ts; a client clock `clock_ms` off stamps each ts that much off."""
    directory.mkdir(parents=True, exist_ok=True)
    file = directory / f"{sequence}.json"
    logged = [record({**row, "ts": row["ts"] + clock_ms}, appended_ms=row["ts"]) for row in rows]
    file.write_text("".join(json.dumps(line) + "\n" for line in logged))
    # The file source takes files oldest first by modification time; files written within the same
    # clock tick would come in any order, and the far-future one first would make the others late.
    os.utime(file, (1_700_000_000 + sequence, 1_700_000_000 + sequence))


def state_record(scope: str, status: str, updated_ts: int) -> tuple[str, bytes]:
    value = {"scope": scope, "status": status, "updated_ts": updated_ts, "updated_by": "ops", "reason": "r"}
    return scope, json.dumps(value).encode()


class FakeOperatorStates:
    """State records as the state topic would give them, each list handed out on its own read (one a batch)."""

    def __init__(self, *reads: list[tuple[str, bytes]]) -> None:
        self.pending = list(reads)
        self.reads = 0

    def read(self, positions: dict[str, int]) -> tuple[list[tuple[str, bytes]], dict[str, int]]:
        self.reads += 1
        # The positions come back from the previous batch's version: the store carries them.
        assert positions == ({} if self.reads == 1 else {"0": self.reads - 1})
        return (self.pending.pop(0) if self.pending else []), {"0": self.reads}


class Run:
    """The job over the files in `incoming`, every record it writes kept with its batch id."""

    def __init__(self, spark: SparkSession, settings: DetectorSettings, tmp_path: Path) -> None:
        self.spark = spark
        self.settings = settings
        self.incoming = tmp_path / "orders"
        self.options = StreamOptions(
            brokers="unused", checkpoint=str(tmp_path / "checkpoint"), available_now=True
        )
        self.records: list[tuple[int, str, dict[str, Any]]] = []
        self.operator_states: Any = None

    def process(self) -> None:
        batches = iter(range(1_000_000))

        def sink(records: DataFrame) -> None:
            batch = next(batches)
            self.records += [(batch, r.topic, json.loads(r.value)) for r in records.collect()]

        batch = DetectorBatch(
            settings=self.settings,
            namespace=run_namespace(self.options.checkpoint),
            store=EpisodeStore(self.spark, self.options.episodes),
            sink=sink,
            operator_states=self.operator_states,
            say=lambda _line: None,
        )
        source = self.spark.readStream.schema(RECORD_SCHEMA).option("maxFilesPerTrigger", 1)
        orders = parse_orders(file_records(source.json(str(self.incoming))))
        detector_writer(orders, self.settings, self.options, batch).start().awaitTermination()

    def kills(self) -> list[tuple[int, str, str]]:
        return [(b, v["scope"], v["reason"]) for b, topic, v in self.records if topic == KILL_COMMANDS]

    def signals(self, account: str) -> list[dict[str, Any]]:
        return [v for _, topic, v in self.records if topic == RISK_SIGNALS and v["account_id"] == account]


@pytest.fixture
def run(spark: SparkSession, settings: DetectorSettings, tmp_path: Path) -> Run:
    return Run(spark, settings, tmp_path)


def test_a_breach_is_killed_in_the_micro_batch_of_the_breaching_order(run: Run) -> None:
    # Given a six-second panic (25 orders a second) and nothing after it: no later order moves the
    # watermark past any of its windows
    write_batch(run.incoming, 1, spread(150, NOON, 40))

    # When its single micro-batch runs
    run.process()

    # Then the account is killed in that batch, for the window of the crossing order (12:00:04, the 101st)
    # as it stood at the end of the batch: the orders of 12:00:00-12:00:04.96
    assert run.kills() == [(0, "ACCOUNT:12345", "Order rate breach: 125 orders in 60s")]


def test_a_client_clock_minutes_off_hides_no_account_and_blinds_nobody(run: Run) -> None:
    # Given a runaway whose client stamps its orders five minutes ahead of the log, then, in later
    # batches, one whose client is twenty seconds behind and one whose clock is right
    write_batch(run.incoming, 1, spread(150, NOON, 10, account_id="fast"), clock_ms=5 * 60 * SECOND)
    write_batch(run.incoming, 2, spread(150, NOON + 3 * SECOND, 10, account_id="slow"), clock_ms=-20 * SECOND)
    write_batch(run.incoming, 3, spread(150, NOON + 6 * SECOND, 10, account_id="right"))

    # When the job runs batch by batch
    run.process()

    # Then each is killed in the batch of its runaway: event time is the append time, so neither the far
    # future ts moves the watermark past the others nor the old one is late
    assert [(b, scope) for b, scope, _ in run.kills()] == [
        (0, "ACCOUNT:fast"),
        (1, "ACCOUNT:slow"),
        (2, "ACCOUNT:right"),
    ]


def test_one_kill_per_episode_across_micro_batches(run: Run) -> None:
    # Given a straddling burst (60 orders at 12:00:59.5, 60 at 12:01:00.5), the same account over the
    # limit for a while longer, and an order of another account far later in event time
    first = NOON + 59 * SECOND + 500
    write_batch(run.incoming, 1, spread(60, first, 5))
    write_batch(run.incoming, 2, spread(60, first + SECOND, 5) + spread(50, first + 30 * SECOND, 100))
    write_batch(run.incoming, 3, spread(30, first + 40 * SECOND, 100))
    write_batch(run.incoming, 4, [order(NOON + 200 * SECOND, account_id="99999")])

    # When the job runs batch by batch
    run.process()

    # Then one KILL, in the batch that crossed the limit, for the window ending 12:01:01 that holds all 120
    assert run.kills() == [(1, "ACCOUNT:12345", "Order rate breach: 120 orders in 60s")]
    kill = next(v for _, topic, v in run.records if topic == KILL_COMMANDS)
    assert set(kill) == {
        "cmd_id",
        "ts",
        "scope",
        "action",
        "reason",
        "triggered_by",
        "metric",
        "value",
        "corr_id",
    }
    assert (kill["action"], kill["triggered_by"], kill["metric"]) == ("KILL", "spark", "order_rate_60s")
    assert kill["cmd_id"] != kill["corr_id"]
    # And one signal per batch with orders for the account, for its current window
    signals = run.signals("12345")
    assert [s["order_count"] for s in signals] == [60, 170, 200]
    assert set(signals[0]) == {
        "ts",
        "account_id",
        "window_start",
        "window_end",
        "order_count",
        "total_notional",
        "avg_notional",
        "unique_symbols",
        "top_symbol",
        "top_symbol_share",
    }


def test_after_a_quiet_window_a_new_breach_is_a_new_episode(run: Run) -> None:
    # Given a runaway, then nothing from it for over a minute while others trade, then a second runaway
    write_batch(run.incoming, 1, spread(150, NOON, 10))
    write_batch(run.incoming, 2, [order(NOON + 90 * SECOND, account_id="99999")])
    write_batch(run.incoming, 3, spread(150, NOON + 100 * SECOND, 10))
    run.process()
    assert [(b, scope) for b, scope, _ in run.kills()] == [(0, "ACCOUNT:12345"), (2, "ACCOUNT:12345")]


def test_an_operator_unkill_ends_the_episode_and_forgives_the_orders_before_it(run: Run) -> None:
    # Given a runaway killed in the first batch, and an operator's UNKILL read in the second batch
    unkilled_at = NOON + 3 * SECOND
    run.operator_states = FakeOperatorStates([], [state_record("ACCOUNT:12345", "ACTIVE", unkilled_at)])
    write_batch(run.incoming, 1, spread(150, NOON, 10))
    # When the account goes on, first under the limit counting only orders after the UNKILL...
    write_batch(run.incoming, 2, spread(80, unkilled_at + 500, 10))
    # ...and then over it again
    write_batch(run.incoming, 3, spread(40, unkilled_at + 2 * SECOND, 10))
    run.process()

    # Then the second breach is a second episode, judged on the orders after the UNKILL alone
    assert run.kills() == [
        (0, "ACCOUNT:12345", "Order rate breach: 150 orders in 60s"),
        (2, "ACCOUNT:12345", "Order rate breach: 120 orders in 60s"),
    ]


def test_without_the_unkill_the_episode_goes_on(run: Run) -> None:
    write_batch(run.incoming, 1, spread(150, NOON, 10))
    write_batch(run.incoming, 2, spread(80, NOON + 3_500, 10))
    write_batch(run.incoming, 3, spread(40, NOON + 5 * SECOND, 10))
    run.process()
    assert [(b, scope) for b, scope, _ in run.kills()] == [(0, "ACCOUNT:12345")]


def test_a_scope_already_killed_is_not_asked_again_until_an_operator_unkills_it(run: Run) -> None:
    # Given an account an operator KILLED before the job started, that runs away regardless,
    # and an operator's UNKILL read in the third batch
    run.operator_states = FakeOperatorStates(
        [state_record("ACCOUNT:12345", "KILLED", NOON - 10 * SECOND)],
        [],
        [state_record("ACCOUNT:12345", "ACTIVE", NOON + 20 * SECOND)],
    )
    write_batch(run.incoming, 1, spread(150, NOON, 10))
    write_batch(run.incoming, 2, spread(50, NOON + 16 * SECOND, 10))
    # When it runs away again after the UNKILL
    write_batch(run.incoming, 3, spread(150, NOON + 21 * SECOND, 10))
    run.process()

    # Then no KILL while it was KILLED (its signals still flow), and one for the breach after the UNKILL
    assert run.kills() == [(2, "ACCOUNT:12345", "Order rate breach: 150 orders in 60s")]
    assert run.signals("12345") != []


def test_an_unkill_applied_late_still_ends_an_episode_that_opened_while_killed(run: Run) -> None:
    # Given an account KILLED by an operator that runs away regardless (no KILL is sent: it is KILLED),
    # and an UNKILL whose time (the command's) is older than that episode, read in the second batch
    run.operator_states = FakeOperatorStates(
        [state_record("ACCOUNT:12345", "KILLED", NOON - 120 * SECOND)],
        [state_record("ACCOUNT:12345", "ACTIVE", NOON - 90 * SECOND)],
    )
    write_batch(run.incoming, 1, spread(150, NOON, 10))
    # When it is still running away after the UNKILL
    write_batch(run.incoming, 2, spread(150, NOON + 20 * SECOND, 10))
    run.process()

    # Then the UNKILL ends the silent episode and the runaway is killed: the scope is not left ACTIVE
    assert [(b, scope) for b, scope, _ in run.kills()] == [(1, "ACCOUNT:12345")]
