import type { TopicConfigEntry } from './port.js'

/**
 * Kafka's broker defaults for the topic configs riskctl relies on. The embedded log reports and
 * honours them exactly as a broker would, so `describe-topic` reads the same on both.
 */
export const DEFAULT_TOPIC_CONFIGS: Readonly<Record<string, string>> = Object.freeze({
  'cleanup.policy': 'delete',
  'retention.ms': '604800000',
  'retention.bytes': '-1',
  'segment.ms': '604800000',
  'min.cleanable.dirty.ratio': '0.5',
  'delete.retention.ms': '86400000',
  'max.message.bytes': '1048588',
})

export function effectiveConfigs(overrides: Readonly<Record<string, string>>): TopicConfigEntry[] {
  const names = [...Object.keys(DEFAULT_TOPIC_CONFIGS), ...Object.keys(overrides)]
  return [...new Set(names)].map((name) => {
    const override = overrides[name]
    return override === undefined
      ? { name, value: DEFAULT_TOPIC_CONFIGS[name] ?? '', source: 'DEFAULT_CONFIG' as const }
      : { name, value: override, source: 'TOPIC_CONFIG' as const }
  })
}

/** One config as a number, from the topic override or the default. */
export function numericConfig(overrides: Readonly<Record<string, string>>, name: string): number {
  const value = Number(overrides[name] ?? DEFAULT_TOPIC_CONFIGS[name])
  return Number.isFinite(value) ? value : Number(DEFAULT_TOPIC_CONFIGS[name])
}

export function isCompacted(overrides: Readonly<Record<string, string>>): boolean {
  return (overrides['cleanup.policy'] ?? DEFAULT_TOPIC_CONFIGS['cleanup.policy'] ?? '').split(',').includes('compact')
}
