import { Signal } from '@lumino/signaling';

import type { ServerEvent, ServerStatus, StepImage } from '../../../schema/generated/api';
import { BuildModel, stepProgress } from '../build';
import { groupImages, looksLikePackage } from '../group';
import { ImagesModel } from '../model';

function registry(repository: string, tag: string, created: string): StepImage {
  return {
    id: `sha256:${repository}${tag}`,
    tags: [],
    created,
    sizeBytes: 1,
    labels: {},
    source: 'registry',
    repository,
    tag,
    ref: `127.0.0.1:5000/${repository}:${tag}`,
    digest: 'sha256:abc'
  };
}

const local: StepImage = {
  id: 'sha256:local',
  tags: ['conveyor/base:dev'],
  created: '2026-01-01T00:00:00Z',
  sizeBytes: 5,
  labels: {},
  source: 'engine'
};

describe('groupImages', () => {
  it('groups by namespace: shared, mine, other users, then the local engine; newest tag first', () => {
    const groups = groupImages(
      [
        local,
        registry('users/bob/x', '1.0.0-b000001', '2026-01-01T00:00:00Z'),
        registry('users/ada/xgb', '1.0.0-b000001', '2026-01-01T00:00:00Z'),
        registry('users/ada/xgb', '1.1.0-b000002', '2026-02-01T00:00:00Z'),
        registry('shared/datascience', '1.0.0-b000003', '2026-01-01T00:00:00Z')
      ],
      'ada'
    );
    expect(groups.map(g => [g.key, g.kind])).toEqual([
      ['shared', 'shared'],
      ['users/ada', 'mine'],
      ['users/bob', 'user'],
      ['engine', 'engine']
    ]);
    expect(groups[1].repositories[0].tags.map(t => t.tag)).toEqual([
      '1.1.0-b000002',
      '1.0.0-b000001'
    ]);
    expect(groups[3].repositories[0].name).toBe('conveyor/base');
  });

  it('recognises package questions', () => {
    expect(looksLikePackage('xgboost 2')).toBe(true);
    expect(looksLikePackage('pandas==2.2')).toBe(true);
    expect(looksLikePackage('datascience')).toBe(false);
  });
});

describe('ImagesModel', () => {
  let model: ImagesModel;
  afterEach(() => model?.dispose());

  it('searches by package through the server and lets one delete only own tags', async () => {
    const calls: string[] = [];
    const requestAPI = async <T>(path: string): Promise<T> => {
      calls.push(path);
      return [registry('users/ada/xgb', '1.0.0-b000001', '2026-01-01T00:00:00Z')] as T;
    };
    const status = { user: { name: 'ada', admin: false } } as unknown as ServerStatus;
    const events = new Signal<unknown, ServerEvent>({});
    model = new ImagesModel({
      requestAPI,
      connection: { events, status },
      autoStart: false,
      searchDebounce: 0
    });
    model.searchBy = 'package';
    model.query = 'xgboost 2';
    await model.refresh();
    expect(calls.pop()).toBe('images?package=xgboost+2');
    expect(model.canDelete(model.images[0])).toBe(true);
    expect(model.canDelete(registry('shared/ds', '1.0.0-b000001', ''))).toBe(false);
    expect(model.canDelete(local)).toBe(false);
  });
});

describe('BuildModel', () => {
  it('appends live build lines once each and finishes with the pushed reference', async () => {
    const events = new Signal<unknown, ServerEvent>({});
    const requestAPI = async <T>(): Promise<T> =>
      ({ from: 0, lines: [], status: 'building' }) as T;
    const build = new BuildModel({ id: 'b1', requestAPI, events, autoStart: false });
    events.emit({ type: 'build', buildId: 'b1', status: 'building', from: 0, lines: ['Step 1/4 : FROM x', 'a'] });
    events.emit({ type: 'build', buildId: 'b1', status: 'building', from: 1, lines: ['a', 'Step 3/4 : RUN pip'] });
    events.emit({ type: 'build', buildId: 'other', status: 'failed', from: 0, lines: ['no'] });
    expect(build.lines).toEqual(['Step 1/4 : FROM x', 'a', 'Step 3/4 : RUN pip']);
    expect(build.progress).toBe(0.5);
    events.emit({
      type: 'build',
      buildId: 'b1',
      status: 'succeeded',
      from: 3,
      lines: ['pushed'],
      ref: '127.0.0.1:5000/users/ada/xgb:1.0.0-b1'
    });
    expect(build.finished).toBe(true);
    expect(build.ref).toBe('127.0.0.1:5000/users/ada/xgb:1.0.0-b1');
    expect(build.progress).toBe(1);
    build.dispose();
  });

  it('reads progress from [n/m] lines too', () => {
    expect(stepProgress(['[2/5] RUN apt-get install'])).toBe(0.2);
    expect(stepProgress(['no steps'])).toBeNull();
  });
});
