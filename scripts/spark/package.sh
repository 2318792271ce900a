#!/usr/bin/env bash
# The Spark job as EMR Serverless takes it, in .cache/spark-package/ (gitignored), ready to upload
# as is to the artifactsUri of the StartJobRun request (src/spark/emr-start-job-run.ts):
#   risk_detector.py   the entry point
#   riskjob.zip        the job's package, for --py-files
#   detector.json      the topology, for --files (the job is told --topology detector.json)
#   jars/              the Kafka connector jars from scripts/spark/setup.sh, for --jars
# pyspark itself is not packaged: EMR Serverless 7.x brings Spark 3.5.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
OUT=${SPARK_PACKAGE_DIR:-$ROOT/.cache/spark-package}
JOB_DIR=$ROOT/topologies/spark
JARS_DIR=${SPARK_JARS_DIR:-$ROOT/.cache/spark-jars}

say() { printf 'spark-package: %s\n' "$*" >&2; }

[[ -f $JARS_DIR/.complete ]] || "$SCRIPT_DIR/setup.sh"

# Built beside the output and moved into place, so an upload never sees half a package.
partial=$OUT.partial
rm -rf "$partial"
mkdir -p "$partial/jars"
cp "$JOB_DIR/risk_detector.py" "$partial/"
cp "$ROOT/topologies/detector.json" "$partial/detector.json"
cp "$JARS_DIR"/*.jar "$partial/jars/"
# Only the package's sources, at the zip's root as `riskjob/...`, in a fixed order without caches.
(cd "$JOB_DIR" && find riskjob -name '*.py' -print | LC_ALL=C sort | python3 -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as archive:
    for name in sys.stdin.read().split():
        # A fixed timestamp: the same sources give the same zip, byte for byte.
        info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(name, "rb") as source:
            archive.writestr(info, source.read())
' "$partial/riskjob.zip")
rm -rf "$OUT"
mv "$partial" "$OUT"
say "packaged into $OUT:"
(cd "$OUT" && find . -type f | LC_ALL=C sort | sed 's|^\./|  |') >&2
