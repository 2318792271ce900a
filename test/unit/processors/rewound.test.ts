import { describe, expect, it } from 'vitest'
import type { TopicPartitionOffset } from '../../../src/log/port.js'
import { rewound } from '../../../src/processors/rewound.js'

const at = (topic: string, partition: number, offset: number): TopicPartitionOffset => ({
  topic,
  partition,
  offset,
})

describe('rewound', () => {
  it('is true when the consumer stands where it stood before the batch', () => {
    const before = [at('orders.v1', 0, 10), at('orders.v1', 1, 4)]
    expect(rewound(before, [at('orders.v1', 0, 10), at('orders.v1', 1, 4)])).toBe(true)
  })

  it('is true when the consumer went back to an earlier commit', () => {
    expect(rewound([at('orders.v1', 0, 10)], [at('orders.v1', 0, 7)])).toBe(true)
  })

  it('is false when any partition it still holds moved past where it stood', () => {
    // The batch would not be delivered again: going on would lose it.
    const before = [at('orders.v1', 0, 10), at('orders.v1', 1, 4)]
    expect(rewound(before, [at('orders.v1', 0, 10), at('orders.v1', 1, 5)])).toBe(false)
    expect(rewound(before, [at('orders.v1', 0, 11), at('orders.v1', 1, 0)])).toBe(false)
  })

  it('ignores a partition that moved away, and takes a newly assigned one as it stands', () => {
    const before = [at('orders.v1', 0, 10), at('orders.v1', 1, 4)]
    // Partition 1 went to another member, partition 2 came here from one: both are read anew.
    expect(rewound(before, [at('orders.v1', 0, 10), at('orders.v1', 2, 99)])).toBe(true)
    expect(rewound(before, [])).toBe(true)
  })

  it('tells the same partition number of two topics apart', () => {
    const before = [at('orders.v1', 0, 10)]
    expect(rewound(before, [at('audit.v1', 0, 50)])).toBe(true)
    expect(rewound(before, [at('orders.v1', 0, 50)])).toBe(false)
  })
})
