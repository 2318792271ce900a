import { formatUsd } from '../cloud/cost.js'
import type { DeployReport } from '../cloud/deployer.js'
import type { DoctorResult } from '../services/doctor.js'

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' } as const

/** What `riskctl deploy` says at the end, after the plan and the progress lines. */
export function renderDeployReport(report: DeployReport, profileName: string): string {
  if (report.dryRun) return `\nDry run: nothing was deployed (${formatUsd(report.cost.perHour)}/h if it were).`
  const outputs = report.profile?.outputs
  return [
    '',
    `Deployed. Profile "${profileName}" saved to ${report.profilePath}`,
    `  API:        ${outputs?.apiUrl}`,
    `  brokers:    ${outputs?.publicBootstrapBrokers ?? outputs?.bootstrapBrokers}`,
    `  EMR app:    ${outputs?.emrApplicationId} (detector job ${report.jobRun?.jobRunId}: ${report.jobRun?.state})`,
    `  dashboard:  ${outputs?.dashboardUrl}`,
    `Use it from here with --profile ${profileName}; take it down with: riskctl destroy --profile ${profileName}`,
  ].join('\n')
}

/** One line per check of `riskctl doctor`, with the fix below one that is not ok. */
export function renderDoctorChecks(result: DoctorResult): string {
  return result.checks
    .flatMap((check) => [
      `${MARK[check.status]}  ${check.name.padEnd(13)} ${check.detail}`,
      ...(check.fix && check.status !== 'ok' ? [`      ${' '.repeat(13)} ${check.fix}`] : []),
    ])
    .join('\n')
}
