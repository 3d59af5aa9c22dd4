import { IRouter, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Clipboard, Notification } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import type { ShareTarget } from '../../schema/generated/api';
import { CommandIDs } from '../core/commands';
import { IConveyor } from '../core/tokens';
import { showShareDialog } from './dialog';
import { shareOffered, ShareKind, ShareLinksModel } from './model';
import { describeRedeemed, redeemCode, redeemFailure, shareCodeFrom, targetAction, withoutShareCode } from './redeem';

const KINDS: ShareKind[] = ['workspace', 'run', 'comparison', 'dataset'];

/**
 * Share links (docs/sharing.md): the `conveyor:share` dialog any feature can open for what it
 * shows, and the redemption of `?conveyor-share=<code>` links when the page loads.
 */
export const sharesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-conveyor:shares',
  description: 'Conveyor share links: create, list, revoke and redeem.',
  autoStart: true,
  requires: [IConveyor],
  optional: [ITranslator, IRouter],
  activate: (
    app: JupyterFrontEnd,
    conveyor: IConveyor,
    translator: ITranslator | null,
    router: IRouter | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_conveyor');
    const { commands } = app;
    const baseUrl = conveyor.serverSettings.baseUrl;

    const copy = (text: string) => {
      Clipboard.copyToSystem(text);
      Notification.info(trans.__('Link copied'), { autoClose: 3000 });
    };

    const me = () => conveyor.connection.status?.user.name ?? null;

    commands.addCommand(CommandIDs.share, {
      // Views pass the target's `owner`: only the owner may share it (the server checks too).
      isVisible: args => shareOffered(args, me()),
      label: args => (args.label ? trans.__('Share %1…', String(args.label)) : trans.__('Share…')),
      caption: trans.__('Create, list and revoke links that give signed-in users access'),
      execute: async args => {
        const kind = args.kind as ShareKind;
        const target = args.target as ShareTarget | undefined;
        if (!KINDS.includes(kind) || !target || typeof target !== 'object') {
          Notification.error(trans.__('Nothing to share: %1 needs a kind and a target', CommandIDs.share));
          return;
        }
        const model = new ShareLinksModel({ requestAPI: conveyor.requestAPI, kind, target, baseUrl });
        const label = args.label ? String(args.label) : '';
        await showShareDialog(model, trans, label ? trans.__('Share %1', label) : trans.__('Share'), copy);
      }
    });

    let redeeming = false;
    commands.addCommand(CommandIDs.redeemShareLink, {
      label: trans.__('Open Share Link'),
      execute: async () => {
        const code = shareCodeFrom(window.location.href);
        // Drop the code from the address at once: a reload must not redeem it again, and the
        // secret should not stay in the history.
        window.history.replaceState(window.history.state, '', withoutShareCode(window.location.href));
        if (!code || redeeming) {
          return;
        }
        redeeming = true;
        // The layout restorer waits for routing: redeem once the app has restored.
        void app.restored
          .then(() => redeem(code))
          .finally(() => (redeeming = false));
      }
    });

    const redeem = async (code: string) => {
      let redeemed;
      try {
        redeemed = await redeemCode(conveyor.requestAPI, code);
      } catch (error) {
        Notification.error(redeemFailure(error, trans), { autoClose: false });
        return;
      }
      const text = describeRedeemed(redeemed, trans);
      const action = targetAction(redeemed, baseUrl);
      if (action.type === 'tab') {
        const openTab = () => {
          const tab = window.open(action.url, '_blank');
          if (tab) {
            tab.opener = null;
          }
          return !!tab;
        };
        // Browsers may block a tab opened without a click: then offer a button.
        if (openTab()) {
          Notification.success(text, { autoClose: 8000 });
        } else {
          Notification.info(text, {
            autoClose: false,
            actions: [{ label: trans.__('Open workspace'), callback: () => void openTab(), displayType: 'accent' }]
          });
        }
        return;
      }
      if (action.type === 'command' && commands.hasCommand(action.id)) {
        Notification.success(text, { autoClose: 8000 });
        await commands.execute(action.id, action.args);
        return;
      }
      Notification.warning(trans.__('%1 This JupyterLab cannot show it.', text), { autoClose: false });
    };

    if (router) {
      router.register({
        command: CommandIDs.redeemShareLink,
        pattern: /[?&]conveyor-share=/,
        rank: 20
      });
    } else if (shareCodeFrom(window.location.href)) {
      void app.restored.then(() => commands.execute(CommandIDs.redeemShareLink));
    }
  }
};
