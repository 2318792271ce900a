#!/usr/bin/env bash
# npm run test:kafka: a broker of its own on a fresh data dir, the Kafka suites against it, and
# the broker stopped again whatever the suites did. Exits with the suites' result.
#   KAFKA_PORT=19092 scripts/kafka/test-kafka.sh     beside a broker already on 9092
#   scripts/kafka/test-kafka.sh test/kafka/kafka-log.test.ts   extra arguments go to vitest
# A second, secure broker (KAFKA_SECURE=1: SCRAM users and ACLs) runs on KAFKA_PORT + 100 for the
# suites test/kafka/secure-*.test.ts, in a run dir of its own; it is started only when no arguments
# are given or one of them names a secure suite, and stopped with the first.
set -uo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
cd "$ROOT"

# Its own run dir, so a developer's broker (and its data) under .cache/kafka/run is never touched.
export KAFKA_RUN_DIR=${KAFKA_RUN_DIR:-$ROOT/.cache/kafka/test-run}
export KAFKA_DATA_DIR=${KAFKA_DATA_DIR:-$KAFKA_RUN_DIR/data}
export KAFKA_PORT=${KAFKA_PORT:-9092}

SECURE_PORT=$((KAFKA_PORT + 100))
SECURE_RUN_DIR=${KAFKA_SECURE_RUN_DIR:-$KAFKA_RUN_DIR-secure}
secure_kafka() {
  KAFKA_SECURE=1 KAFKA_PORT=$SECURE_PORT KAFKA_CONTROLLER_PORT=$((SECURE_PORT + 1)) \
    KAFKA_RUN_DIR=$SECURE_RUN_DIR KAFKA_DATA_DIR=$SECURE_RUN_DIR/data "$SCRIPT_DIR/kafka.sh" "$@"
}
wants_secure=0
if (($# == 0)) || [[ "$*" == *secure* ]]; then wants_secure=1; fi

stop_broker() {
  "$SCRIPT_DIR/kafka.sh" stop || true
  if ((wants_secure)); then secure_kafka stop || true; fi
}
trap stop_broker EXIT
trap 'exit 130' INT TERM

if [[ -n $("$SCRIPT_DIR/kafka.sh" status 2>/dev/null | grep '^running') ]]; then
  # A broker left by an interrupted run: start afresh rather than test against old data.
  stop_broker
fi
bootstrap=$("$SCRIPT_DIR/kafka.sh" start) || exit 1
export RISKCTL_TEST_BROKERS=$bootstrap
if ((wants_secure)); then
  secure_kafka stop >/dev/null 2>&1 || true
  secure_bootstrap=$(secure_kafka start) || exit 1
  export RISKCTL_TEST_SECURE_BROKERS=$secure_bootstrap
  export RISKCTL_TEST_SECURE_RUN_DIR=$SECURE_RUN_DIR
fi

npx vitest run --config test/kafka/vitest.config.ts "$@"
status=$?
if ((status != 0)); then
  printf 'test:kafka: the suites failed; the broker log is %s/kafka.log\n' "$KAFKA_RUN_DIR" >&2
fi
exit "$status"
