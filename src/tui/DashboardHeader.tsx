import { Box, Text } from 'ink'
import { formatCount, formatRate } from './format-rate.js'
import type { DashboardSnapshot } from './tail-view.js'
import { tone } from './tone.js'

export interface DashboardHeaderProps {
  readonly dashboard: DashboardSnapshot
  readonly paused: boolean
  readonly width: number
  readonly color: boolean
  readonly title?: string
}

/** Accounts named on the header's second line; more are counted. */
const CREDIT_SHOWN = 4

/**
 * The seed's CloudWatch dashboard in two lines: active kills, then allowed and dropped orders and the accounts past
 * a step of their credit ladder today.
 */
export function DashboardHeader({
  dashboard,
  paused,
  width,
  color,
  title = 'riskctl',
}: DashboardHeaderProps) {
  const kills = dashboard.kills
  return (
    <Box flexDirection="column" width={width}>
      <Box>
        <Box flexGrow={1}>
          <Text wrap="truncate-end">
            <Text bold={color}>{title}</Text>
            {' · '}
            {kills.length === 0 ? (
              <Text {...tone(color, 'green')}>no active kills</Text>
            ) : (
              <>
                <Text {...tone(color, 'red')} bold={color}>
                  {`ACTIVE KILLS ${kills.length}:`}
                </Text>
                {kills.map((kill) => (
                  <Text key={kill.scope} {...tone(color, kill.status === 'KILLED' ? 'red' : 'yellow')}>
                    {` ${kill.scope} ${kill.status}`}
                  </Text>
                ))}
              </>
            )}
          </Text>
        </Box>
        {paused ? (
          <Text {...tone(color, 'yellow')} bold={color}>
            {' PAUSED'}
          </Text>
        ) : null}
      </Box>
      <Text wrap="truncate-end">
        <Text {...tone(color, 'green')}>{`allowed ${formatCount(dashboard.allowed)}`}</Text>
        {` (${formatRate(dashboard.allowedPerSec)})   `}
        <Text {...tone(color, 'red')}>{`dropped ${formatCount(dashboard.dropped)}`}</Text>
        {` (${formatRate(dashboard.droppedPerSec)})`}
        {dashboard.credit.length === 0 ? null : (
          <>
            {'   credit'}
            {dashboard.credit.slice(0, CREDIT_SHOWN).map((standing) => (
              <Text key={standing.account} {...tone(color, creditTone(standing.percent))}>
                {` ${standing.account} ${standing.percent}%`}
              </Text>
            ))}
            {dashboard.credit.length > CREDIT_SHOWN ? ` +${dashboard.credit.length - CREDIT_SHOWN}` : ''}
          </>
        )}
      </Text>
    </Box>
  )
}

function creditTone(percent: number): 'red' | 'yellow' | 'cyan' {
  if (percent >= 90) return 'red'
  return percent >= 75 ? 'yellow' : 'cyan'
}
