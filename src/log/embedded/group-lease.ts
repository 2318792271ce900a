import { randomUUID } from 'node:crypto'
import os from 'node:os'
import type Database from 'better-sqlite3'
import { LogError } from '../errors.js'

interface MemberRow {
  member_id: string
  hostname: string
  pid: number
}

/** Members of this process that are open now, so a second one in the same process is refused too. */
const openMembers = new Set<string>()

/**
 * One live consumer per group on the embedded log, which has no rebalancing: a second consumer
 * in the same group while the first runs would read the same records twice. A member left behind
 * by a process that died (kill -9) is taken over, since its pid no longer runs.
 */
export class GroupLease {
  private released = false

  private constructor(
    private readonly db: Database.Database,
    readonly groupId: string,
    readonly memberId: string,
  ) {}

  static acquire(db: Database.Database, groupId: string): GroupLease {
    const memberId = randomUUID()
    const hostname = os.hostname()
    db.transaction(() => {
      const holder = db
        .prepare<[string], MemberRow>('SELECT member_id, hostname, pid FROM group_members WHERE group_id = ?')
        .get(groupId)
      if (holder && isAlive(holder, hostname)) {
        throw new LogError(
          'RISKCTL_GROUP_BUSY',
          `Consumer group ${groupId} is already consumed by process ${holder.pid} on ${holder.hostname}.`,
          { suggestions: [`Stop process ${holder.pid} first (one consumer per group on the embedded log).`] },
        )
      }
      db.prepare(
        'INSERT INTO group_members (group_id, member_id, hostname, pid, joined_ts) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (group_id) DO UPDATE SET member_id = excluded.member_id, hostname = excluded.hostname, ' +
          'pid = excluded.pid, joined_ts = excluded.joined_ts',
      ).run(groupId, memberId, hostname, process.pid, Date.now())
    }).immediate()
    openMembers.add(memberId)
    return new GroupLease(db, groupId, memberId)
  }

  release(): void {
    if (this.released) return
    this.released = true
    openMembers.delete(this.memberId)
    if (!this.db.open) return
    this.db.prepare('DELETE FROM group_members WHERE group_id = ? AND member_id = ?').run(this.groupId, this.memberId)
  }
}

function isAlive(holder: MemberRow, hostname: string): boolean {
  if (holder.hostname !== hostname) return true
  if (holder.pid === process.pid) return openMembers.has(holder.member_id)
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
