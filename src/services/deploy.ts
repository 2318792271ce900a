import { cloudDeps, type CloudDepsSettings } from '../cloud/cloud-deps.js'
import { deploy, type DeployReport, type DeployRequest } from '../cloud/deployer.js'

/** `riskctl deploy`: plan, ask, deploy with the CDK, save the profile and start the detector. */
export async function deployToAws(
  request: DeployRequest,
  settings: CloudDepsSettings,
): Promise<DeployReport> {
  return deploy(request, cloudDeps(settings))
}
