import { cloudDeps, type CloudDepsSettings } from '../cloud/cloud-deps.js'
import { destroy, type DestroyReport, type DestroyRequest } from '../cloud/deployer.js'

/** `riskctl destroy`: cancel the detector's job runs, delete the stack, check EMR is gone, remove the profile. */
export async function destroyOnAws(
  request: DestroyRequest,
  settings: CloudDepsSettings,
): Promise<DestroyReport> {
  return destroy(request, cloudDeps(settings))
}
