import type { FeatureDeps, FeatureModule } from '../core/feature';
import { createShareAccess, type ShareAccess } from './access';
import { ownerChecks } from './owners';
import { shareRouteDocs, shareRoutes } from './routes';
import { ShareService } from './service';

export { shareAccess, createShareAccess, type ShareAccess } from './access';
export type { ShareKind, ShareScope, ShareTarget } from './targets';
export type { OwnerCheck } from './service';

export interface SharesModule extends FeatureModule {
  service: ShareService;
  /** `shares.access(user, kind, target)`: the scope a redeemed, live link grants, else null. */
  access: ShareAccess['access'];
  /** How the owner of a target is checked, per kind (workspaces: plug yours in; 501 until then). */
  setOwnerCheck: ShareService['setOwnerCheck'];
}

/** The shares feature (docs/dev/workspaces-contract.md, "Server: share links"; docs/sharing.md). */
export function createSharesModule(deps: FeatureDeps): SharesModule {
  const service = new ShareService({ db: deps.store.db, logger: deps.logger, owners: ownerChecks(deps) });
  return {
    router: shareRoutes(service),
    docs: shareRouteDocs,
    service,
    access: createShareAccess(deps.store.db).access,
    setOwnerCheck: (kind, check) => service.setOwnerCheck(kind, check)
  };
}
