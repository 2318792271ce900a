import type Database from 'better-sqlite3'
import type { TopicSpec } from '../../../topologies/topics.js'
import { LogError } from '../errors.js'
import { createPartitionTable, MAX_PARTITIONS } from './partition-tables.js'

export interface TopicRow {
  readonly id: number
  readonly name: string
  readonly partitions: number
  readonly configs: Readonly<Record<string, string>>
}

/** The topics of the log: their names, partition counts and configs, and their creation. */
export class TopicCatalogue {
  /** A topic is never changed once created, so each is read from the database once. */
  private readonly topics = new Map<string, TopicRow>()
  private readonly statements

  constructor(private readonly db: Database.Database) {
    this.statements = {
      topicByName: db.prepare<[string], { id: number; name: string; partitions: number; configs: string }>(
        'SELECT id, name, partitions, configs FROM topics WHERE name = ?',
      ),
      topicNames: db.prepare<[], { name: string }>('SELECT name FROM topics ORDER BY name').pluck(),
      insertTopic: db.prepare(
        'INSERT INTO topics (name, partitions, configs, created_ts) VALUES (?, ?, ?, ?)',
      ),
      insertPartition: db.prepare('INSERT INTO partitions (topic_id, partition) VALUES (?, ?)'),
    }
  }

  get(name: string): TopicRow {
    const cached = this.topics.get(name)
    if (cached) return cached
    const row = this.statements.topicByName.get(name)
    if (!row) {
      throw new LogError(
        'RISKCTL_TOPIC_NOT_FOUND',
        `Topic ${name} does not exist in this data directory yet.`,
        {
          suggestions: ['riskctl topics create'],
        },
      )
    }
    const topic: TopicRow = {
      id: row.id,
      name: row.name,
      partitions: row.partitions,
      configs: Object.freeze(JSON.parse(row.configs) as Record<string, string>),
    }
    this.topics.set(name, topic)
    return topic
  }

  names(): string[] {
    return this.statements.topicNames.all() as unknown as string[]
  }

  create(specs: readonly TopicSpec[]): { created: string[]; existing: string[] } {
    const created: string[] = []
    const existing: string[] = []
    this.db
      .transaction(() => {
        for (const spec of specs) {
          if (this.statements.topicByName.get(spec.name)) {
            existing.push(spec.name)
            continue
          }
          if (spec.partitions < 1 || spec.partitions > MAX_PARTITIONS) {
            throw new LogError(
              'RISKCTL_PARTITION_INVALID',
              `Topic ${spec.name} asks for ${spec.partitions} partitions; the embedded log holds 1 to ${MAX_PARTITIONS} per topic.`,
            )
          }
          const result = this.statements.insertTopic.run(
            spec.name,
            spec.partitions,
            JSON.stringify(spec.configs),
            Date.now(),
          )
          const topicId = Number(result.lastInsertRowid)
          for (let partition = 0; partition < spec.partitions; partition += 1) {
            this.statements.insertPartition.run(topicId, partition)
            createPartitionTable(this.db, topicId, partition)
          }
          created.push(spec.name)
        }
      })
      .immediate()
    return { created, existing }
  }
}
