import { Dialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import React, { useState } from 'react';

import type { Workspace } from '../../schema/generated/api';

class DeleteBody extends ReactWidget {
  constructor(
    private readonly _workspace: Workspace,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-Conveyor-workspaceDelete');
  }

  volume = false;

  getValue(): boolean {
    return this.volume;
  }

  render(): JSX.Element {
    return <DeleteView workspace={this._workspace} trans={this._trans} onChange={v => (this.volume = v)} />;
  }
}

function DeleteView(props: { workspace: Workspace; trans: TranslationBundle; onChange: (volume: boolean) => void }): JSX.Element {
  const { workspace, trans } = props;
  const [volume, setVolume] = useState(false);
  return (
    <div className="jp-Conveyor-form">
      <p>{trans.__('Delete the workspace %1? Its container and network are removed.', workspace.name)}</p>
      <label className="jp-Conveyor-workspaceCheck">
        <input
          type="checkbox"
          checked={volume}
          onChange={e => {
            setVolume(e.target.checked);
            props.onChange(e.target.checked);
          }}
          data-testid="conveyor-workspace-delete-volume"
        />
        {trans.__(
          'Also delete my home volume: the home folder all my workspaces share (only when no other workspace of mine uses it)'
        )}
      </label>
      {volume && (
        <p className="jp-Conveyor-warning" role="alert">
          {trans.__('The files cannot be recovered.')}
        </p>
      )}
    </div>
  );
}

/**
 * Confirm deleting a workspace. Resolves with `{volume}` (whether to delete the home volume too),
 * or `null` when cancelled.
 */
export async function confirmDelete(
  workspace: Workspace,
  trans: TranslationBundle
): Promise<{ volume: boolean } | null> {
  const result = await new Dialog<boolean>({
    title: trans.__('Delete workspace'),
    body: new DeleteBody(workspace, trans),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: trans.__('Delete') })
    ]
  }).launch();
  return result.button.accept ? { volume: !!result.value } : null;
}
