import type { ChalkInstance } from 'chalk'
import type { DescribeTopicResult } from '../services/describe-topic.js'
import { renderTable } from './table.js'

const SOURCE_LABELS: Record<string, string> = {
  TOPIC_CONFIG: 'topic override',
  DEFAULT_CONFIG: 'default',
  STATIC_BROKER_CONFIG: 'broker config',
  DYNAMIC_BROKER_CONFIG: 'broker config (dynamic)',
}

export function renderTopicDescription(topic: DescribeTopicResult, style: ChalkInstance): string {
  const header = [
    `${style.bold(topic.name)}  ${style.dim(topic.summary)}`,
    `key ${topic.key} · ${topic.partitions.length} partitions · ${topic.records} records · ${topic.distinctKeys} distinct keys` +
      (topic.compacted ? ` · ${style.cyan('compacted')}: only the newest record per key is kept` : ''),
  ]
  const partitions = renderTable(
    ['partition', 'leader', 'replicas', 'start', 'end', 'records', 'keys'],
    topic.partitions.map((p) => [
      String(p.partition),
      p.leader === null ? '-' : String(p.leader),
      p.replicas.join(','),
      String(p.startOffset),
      String(p.endOffset),
      String(p.records),
      String(p.distinctKeys),
    ]),
  )
  const configs = renderTable(
    ['config', 'value', 'source'],
    topic.configs.map((c) => [c.name, c.value, SOURCE_LABELS[c.source] ?? c.source]),
  )
  return [...header, '', partitions, '', configs].join('\n')
}
