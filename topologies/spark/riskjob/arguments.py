"""Command-line arguments of risk_detector.py (riskctl detect and the EMR request pass them)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Mapping, Sequence

DEFAULT_TOPOLOGY = "topologies/detector.json"
DEFAULT_CHECKPOINT = ".cache/spark-checkpoints/local"


@dataclass(frozen=True)
class JobArguments:
    brokers: str | None
    topology: str
    checkpoint: str
    starting_offsets: str
    trigger_ms: int
    kafka_options: Mapping[str, str]
    available_now: bool
    batch_input: str | None
    batch_output: str | None


def parse_arguments(argv: Sequence[str]) -> JobArguments:
    parser = argparse.ArgumentParser(prog="risk_detector.py", description="riskctl's risk detector on Spark.")
    parser.add_argument(
        "--brokers", help="Kafka bootstrap servers (host:port,...); needed unless --batch-input"
    )
    parser.add_argument(
        "--topology", default=DEFAULT_TOPOLOGY, help="detector settings (topologies/detector.json)"
    )
    parser.add_argument(
        "--checkpoint", default=DEFAULT_CHECKPOINT, help="checkpoint location (a path or s3:// URI)"
    )
    parser.add_argument("--starting-offsets", default="latest", choices=["latest", "earliest"])
    parser.add_argument("--trigger-ms", type=int, default=1000, help="micro-batch interval")
    parser.add_argument(
        "--kafka-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra Kafka client setting, e.g. kafka.security.protocol=SASL_SSL (repeatable)",
    )
    parser.add_argument(
        "--available-now", action="store_true", help="process what is in the topic, then stop"
    )
    parser.add_argument(
        "--batch-input",
        help="read orders.v1 records from this JSON-lines file instead of Kafka, one"
        ' {"timestamp": <append ms>, "value": "<record text>"} per line',
    )
    parser.add_argument(
        "--batch-output", help="with --batch-input: write the KILL commands here as JSON lines"
    )
    args = parser.parse_args(list(argv))
    if args.brokers is None and args.batch_input is None:
        parser.error("--brokers is required: the streaming job reads orders.v1 from Kafka")
    return JobArguments(
        brokers=args.brokers,
        topology=args.topology,
        checkpoint=args.checkpoint.rstrip("/"),
        starting_offsets=args.starting_offsets,
        trigger_ms=args.trigger_ms,
        kafka_options=parse_kafka_options(args.kafka_option),
        available_now=args.available_now,
        batch_input=args.batch_input,
        batch_output=args.batch_output,
    )


def parse_kafka_options(pairs: Sequence[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.startswith("kafka."):
            raise ValueError(f"--kafka-option {pair!r} must look like kafka.<setting>=<value>")
        options[key] = value
    return options
