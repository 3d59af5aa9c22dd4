import { Dialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { copyIcon, ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import React, { useState } from 'react';

import type { ShareLink } from '../../schema/generated/api';
import { formatWhen } from '../runs/format';
import { EXPIRY_CHOICES, ShareLinksModel, ShareScope } from './model';

interface IViewProps {
  model: ShareLinksModel;
  trans: TranslationBundle;
  onCopy: (text: string) => void;
  /** Confirm before revoking (resolves true to go on). */
  confirmRevoke: (link: ShareLink) => Promise<boolean>;
}

export function expiryLabel(seconds: number, trans: TranslationBundle): string {
  const days = seconds / 86400;
  if (days >= 1) {
    return trans._n('%1 day', '%1 days', days);
  }
  return trans._n('%1 hour', '%1 hours', seconds / 3600);
}

function statusLabel(link: ShareLink, trans: TranslationBundle): string {
  switch (link.status) {
    case 'revoked':
      return trans.__('revoked');
    case 'expired':
      return trans.__('expired');
    default:
      return trans.__('expires %1', formatWhen(link.expiresAt));
  }
}

/** The share dialog's body: scope and expiry, the new link once, the existing links. */
export function ShareView(props: IViewProps): JSX.Element {
  const { model, trans, onCopy } = props;
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setFailure(null);
    try {
      await work();
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  const created = model.created;
  const scopes: [ShareScope, string, string][] = [
    ['view', trans.__('View'), trans.__('Read-only: open files and notebooks, no kernels, terminals or edits')],
    ['collaborate', trans.__('Collaborate'), trans.__('Full use: edit files, run kernels and terminals')]
  ];
  return (
    <div className="jp-Conveyor-form jp-Conveyor-share">
      {model.kind === 'workspace' ? (
        <fieldset className="jp-Conveyor-fieldset">
          <legend>{trans.__('Recipients may')}</legend>
          {scopes.map(([value, label, hint]) => (
            <label key={value} className="jp-Conveyor-shareScope" title={hint}>
              <input
                type="radio"
                name="jp-conveyor-share-scope"
                value={value}
                checked={model.scope === value}
                onChange={() => {
                  model.scope = value;
                  setFailure(null);
                }}
                data-testid={`conveyor-share-scope-${value}`}
              />
              <span>{label}</span>
              <span className="jp-Conveyor-shareHint">{hint}</span>
            </label>
          ))}
        </fieldset>
      ) : (
        <p className="jp-Conveyor-note">{trans.__('Recipients get a read-only view.')}</p>
      )}
      {model.kind === 'workspace' && (
        <div className="jp-Conveyor-shareLayout">
          <label htmlFor="jp-conveyor-share-layout">{trans.__('JupyterLab layout (optional)')}</label>
          <input
            id="jp-conveyor-share-layout"
            className={`jp-mod-styled${model.layoutError ? ' jp-mod-invalid' : ''}`}
            type="text"
            value={model.layout}
            placeholder={trans.__('e.g. analysis')}
            aria-describedby="jp-conveyor-share-layout-hint"
            aria-invalid={!!model.layoutError}
            spellCheck={false}
            onChange={e => {
              model.layout = e.target.value;
              setFailure(null);
            }}
            data-testid="conveyor-share-layout"
          />
          <span id="jp-conveyor-share-layout-hint" className="jp-Conveyor-shareHint">
            {model.layoutError
              ? trans.__('1–64 letters, digits, ., _ and -, starting with a letter or digit')
              : trans.__('The name of a saved JupyterLab workspace (its open tabs and panels); each recipient gets a copy of it.')}
          </span>
        </div>
      )}
      <div className="jp-Conveyor-shareCreate">
        <label htmlFor="jp-conveyor-share-expiry">{trans.__('Expires in')}</label>
        <select
          id="jp-conveyor-share-expiry"
          className="jp-mod-styled"
          value={model.expiresInSeconds}
          onChange={e => {
            model.expiresInSeconds = Number(e.target.value);
            setFailure(null);
          }}
          data-testid="conveyor-share-expiry"
        >
          {EXPIRY_CHOICES.map(s => (
            <option key={s} value={s}>
              {expiryLabel(s, trans)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept"
          disabled={busy || !!model.layoutError}
          onClick={() => void run(() => model.create())}
          data-testid="conveyor-share-create"
        >
          {trans.__('Create link')}
        </button>
      </div>
      {failure && (
        <p className="jp-Conveyor-error" role="alert">
          {failure}
        </p>
      )}
      {created && (
        <div className="jp-Conveyor-shareCreated" role="status">
          <p>{trans.__('Copy the link now: it is shown only once. Recipients must sign in.')}</p>
          <div className="jp-Conveyor-shareUrl">
            <input
              className="jp-mod-styled"
              readOnly
              value={created.url}
              aria-label={trans.__('Share link')}
              onFocus={e => e.target.select()}
              data-testid="conveyor-share-url"
            />
            <button
              type="button"
              className="jp-Button jp-mod-styled jp-mod-accept"
              onClick={() => onCopy(created.url)}
              data-testid="conveyor-share-copy"
            >
              <copyIcon.react tag="span" />
              {trans.__('Copy')}
            </button>
          </div>
        </div>
      )}
      <h3 className="jp-Conveyor-resourcesHeading">{trans.__('Links')}</h3>
      {model.error && (
        <p className="jp-Conveyor-error" role="alert">
          {model.error}
        </p>
      )}
      {model.links.length === 0 && !model.loading && !model.error && (
        <p className="jp-Conveyor-placeholder">{trans.__('No link yet.')}</p>
      )}
      <ul className="jp-Conveyor-shareLinks" aria-label={trans.__('Links')}>
        {model.links.map(link => (
          <li key={link.id} className={`jp-Conveyor-shareLink jp-mod-${link.status}`} data-id={link.id} data-testid="conveyor-share-link">
            <div className="jp-Conveyor-shareLinkHead">
              <span className="jp-Conveyor-shareLinkScope">
                {link.scope === 'collaborate' ? trans.__('Collaborate') : trans.__('View')}
              </span>
              {link.target.layout && (
                <span className="jp-Conveyor-shareLinkLayout" title={trans.__('Opens the JupyterLab layout %1', link.target.layout)}>
                  {trans.__('layout %1', link.target.layout)}
                </span>
              )}
              <span className="jp-Conveyor-shareLinkStatus">{statusLabel(link, trans)}</span>
              <span data-testid="conveyor-share-uses">{trans._n('%1 use', '%1 uses', link.uses)}</span>
              {link.status === 'active' && (
                <button
                  type="button"
                  className="jp-Button jp-mod-minimal jp-mod-warn"
                  disabled={busy}
                  onClick={() =>
                    void run(async () => {
                      if (await props.confirmRevoke(link)) {
                        await model.revoke(link.id);
                      }
                    })
                  }
                  aria-label={trans.__('Revoke link created %1', formatWhen(link.createdAt))}
                  data-testid="conveyor-share-revoke"
                >
                  {trans.__('Revoke')}
                </button>
              )}
            </div>
            {link.users.length > 0 && (
              <ul className="jp-Conveyor-shareUsers" aria-label={trans.__('Used by')}>
                {link.users.map(u => (
                  <li key={u.user} title={trans.__('First %1, last %2', u.firstUsedAt, u.lastUsedAt)}>
                    {trans.__('%1 — %2× (last %3)', u.user, u.uses, formatWhen(u.lastUsedAt))}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

class ShareBody extends ReactWidget {
  constructor(private readonly _props: IViewProps) {
    super();
    this.addClass('jp-Conveyor-shareDialog');
  }

  render(): JSX.Element {
    return (
      <UseSignal signal={this._props.model.changed} initialSender={this._props.model}>
        {() => <ShareView {...this._props} />}
      </UseSignal>
    );
  }
}

/** Show the share dialog of one target; the code of a new link is forgotten when it closes. */
export async function showShareDialog(
  model: ShareLinksModel,
  trans: TranslationBundle,
  title: string,
  onCopy: (text: string) => void
): Promise<void> {
  const confirmRevoke = async (link: ShareLink) => {
    const answer = await new Dialog({
      title: trans.__('Revoke link'),
      body: trans.__('Recipients lose access at once (%1 so far). Revoke?', trans._n('%1 user', '%1 users', link.users.length)),
      buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: trans.__('Revoke') })]
    }).launch();
    return answer.button.accept;
  };
  void model.load();
  await new Dialog({
    title,
    body: new ShareBody({ model, trans, onCopy, confirmRevoke }),
    buttons: [Dialog.okButton({ label: trans.__('Done') })],
    focusNodeSelector: '#jp-conveyor-share-expiry'
  }).launch();
}
