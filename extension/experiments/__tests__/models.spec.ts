import type { ModelDetail, ModelList } from '../../../schema/generated/api';
import { keyMetrics, ModelListModel } from '../models';

const summary = (name: string): ModelList['models'][number] => ({
  name,
  owner: 'ada',
  description: '',
  creationTime: 1,
  lastUpdatedTime: 2,
  versionCount: 1,
  latestVersion: 1,
  aliases: { champion: 1 },
  tags: {},
  sharedWith: []
});

/** A fake registry API that answers /models and /models/{name} and records the paths asked. */
function fakeRegistry(models: string[], failDetail = false) {
  const paths: string[] = [];
  const fetch = jest.fn(async (path: string): Promise<any> => {
    paths.push(path);
    if (path === 'models') {
      return { models: models.map(summary) } satisfies ModelList;
    }
    if (failDetail) {
      throw new Error('Registered Model not found');
    }
    const name = decodeURIComponent(path.slice('models/'.length));
    return { model: summary(name), versions: [] } as unknown as ModelDetail;
  });
  return { fetch: fetch as any, paths };
}

describe('ModelListModel', () => {
  it('loads the models, and the versions of a model only once it is expanded (name URL-encoded)', async () => {
    const api = fakeRegistry(['churn', 'a b/c']);
    const model = new ModelListModel({ requestAPI: api.fetch, autoStart: false });
    await model.refresh();
    expect(model.models.map(m => m.name)).toEqual(['churn', 'a b/c']);
    expect(api.paths).toEqual(['models']);
    model.toggle('a b/c');
    expect(model.isExpanded('a b/c')).toBe(true);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(api.paths).toEqual(['models', 'models/a%20b%2Fc']);
    expect(model.versions('a b/c').detail?.model.name).toBe('a b/c');
    // A refresh reloads the expanded model's versions too.
    await model.refresh();
    expect(api.paths.filter(p => p === 'models/a%20b%2Fc')).toHaveLength(2);
    model.toggle('a b/c');
    expect(model.isExpanded('a b/c')).toBe(false);
    model.dispose();
  });

  it("keeps a version load's error for the user and forgets models that are gone", async () => {
    const models = ['churn'];
    const api = fakeRegistry(models, true);
    const model = new ModelListModel({ requestAPI: api.fetch, autoStart: false });
    await model.refresh();
    model.toggle('churn');
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(model.versions('churn')).toEqual({ detail: null, loading: false, error: 'Registered Model not found' });
    // Deleted on the server: no longer listed, expanded or asked for.
    models.length = 0;
    await model.refresh();
    expect(model.models).toEqual([]);
    expect(model.isExpanded('churn')).toBe(false);
    expect(model.versions('churn').error).toBeNull();
    model.dispose();
  });
});

describe('keyMetrics', () => {
  it("shows the user's metrics in name order, at most three, without Conveyor's bookkeeping", () => {
    expect(keyMetrics({ 'conveyor.cost_usd': 1, zeta: 2, auc: 0.9, loss: 'NaN', acc: 0.8 })).toEqual([
      ['acc', 0.8],
      ['auc', 0.9],
      ['loss', 'NaN']
    ]);
  });
});
