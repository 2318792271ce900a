"""The job package `riskctl deploy` uploads for EMR Serverless runs as spark-submit is told to run it.

scripts/spark/package.ts builds the package (the same code as deploy); spark-submit then runs its
entry point with the package's riskjob.zip on --py-files and detector.json on --files, as the
StartJobRun request names them, from a directory where no riskjob sources lie: nothing outside the
package may be needed. It replays the parity stream and must KILL what the in-process detector KILLs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("emr") / "package"
    tsx = ROOT / "node_modules" / ".bin" / "tsx"
    subprocess.run([str(tsx), "scripts/spark/package.ts", str(out)], cwd=ROOT, check=True, capture_output=True)
    return out


def test_the_package_holds_what_the_request_names(package: Path) -> None:
    files = sorted(str(path.relative_to(package)) for path in package.rglob("*") if path.is_file())
    assert files[:2] == ["detector.json", "jars/aws-msk-iam-auth-2.3.2-all.jar"]
    assert "riskjob.zip" in files and "risk_detector.py" in files
    assert any(name.startswith("jars/spark-sql-kafka-0-10_2.12-3.5.") for name in files)
    assert json.loads((package / "detector.json").read_text()) == json.loads(
        (ROOT / "topologies" / "detector.json").read_text()
    )


def test_spark_submit_runs_the_package_alone(package: Path, tmp_path: Path) -> None:
    work = tmp_path / "driver"
    work.mkdir()
    # The entry point alone in the driver's directory, as EMR fetches it: riskjob only from the zip.
    shutil.copy(package / "risk_detector.py", work)
    venv_bin = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYSPARK_PYTHON": sys.executable,
        "PYTHONPATH": "",
    }
    output = tmp_path / "kills.jsonl"
    subprocess.run(
        [
            str(venv_bin / "spark-submit"),
            "--master",
            "local[2]",
            "--conf",
            f"spark.driver.extraJavaOptions=-Dlog4j.configurationFile=file:{ROOT}/topologies/spark/log4j2.properties",
            "--py-files",
            str(package / "riskjob.zip"),
            "--files",
            str(package / "detector.json"),
            "risk_detector.py",
            "--topology",
            "detector.json",
            "--checkpoint",
            str(tmp_path / "checkpoint"),
            "--batch-input",
            str(FIXTURES / "parity-orders.jsonl"),
            "--batch-output",
            str(output),
        ],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    kills = [json.loads(line) for line in output.read_text().splitlines()]
    expected = json.loads((FIXTURES / "parity-inprocess-kills.json").read_text())
    assert sorted((k["scope"], k["metric"]) for k in kills) == sorted((k["scope"], k["metric"]) for k in expected)
