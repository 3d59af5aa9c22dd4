import { Router } from 'express';
import { AppError } from '../core/errors';
import type { RouteDoc } from '../core/openapi';
import { workspaceRoot } from '../core/workspace';
import { readWorkspaceFile } from '../pipelines/service';
import { parseNotebookText } from './nbformat';
import { notebookParameters } from './parameters';

export const notebookRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/notebooks/parameters',
    summary: "The typed parameters of a workspace notebook's cell tagged parameters (?path=dir/nb.ipynb)",
    response: 'notebook-params.json'
  }
];

export function notebookRoutes(deps: { workspaceDir: string }): Router {
  const router = Router();
  router.get('/notebooks/parameters', (req, res) => {
    const path = req.query.path;
    if (typeof path !== 'string' || path === '') throw AppError.invalid('The query parameter path (a workspace-relative .ipynb) is required');
    if (!path.toLowerCase().endsWith('.ipynb')) throw AppError.invalid(`${path} is not a notebook (.ipynb)`, { path });
    const text = readWorkspaceFile(workspaceRoot(deps.workspaceDir), path, 'notebook_not_found');
    res.json({ params: notebookParameters(parseNotebookText(text)) });
  });
  return router;
}
