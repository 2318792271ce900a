import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../../src/generator/prng.js'
import { TentativeIds } from '../../../src/processors/tentative-ids.js'

const members = (ids: TentativeIds, universe: readonly string[]) => universe.filter((id) => ids.has(id))

describe('TentativeIds', () => {
  it('spots an id sent twice within one batch, before the batch is confirmed', () => {
    const ids = new TentativeIds(10)
    expect(ids.add('o-1')).toBe(true)
    expect(ids.has('o-1')).toBe(true)
    expect(ids.add('o-1')).toBe(false)
  })

  it('after a failed write decides the same ids the same way when they are read again', () => {
    const ids = new TentativeIds(10)
    ids.add('a')
    ids.add('b')
    ids.confirm()
    expect(ids.add('c')).toBe(true)
    ids.rollback()
    expect(members(ids, ['a', 'b', 'c'])).toEqual(['a', 'b'])
    expect(ids.size).toBe(2)
    // The batch comes back: c is new again, a is still a duplicate.
    expect(ids.add('c')).toBe(true)
    expect(ids.add('a')).toBe(false)
  })

  it('changes nothing when rolled back with nothing pending, or twice', () => {
    const ids = new TentativeIds(2)
    ids.add('a')
    ids.confirm()
    ids.rollback()
    ids.add('b')
    ids.rollback()
    ids.rollback()
    expect(members(ids, ['a', 'b'])).toEqual(['a'])
    expect(ids.size).toBe(1)
    // Still first in, first out within its capacity: d pushes out a.
    ids.add('c')
    ids.add('d')
    expect(members(ids, ['a', 'b', 'c', 'd'])).toEqual(['c', 'd'])
    expect(ids.size).toBe(2)
  })

  it('undoes a batch that pushed out an id and then added it back', () => {
    const ids = new TentativeIds(2)
    ids.add('a')
    ids.add('b')
    ids.confirm()
    // c pushes out a; a comes again in the same batch and pushes out b.
    expect(ids.add('c')).toBe(true)
    expect(ids.add('a')).toBe(true)
    expect(members(ids, ['a', 'b', 'c'])).toEqual(['a', 'c'])
    ids.rollback()
    expect(members(ids, ['a', 'b', 'c'])).toEqual(['a', 'b'])
    // Oldest first, as before the batch: x pushes out a, y pushes out b.
    ids.add('x')
    expect(members(ids, ['a', 'b', 'x'])).toEqual(['b', 'x'])
    ids.add('y')
    expect(members(ids, ['a', 'b', 'x', 'y'])).toEqual(['x', 'y'])
  })

  it('matches a plain first-in-first-out list restored on every rollback, over a long random run', () => {
    // Given a simple model: the confirmed list, and the list with the pending batch applied.
    const capacity = 5
    const universe = Array.from({ length: 12 }, (_, i) => `id-${i}`)
    const ids = new TentativeIds(capacity)
    let confirmed: string[] = []
    let current: string[] = []
    const next = seededRandom(42)
    const random = (n: number) => Math.floor(next() * n)
    // When adds, confirms and rollbacks come in any order…
    for (let step = 0; step < 5_000; step += 1) {
      const roll = random(10)
      if (roll < 7) {
        const id = universe[random(universe.length)]!
        const fresh = !current.includes(id)
        expect(ids.add(id)).toBe(fresh)
        if (fresh) current = [...current, id].slice(-capacity)
      } else if (roll < 9) {
        ids.confirm()
        confirmed = current
      } else {
        ids.rollback()
        current = confirmed
      }
      // …then it holds exactly what the model holds.
      expect({ step, members: members(ids, universe) }).toEqual({
        step,
        members: universe.filter((id) => current.includes(id)),
      })
      expect(ids.size).toBe(current.length)
    }
  })

  it('confirms the oldest pending additions when writes trail the decisions, and rolls back the rest', () => {
    // Given the model above, with a snapshot after each pending addition: confirming n makes the n-th final.
    const capacity = 5
    const universe = Array.from({ length: 12 }, (_, i) => `id-${i}`)
    const ids = new TentativeIds(capacity)
    let confirmed: string[] = []
    let current: string[] = []
    let snapshots: string[][] = []
    const next = seededRandom(7)
    const random = (n: number) => Math.floor(next() * n)
    for (let step = 0; step < 5_000; step += 1) {
      const roll = random(10)
      if (roll < 7) {
        const id = universe[random(universe.length)]!
        const fresh = !current.includes(id)
        expect(ids.add(id)).toBe(fresh)
        if (fresh) {
          current = [...current, id].slice(-capacity)
          snapshots.push(current)
        }
      } else if (roll < 9) {
        // A write covering the oldest n decisions became durable.
        const n = random(snapshots.length + 1)
        expect(ids.pending).toBe(snapshots.length)
        ids.confirm(n)
        if (n > 0) confirmed = snapshots[n - 1]!
        snapshots = snapshots.slice(n)
      } else {
        ids.rollback()
        current = confirmed
        snapshots = []
      }
      expect({ step, members: members(ids, universe) }).toEqual({ step, members: universe.filter((id) => current.includes(id)) })
    }
  })

  it('never expires an addition still pending, so a rollback finds it where it left it', () => {
    const ids = new TentativeIds(10)
    ids.add('old', 1)
    ids.confirm()
    ids.add('pending-1', 2)
    ids.add('pending-2', 3)
    // Everything is past the horizon, but only what is confirmed goes.
    ids.expireBefore(100)
    expect(members(ids, ['old', 'pending-1', 'pending-2'])).toEqual(['pending-1', 'pending-2'])
    ids.confirm(1)
    ids.expireBefore(100)
    expect(members(ids, ['old', 'pending-1', 'pending-2'])).toEqual(['pending-2'])
    ids.rollback()
    expect(ids.size).toBe(0)
    expect(ids.add('pending-2', 4)).toBe(true)
  })
})
