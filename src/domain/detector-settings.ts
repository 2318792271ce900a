import type { WindowSettings } from './window-store.js'

/** Per-account limits over one window. A breach is strictly above orderCount/notional, at or above the share. */
export interface DetectorThresholds {
  readonly orderCount: number
  readonly notional: number
  readonly topSymbolShare: number
}

/**
 * What the detector needs to know. topologies/detector.json holds the deployed values (the Spark job reads the
 * same file); the domain takes them as plain data so it never touches the file system.
 */
export interface DetectorSettings extends WindowSettings {
  readonly thresholds: DetectorThresholds
  /** Concentration is only judged on a sample this large: one order is "100% one symbol" and means nothing. */
  readonly concentrationMinOrders: number
  /** One symbol's orders across all accounts in one window. */
  readonly symbolRule: { readonly orderCount: number }
  readonly signalIntervalMs: number
  /** An account or symbol with no order for this long (event time) is forgotten. */
  readonly idleEvictMs: number
}
