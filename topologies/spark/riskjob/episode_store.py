"""The episode state between micro-batches: one JSON file per batch id under <checkpoint>/episodes/.

  <checkpoint>/episodes/<batch id>.json   {"positions": {partition: next offset} on killswitch.state.v1,
                                           "scopes": [one state row per scope worth remembering],
                                           "killed": [the detector scopes KILLED on the state topic]}

Only scopes in or near a breach have state, so a version is small: it is collected to the driver and
written in one piece (to a temporary name, then renamed), which costs no Spark job. Batch n reads the
newest version below n and writes version n. Spark replays a batch after a crash with the same id and
the same orders, so the replay starts from the same state and sends the same KILLs (same ids, which
the idempotent aggregator drops). Paths go through Hadoop's FileSystem, so a local directory and an
s3:// checkpoint behave alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from pyspark.sql import SparkSession

# Versions kept below the newest: a replay only ever needs the one just before it.
KEEP_VERSIONS = 2
SUFFIX = ".json"


@dataclass(frozen=True)
class EpisodeVersion:
    positions: Mapping[str, int] = field(default_factory=dict)
    scopes: Sequence[Mapping[str, Any]] = ()
    killed: Sequence[str] = ()


EMPTY = EpisodeVersion()


class EpisodeStore:
    def __init__(self, spark: SparkSession, root: str) -> None:
        self.spark = spark
        self.root = root.rstrip("/")

    def latest_before(self, batch_id: int) -> EpisodeVersion:
        for version in sorted((v for v in self._versions() if v < batch_id), reverse=True):
            text = self._read_text(self._file(version))
            if text is not None:
                raw = json.loads(text)
                # A version written before "killed" existed: the state topic is read again from its start.
                if "killed" not in raw:
                    return EpisodeVersion({}, raw["scopes"])
                return EpisodeVersion(raw["positions"], raw["scopes"], raw["killed"])
        return EMPTY

    def write(self, batch_id: int, version: EpisodeVersion) -> None:
        text = json.dumps(
            {"positions": dict(version.positions), "scopes": list(version.scopes), "killed": list(version.killed)}
        )
        partial = f"{self.root}/.{batch_id}{SUFFIX}.partial"
        self._write_text(partial, text)
        self._rename(partial, self._file(batch_id))
        for old in self._versions():
            if old < batch_id - KEEP_VERSIONS:
                self._delete(self._file(old))

    def _file(self, version: int) -> str:
        return f"{self.root}/{version}{SUFFIX}"

    # Hadoop FileSystem through the driver's JVM.
    def _path(self, path: str) -> Any:
        return self.spark.sparkContext._jvm.org.apache.hadoop.fs.Path(path)  # type: ignore[union-attr]

    def _fs(self, path: Any) -> Any:
        configuration = self.spark.sparkContext._jsc.hadoopConfiguration()  # type: ignore[union-attr]
        return path.getFileSystem(configuration)

    def _versions(self) -> list[int]:
        root = self._path(self.root)
        fs = self._fs(root)
        if not fs.exists(root):
            return []
        names = [str(status.getPath().getName()) for status in fs.listStatus(root)]
        stems = [name[: -len(SUFFIX)] for name in names if name.endswith(SUFFIX)]
        return [int(stem) for stem in stems if stem.isdigit()]

    def _read_text(self, path: str) -> str | None:
        hadoop_path = self._path(path)
        fs = self._fs(hadoop_path)
        if not fs.exists(hadoop_path):
            return None
        stream = fs.open(hadoop_path)
        try:
            io_utils = self.spark.sparkContext._jvm.org.apache.commons.io.IOUtils  # type: ignore[union-attr]
            return str(io_utils.toString(stream, "UTF-8"))
        finally:
            stream.close()

    def _write_text(self, path: str, text: str) -> None:
        hadoop_path = self._path(path)
        stream = self._fs(hadoop_path).create(hadoop_path, True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()

    def _rename(self, source: str, target: str) -> None:
        source_path, target_path = self._path(source), self._path(target)
        fs = self._fs(target_path)
        # A replayed batch writes its version again: the new one wins.
        fs.delete(target_path, False)
        if not fs.rename(source_path, target_path):
            raise OSError(f"could not rename {source} to {target}")

    def _delete(self, path: str) -> None:
        hadoop_path = self._path(path)
        self._fs(hadoop_path).delete(hadoop_path, False)
