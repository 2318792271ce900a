/**
 * `riskctl users`: the operator console's named users in a data directory (src/config/user-store.ts). The console of
 * `riskctl up` on that directory takes their personal tokens; the bootstrap token stays the admin's.
 */
export {
  ROLE_RIGHTS,
  ROLES,
  UserStore,
  type IssuedToken,
  type Role,
  type UserSummary,
} from '../config/user-store.js'
