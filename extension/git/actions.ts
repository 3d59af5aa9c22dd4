import { Dialog, InputDialog, Notification, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';

import { askCredentials, askRemote } from './dialogs';
import { describeError, errorCode, needsCredentials } from './errors';
import type { IGitActions } from './files';
import type { GitModel, SyncOp } from './model';
import { type IGitFile, shortOid } from './types';

/**
 * The Git section's actions: confirmations, dialogs and clear error reports around the model.
 * Opening widgets (diff, history, files) is the plugin's, passed in as `open*`.
 */
export function createActions(options: {
  model: GitModel;
  trans: TranslationBundle;
  openDiff: (file: IGitFile) => void;
  openHistory: (path?: string) => void;
  openFile: (path: string) => void;
}): IGitActions {
  const { model, trans } = options;
  const fail = async (title: string, error: unknown) => {
    await showErrorMessage(title, { message: describeError(error, trans) });
  };
  const attempt = async (title: string, action: () => Promise<unknown>) => {
    try {
      await action();
      return true;
    } catch (error) {
      await fail(title, error);
      return false;
    }
  };
  const confirm = async (title: string, body: string, label: string) => {
    const answer = await showDialog({
      title,
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.warnButton({ label })
      ]
    });
    return answer.button.accept;
  };

  const sync = async (op: SyncOp, remote: string, retried = false): Promise<void> => {
    try {
      await model.sync(op, remote);
      Notification.success(
        op === 'fetch'
          ? trans.__('Fetched from %1', remote)
          : op === 'pull'
            ? trans.__('Pulled from %1', remote)
            : trans.__('Pushed to %1', remote),
        { autoClose: 4000 }
      );
    } catch (error) {
      const known = model.repo?.remotes.find(r => r.name === remote);
      if (!retried && known && needsCredentials(error)) {
        const credentials = await askCredentials(trans, known);
        if (credentials) {
          const saved = await attempt(trans.__('Could not save the credentials'), () =>
            model.addRemote({ name: known.name, url: known.url, ...credentials })
          );
          if (saved) {
            return sync(op, remote, true);
          }
        }
        return;
      }
      const title =
        op === 'fetch'
          ? trans.__('Fetch failed')
          : op === 'pull'
            ? trans.__('Pull failed')
            : trans.__('Push failed');
      await fail(title, error);
    }
  };

  return {
    init: () => void attempt(trans.__('Could not create the repository'), () => model.init()),
    stage: paths => void attempt(trans.__('Could not stage'), () => model.stage(paths)),
    unstage: paths => void attempt(trans.__('Could not unstage'), () => model.unstage(paths)),
    discard: async paths => {
      const ok = await confirm(
        trans.__('Discard changes'),
        paths.length === 1
          ? trans.__('Discard your changes to %1? They cannot be recovered.', paths[0])
          : trans.__('Discard your changes to %1 files? They cannot be recovered.', paths.length),
        trans.__('Discard')
      );
      if (ok) {
        await attempt(trans.__('Could not discard'), () => model.discard(paths));
      }
    },
    commit: async () => {
      try {
        const oid = await model.commit();
        Notification.success(trans.__('Committed %1', shortOid(oid)), { autoClose: 4000 });
      } catch (error) {
        await fail(trans.__('Commit failed'), error);
      }
    },
    diff: options.openDiff,
    history: options.openHistory,
    open: options.openFile,
    checkout: async branch => {
      try {
        await model.checkout(branch);
      } catch (error) {
        const title =
          errorCode(error) === 'uncommitted_changes'
            ? trans.__('Cannot switch to %1', branch)
            : trans.__('Could not switch branch');
        await fail(title, error);
      }
    },
    newBranch: async () => {
      const answer = await InputDialog.getText({
        title: trans.__('New branch'),
        label: trans.__('Name (created from the current commit, then checked out)'),
        placeholder: 'feature/better-model'
      });
      const name = answer.button.accept ? answer.value?.trim() : '';
      if (!name) {
        return;
      }
      const created = await attempt(trans.__('Could not create branch %1', name), () =>
        model.createBranch(name)
      );
      if (created) {
        await attempt(trans.__('Could not switch branch'), () => model.checkout(name));
      }
    },
    merge: async () => {
      const current = model.branches?.current;
      const others = (model.branches?.branches ?? []).map(b => b.name).filter(n => n !== current);
      const answer = await InputDialog.getItem({
        title: trans.__('Merge into %1', current ?? ''),
        label: trans.__('Fast-forward %1 to:', current ?? ''),
        items: others
      });
      if (!answer.button.accept || !answer.value) {
        return;
      }
      const branch = answer.value;
      try {
        await model.merge(branch);
        Notification.success(trans.__('%1 fast-forwarded to %2', current ?? '', branch), {
          autoClose: 4000
        });
      } catch (error) {
        const title =
          errorCode(error) === 'merge_required'
            ? trans.__('A real merge is needed')
            : trans.__('Merge failed');
        await fail(title, error);
      }
    },
    addRemote: async () => {
      const remote = await askRemote(trans);
      if (remote) {
        await attempt(trans.__('Could not add the remote'), () => model.addRemote(remote));
      }
    },
    removeRemote: async name => {
      const ok = await confirm(
        trans.__('Remove remote'),
        trans.__('Remove the remote %1 and the credentials kept for it?', name),
        trans.__('Remove')
      );
      if (ok) {
        await attempt(trans.__('Could not remove the remote'), () => model.removeRemote(name));
      }
    },
    credentials: async name => {
      const known = model.repo?.remotes.find(r => r.name === name);
      const credentials = known ? await askCredentials(trans, known) : null;
      if (known && credentials) {
        await attempt(trans.__('Could not save the credentials'), () =>
          model.addRemote({ name: known.name, url: known.url, ...credentials })
        );
      }
    },
    sync: (op, remote) => void sync(op, remote),
    setStripOutputs: strip =>
      void attempt(trans.__('Could not change the setting'), () => model.setStripOutputs(strip))
  };
}
