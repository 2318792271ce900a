import type { GroupCommit } from '../port.js'

/** One partition's batch as it crosses to the writer thread: its bytes move, they are not copied. */
export interface BatchMessage {
  readonly partition: number
  readonly count: number
  readonly data: Uint8Array
  readonly timestamps: Float64Array
}

export interface WriteRequest {
  readonly id: number
  readonly appends: readonly { readonly topic: string; readonly batches: readonly BatchMessage[] }[]
  readonly commit: GroupCommit | undefined
}

/** What failed in the writer thread, enough to rebuild the error the write would have thrown in this thread. */
export interface WriteFailure {
  readonly message: string
  readonly code: string | undefined
  readonly logError: { readonly retriable: boolean; readonly suggestions: readonly string[] } | undefined
}

export type WriteReply =
  | { readonly id: number; readonly firstOffsets: number[][] }
  | { readonly id: number; readonly failure: WriteFailure }
