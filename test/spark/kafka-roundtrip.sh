#!/usr/bin/env bash
# The Spark job against a real broker: a broker of its own (port 29092, its own run dir, so a
# developer's broker on 9092 is never touched), the riskctl topics, the round-trip test, and the
# broker stopped again whatever happened. Exits with pytest's result.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
export KAFKA_PORT=${KAFKA_PORT:-29092}
export KAFKA_RUN_DIR=${KAFKA_RUN_DIR:-$ROOT/.cache/kafka/spark-test-run}

scripts/spark/setup.sh || exit 1
trap 'scripts/kafka/kafka.sh stop || true' EXIT
trap 'exit 130' INT TERM
bootstrap=$(scripts/kafka/kafka.sh start) || exit 1
node bin/dev.js topics create --brokers "$bootstrap" >/dev/null || exit 1
RISKCTL_TEST_BROKERS=$bootstrap "${SPARK_VENV:-.venv}/bin/python" -m pytest -q test/spark/test_kafka_roundtrip.py "$@"
