import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';

import type { ServerStatus } from '../../../schema/generated/api';
import { ConveyorAPIError } from '../../core/api';
import { workspaceFailure } from '../errors';
import { insideWorkspace, isReadOnlyRefusal, readOnlyNote, whenInsideWorkspace } from '../inside';

const trans = nullTranslator.load('jupyterlab_conveyor');

function status(workspace?: ServerStatus['workspace']): ServerStatus {
  return { user: { name: 'ada', admin: false }, ...(workspace ? { workspace } : {}) } as ServerStatus;
}

const apiError = (status: number, code: string) => new ConveyorAPIError(new Response(null, { status }), 'refused', code);

describe('Conveyor inside a workspace', () => {
  it('reads the workspace from the status', () => {
    const inside = { id: 'ab12cd34ef56', access: 'view' as const, files: false };
    expect(insideWorkspace(status(inside))).toEqual(inside);
    expect(insideWorkspace(status())).toBeNull();
    expect(insideWorkspace(null)).toBeNull();
  });

  it('tells the read-only refusal from other errors, and words the note calmly', () => {
    expect(isReadOnlyRefusal(apiError(403, 'workspace_read_only'))).toBe(true);
    expect(isReadOnlyRefusal(apiError(403, 'forbidden'))).toBe(false);
    expect(isReadOnlyRefusal(apiError(409, 'not_available_in_workspace'))).toBe(false);
    expect(isReadOnlyRefusal(new Error('workspace_read_only'))).toBe(false);
    expect(isReadOnlyRefusal(null)).toBe(false);
    expect(readOnlyNote(trans, 'files are not shown.')).toBe('Read-only share: files are not shown.');
  });

  it('calls back once, when the first status inside a workspace arrives (or at once when known)', () => {
    const changed = new Signal<object, void>({});
    const connection = { status: null as ServerStatus | null, changed };
    const seen: string[] = [];
    whenInsideWorkspace(connection, w => seen.push(w.id));
    expect(seen).toEqual([]);
    connection.status = status();
    changed.emit();
    expect(seen).toEqual([]);
    connection.status = status({ id: 'ab12cd34ef56', access: 'owner', files: true });
    changed.emit();
    // A later status without `workspace` (the websocket's) does not call again, nor undo anything.
    connection.status = status();
    changed.emit();
    expect(seen).toEqual(['ab12cd34ef56']);

    connection.status = status({ id: 'ab12cd34ef56', access: 'owner', files: true });
    const late: string[] = [];
    whenInsideWorkspace(connection, w => late.push(w.access));
    expect(late).toEqual(['owner']);
  });

  it('names a start refused because the profile is larger than the machine (422 exceeds_capacity)', () => {
    const refused = Object.assign(new Error('Workspace "w" with profile large asks for 4 cpus but the machine has 2'), { code: 'exceeds_capacity' });
    expect(workspaceFailure(refused, 'Could not start w', trans)).toEqual({
      title: 'Could not start w: the profile is larger than this machine',
      message: 'Workspace "w" with profile large asks for 4 cpus but the machine has 2 Choose a smaller resource profile.',
      showResources: true
    });
  });
});
