import type Database from 'better-sqlite3'
import type { TopicPartitionOffset } from '../port.js'
import type { TopicCatalogue, TopicRow } from './topic-catalogue.js'

/** The consumer groups' committed positions, one row per group and partition. */
export class GroupOffsets {
  private readonly statements

  constructor(
    private readonly db: Database.Database,
    private readonly topics: TopicCatalogue,
  ) {
    this.statements = {
      committed: db
        .prepare<[string, number, number], number>(
          'SELECT offset FROM group_offsets WHERE group_id = ? AND topic_id = ? AND partition = ?',
        )
        .pluck(),
      commit: db.prepare(
        'INSERT INTO group_offsets (group_id, topic_id, partition, offset) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (group_id, topic_id, partition) DO UPDATE SET offset = excluded.offset',
      ),
    }
  }

  commit(groupId: string, offsets: readonly TopicPartitionOffset[]): void {
    this.db.transaction(() => this.commitInTransaction(groupId, offsets)).immediate()
  }

  /** For a write that commits its outputs and the group's progress together. */
  commitInTransaction(groupId: string, offsets: readonly TopicPartitionOffset[]): void {
    for (const entry of offsets) {
      this.statements.commit.run(groupId, this.topics.get(entry.topic).id, entry.partition, entry.offset)
    }
  }

  committed(groupId: string, topic: TopicRow, partition: number): number | undefined {
    return this.statements.committed.get(groupId, topic.id, partition) as number | undefined
  }
}
