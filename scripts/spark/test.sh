#!/usr/bin/env bash
# The Spark job's Python tests: set up (cached after the first run), then pytest on the pure
# transforms, the streaming plan, the parity fixtures and the EMR package, with a local[2] SparkSession, after
# vermin checks the job for Python 3.9. No Kafka.
#   scripts/spark/test.sh                      everything under test/spark
#   scripts/spark/test.sh -k parity            extra arguments go to pytest
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
cd "$ROOT"

"$SCRIPT_DIR/setup.sh"
VENV=${SPARK_VENV:-$ROOT/.venv}
# No __pycache__ in the work tree: the job and tests are small enough to compile every run.
export PYTHONDONTWRITEBYTECODE=1
# EMR Serverless 7.x runs the job on Python 3.9, older than the venv's: nothing newer may slip in.
"$VENV/bin/vermin" --no-tips --target=3.9- --violations --eval-annotations topologies/spark
# The Kafka round trip needs a broker: test/spark/kafka-roundtrip.sh runs it.
exec "$VENV/bin/python" -m pytest -q test/spark --ignore=test/spark/test_kafka_roundtrip.py "$@"
