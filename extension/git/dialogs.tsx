import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

export interface IRemoteForm {
  name: string;
  url: string;
  username?: string;
  password?: string;
}

/**
 * A form body for Dialog: labelled inputs, values read on accept. Plain DOM so the password
 * never lands in React state; it goes to the server in one request and is not kept here.
 */
class FormBody extends Widget implements Dialog.IBodyWidget<Record<string, string>> {
  constructor(fields: FormBody.IField[]) {
    super();
    this.addClass('jp-Conveyor-gitForm');
    for (const field of fields) {
      const label = document.createElement('label');
      label.className = 'jp-Conveyor-gitFormRow';
      const text = document.createElement('span');
      text.textContent = field.label;
      const input = document.createElement('input');
      input.className = 'jp-mod-styled jp-Conveyor-input';
      input.name = field.name;
      input.type = field.type ?? 'text';
      input.value = field.value ?? '';
      input.placeholder = field.placeholder ?? '';
      input.autocomplete = field.type === 'password' ? 'off' : 'on';
      input.setAttribute('data-testid', `conveyor-git-form-${field.name}`);
      label.append(text, input);
      this.node.appendChild(label);
    }
  }

  getValue(): Record<string, string> {
    const values: Record<string, string> = {};
    this.node.querySelectorAll('input').forEach(input => {
      values[input.name] = input.value;
    });
    return values;
  }
}

namespace FormBody {
  export interface IField {
    name: string;
    label: string;
    type?: 'text' | 'password' | 'url';
    value?: string;
    placeholder?: string;
  }
}

/** Ask for a new remote's name and URL, and optional credentials. */
export async function askRemote(trans: TranslationBundle): Promise<IRemoteForm | null> {
  const body = new FormBody([
    { name: 'name', label: trans.__('Name'), value: 'origin' },
    { name: 'url', label: trans.__('URL (http or https)'), type: 'url', placeholder: 'https://example.com/team/repo.git' },
    { name: 'username', label: trans.__('User name (optional)') },
    { name: 'password', label: trans.__('Password or token (optional)'), type: 'password' }
  ]);
  const answer = await showDialog({
    title: trans.__('Add remote'),
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Add') })
    ],
    focusNodeSelector: 'input[name="url"]'
  });
  if (!answer.button.accept || !answer.value) {
    return null;
  }
  const { name, url, username, password } = answer.value;
  if (!name.trim() || !url.trim()) {
    return null;
  }
  return {
    name: name.trim(),
    url: url.trim(),
    username: username || undefined,
    password: password || undefined
  };
}

/**
 * Ask for the credentials of a remote; they are sent to the Conveyor server, which keeps them
 * for this user and never returns them.
 */
export async function askCredentials(
  trans: TranslationBundle,
  remote: { name: string; url: string }
): Promise<{ username: string; password: string } | null> {
  const body = new FormBody([
    { name: 'username', label: trans.__('User name') },
    { name: 'password', label: trans.__('Password or token'), type: 'password' }
  ]);
  const note = document.createElement('p');
  note.className = 'jp-Conveyor-gitFormNote';
  note.textContent = trans.__(
    'For %1 (%2). Kept by the Conveyor server for you, never shown again.',
    remote.name,
    remote.url
  );
  body.node.prepend(note);
  const answer = await showDialog({
    title: trans.__('Credentials for %1', remote.name),
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Save') })
    ],
    focusNodeSelector: 'input[name="username"]'
  });
  if (!answer.button.accept || !answer.value?.username) {
    return null;
  }
  return { username: answer.value.username, password: answer.value.password ?? '' };
}
