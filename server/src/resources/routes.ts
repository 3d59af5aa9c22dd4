import { Router, type Request } from 'express';
import { identityOf } from '../auth/identity';
import { AppError } from '../core/errors';
import type { RouteDoc } from '../core/openapi';
import type { ResourcesApi } from './api';

export const resourceRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/resources',
    summary: 'Capacity, reserved, running work, the start queue, quotas and budgets',
    response: 'resources.json'
  },
  {
    method: 'get',
    path: '/quotas',
    summary: 'Quotas that apply to the caller (admins: all) and what running work holds',
    response: { inline: { type: 'object' } }
  },
  {
    method: 'get',
    path: '/budgets',
    summary: 'Monthly budgets and what is spent',
    response: 'budgets.json'
  },
  {
    method: 'get',
    path: '/usage',
    summary: 'Metered cost per day (?from=&to=&user=)',
    response: 'usage.json'
  },
  {
    method: 'get',
    path: '/alerts',
    summary: 'Budget alerts raised for the caller (admins: ?user=, ?all=1)',
    response: 'budget-alerts.json'
  }
];

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function resourceRoutes(api: ResourcesApi): Router {
  const router = Router();
  const who = (req: Request) => identityOf(req).user;
  router.get('/resources', async (req, res) => {
    res.json(await api.overview(who(req), str(req.query.user)));
  });
  router.get('/quotas', (req, res) => {
    res.json({ quotas: api.quotas(who(req)) });
  });
  router.get('/budgets', async (req, res) => {
    res.json({ budgets: await api.budgets(who(req)) });
  });
  router.get('/usage', async (req, res) => {
    const q = req.query;
    res.json(
      await api.usageSeries(who(req), {
        from: str(q.from),
        to: str(q.to),
        user: str(q.user)
      })
    );
  });
  router.get('/alerts', async (req, res) => {
    const user = who(req);
    const target = str(req.query.user);
    if ((target !== undefined || req.query.all !== undefined) && !user.admin)
      throw AppError.forbidden('Only admins see the alerts of others');
    res.json({
      alerts: await api.alerts(req.query.all !== undefined ? undefined : (target ?? user.name))
    });
  });
  return router;
}
