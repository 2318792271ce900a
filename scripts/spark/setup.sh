#!/usr/bin/env bash
# The Spark side's local toolchain, installed once and cached:
#   .venv/                 pyspark 3.5 (with its own spark-submit) and pytest,
#                          pinned in requirements-spark.txt
#   .cache/spark-jars/     the Kafka source/sink for Spark 3.5 / Scala 2.12 from Maven Central
# Both are gitignored. A second run only compares two stamps and returns in well under a second.
#
# --jars-only skips the virtualenv: what `riskctl deploy` needs to package the job for EMR Serverless.
#
# Environment: PYTHON (python3.11, else python3), SPARK_VENV (.venv), SPARK_JARS_DIR (.cache/spark-jars).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
VENV=${SPARK_VENV:-$ROOT/.venv}
JARS_DIR=${SPARK_JARS_DIR:-$ROOT/.cache/spark-jars}
REQUIREMENTS=$ROOT/requirements-spark.txt
POM=$SCRIPT_DIR/pom.xml

say() { printf 'spark-setup: %s\n' "$*" >&2; }
die() {
  say "$*"
  exit 1
}

pick_python() {
  if [[ -n ${PYTHON:-} ]]; then
    printf '%s\n' "$PYTHON"
  elif command -v python3.11 >/dev/null; then
    printf 'python3.11\n'
  else
    printf 'python3\n'
  fi
}

# A stamp holds the hash of the file it was built from, so editing a pin reinstalls and nothing else does.
stamp_of() {
  sha256sum "$1" | cut -d' ' -f1
}

install_venv() {
  local stamp=$VENV/.riskctl-requirements.sha256
  local want
  want=$(stamp_of "$REQUIREMENTS")
  if [[ -f $stamp && $(cat "$stamp") == "$want" && -x $VENV/bin/spark-submit ]]; then
    return 0
  fi
  local python
  python=$(pick_python)
  command -v "$python" >/dev/null || die "$python is not on PATH (set PYTHON to a Python 3.9-3.11)"
  if [[ ! -x $VENV/bin/python ]]; then
    say "creating $VENV with $python"
    "$python" -m venv "$VENV"
  fi
  say "installing $(grep -c '^[a-z]' "$REQUIREMENTS") pinned packages from $REQUIREMENTS (pyspark is ~300 MB the first time)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  printf '%s\n' "$want" >"$stamp"
}

install_jars() {
  local stamp=$JARS_DIR/.complete
  local want
  want=$(stamp_of "$POM")
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    return 0
  fi
  command -v java >/dev/null || die 'java is not on PATH (Spark needs Java 17)'
  command -v mvn >/dev/null || die 'mvn is not on PATH (the Kafka connector jars come from Maven Central through it)'
  say "downloading the Spark Kafka connector jars from Maven Central into $JARS_DIR"
  # Into a scratch dir first, so an interrupted download is never mistaken for a complete one.
  local partial=$JARS_DIR.partial
  rm -rf "$partial"
  mkdir -p "$partial"
  # Maven's own output only matters when it fails.
  local log=$JARS_DIR.mvn.log
  if ! mvn -B -f "$POM" -Dstyle.color=never dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$partial" >"$log" 2>&1; then
    cat "$log" >&2
    die "Maven could not fetch the connector jars (log: $log)"
  fi
  rm -f "$log"
  ls "$partial"/spark-sql-kafka-0-10_2.12-*.jar >/dev/null 2>&1 || die 'Maven did not deliver spark-sql-kafka-0-10'
  rm -rf "$JARS_DIR"
  mv "$partial" "$JARS_DIR"
  printf '%s\n' "$want" >"$JARS_DIR/.complete"
}

case ${1:-} in
--jars-only)
  install_jars
  say "ready: $(find "$JARS_DIR" -name '*.jar' | wc -l) jars in $JARS_DIR"
  ;;
'')
  install_venv
  install_jars
  say "ready: $VENV/bin/spark-submit, $(find "$JARS_DIR" -name '*.jar' | wc -l) jars in $JARS_DIR"
  ;;
*) die "unknown argument $1 (the only one is --jars-only)" ;;
esac
