"""Operator UNKILLs from killswitch.state.v1 values, and the episode versions that carry their positions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from riskjob.episode_store import EMPTY, EpisodeStore, EpisodeVersion
from riskjob.operator_states import killed_scopes, unkills_from_states


def state(scope: str, status: str, updated_ts: Any, **rest: Any) -> bytes:
    return json.dumps(
        {
            "scope": scope,
            "status": status,
            "updated_ts": updated_ts,
            "updated_by": "ops",
            "reason": "r",
            "last_cmd_id": "c",
            "corr_id": "k",
            **rest,
        }
    ).encode()


def test_the_newest_unkill_per_detector_scope() -> None:
    values = [
        state("ACCOUNT:12345", "KILLED", 1_000),
        state("ACCOUNT:12345", "ACTIVE", 2_000),
        state("ACCOUNT:12345", "ACTIVE", 1_500),
        state("SYMBOL:NVDA", "ACTIVE", 3_000),
        state("ACCOUNT:777", "THROTTLED", 4_000, max_orders_per_sec=5),
    ]
    assert unkills_from_states(values) == [("ACCOUNT", "12345", 2_000), ("SYMBOL", "NVDA", 3_000)]


def test_what_is_not_an_unkill_of_a_detector_scope_is_left_out() -> None:
    values = [
        None,  # a tombstone
        b"{not json",
        b"[]",
        state("STRATEGY:momentum", "ACTIVE", 1_000),
        state("GLOBAL", "ACTIVE", 1_000),
        state("ACCOUNT:", "ACTIVE", 1_000),
        state("ACCOUNT:1", "ACTIVE", "yesterday"),
        state("ACCOUNT:2", "ACTIVE", True),
    ]
    assert unkills_from_states(values) == []


def test_killed_scopes_follow_the_state_topic_in_order() -> None:
    records = [
        ("ACCOUNT:1", state("ACCOUNT:1", "KILLED", 1_000)),
        ("SYMBOL:NVDA", state("SYMBOL:NVDA", "KILLED", 1_000)),
        ("ACCOUNT:2", state("ACCOUNT:2", "KILLED", 1_000)),
        ("ACCOUNT:2", state("ACCOUNT:2", "ACTIVE", 2_000)),
        ("ACCOUNT:3", state("ACCOUNT:3", "THROTTLED", 2_000, max_orders_per_sec=5)),
        ("STRATEGY:momentum", state("STRATEGY:momentum", "KILLED", 1_000)),
        ("ACCOUNT:4", b"{not json"),
    ]
    assert killed_scopes(["ACCOUNT:3", "ACCOUNT:9"], records) == ["ACCOUNT:1", "ACCOUNT:9", "SYMBOL:NVDA"]
    # A tombstone deletes its scope, and with it the kill
    assert killed_scopes(["ACCOUNT:1", "SYMBOL:NVDA"], [("ACCOUNT:1", None)]) == ["SYMBOL:NVDA"]


def test_an_episode_version_round_trips_and_a_replay_reads_the_one_before_it(
    spark: SparkSession, tmp_path: Path
) -> None:
    store = EpisodeStore(spark, str(tmp_path / "episodes"))
    assert store.latest_before(0) == EMPTY
    scopes = [{"scope_kind": "ACCOUNT", "scope_id": "12345", "in_episode": True, "pending": "[]"}]
    store.write(3, EpisodeVersion({"0": 7}, scopes, ["ACCOUNT:12345"]))
    store.write(4, EpisodeVersion({"0": 9}, []))
    # Batch 4 replayed after a crash starts from version 3, not from its own first attempt
    assert store.latest_before(4) == EpisodeVersion({"0": 7}, scopes, ["ACCOUNT:12345"])
    assert store.latest_before(5) == EpisodeVersion({"0": 9}, [], [])


def test_a_version_without_killed_scopes_reads_the_state_topic_again(spark: SparkSession, tmp_path: Path) -> None:
    episodes = tmp_path / "episodes"
    episodes.mkdir()
    (episodes / "2.json").write_text(json.dumps({"positions": {"0": 7}, "scopes": []}))
    assert EpisodeStore(spark, str(episodes)).latest_before(3) == EpisodeVersion({}, [], ())


def test_old_versions_are_pruned(spark: SparkSession, tmp_path: Path) -> None:
    store = EpisodeStore(spark, str(tmp_path / "episodes"))
    for batch in range(6):
        store.write(batch, EpisodeVersion({}, []))
    assert sorted(p.name for p in (tmp_path / "episodes").iterdir() if not p.name.startswith(".")) == [
        "3.json",
        "4.json",
        "5.json",
    ]
