import { ISignal, Signal } from '@lumino/signaling';

import type {
  ImageDefault,
  NotebookParams,
  ResourceProfile,
  Run,
  RunSubmit,
  StepImage
} from '../../schema/generated/api';
import { INotebookParam, initialText, parseAll, parseGlobs } from './params';

export type Fetcher = <T = unknown>(path: string, init?: RequestInit) => Promise<T>;

export const DEFAULT_IMAGE = 'conveyor/base:dev';

/**
 * State of the "Submit to training" form: the choices the server offers (images, profiles,
 * the notebook's parameters) and what the user entered. Kept across a failed submit.
 */
export class SubmitModel {
  constructor(options: SubmitModel.IOptions) {
    this.path = options.path;
    this.savedBeforeSubmit = options.savedBeforeSubmit ?? false;
    this._fetch = options.requestAPI;
    this._preferredProfile = options.preferredProfile ?? (() => '');
    const base = this.path.split('/').pop() ?? this.path;
    this.experiment = base.replace(/\.ipynb$/, '');
  }

  readonly path: string;
  readonly savedBeforeSubmit: boolean;

  image = '';
  profile = '';
  experiment: string;
  files = '';
  outputs = '';
  cache = true;
  /** Text typed per parameter name. */
  texts: Record<string, string> = {};

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get images(): StepImage[] {
    return this._images;
  }
  get profiles(): ResourceProfile[] {
    return this._profiles;
  }
  get params(): INotebookParam[] {
    return this._params;
  }
  get loading(): boolean {
    return this._loading;
  }
  get submitting(): boolean {
    return this._submitting;
  }
  /**
   * Why loading the choices failed (per source), shown as hints; the form still works.
   */
  get loadErrors(): string[] {
    return this._loadErrors;
  }
  /**
   * The server's answer to the last failed submit.
   */
  get serverError(): string | null {
    return this._serverError;
  }

  /**
   * Parameter errors, by name (empty when every value parses).
   */
  get paramErrors(): Record<string, string> {
    return parseAll(this._params, this.texts).errors;
  }

  get valid(): boolean {
    return Object.keys(this.paramErrors).length === 0 && this.experiment.trim() !== '';
  }

  set(patch: Partial<Pick<SubmitModel, 'image' | 'profile' | 'experiment' | 'files' | 'outputs' | 'cache'>>): void {
    Object.assign(this, patch);
    this._changed.emit();
  }

  setParam(name: string, text: string): void {
    this.texts = { ...this.texts, [name]: text };
    this._changed.emit();
  }

  /**
   * Load images, profiles and the notebook's parameters (in parallel; each may fail alone).
   */
  async load(): Promise<void> {
    this._loading = true;
    this._changed.emit();
    const errors: string[] = [];
    const note = (what: string) => (error: unknown) => {
      errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    };
    const [images, profiles, params, chosenDefault] = await Promise.all([
      this._fetch<StepImage[]>('images').catch(note('Images')),
      this._fetch<ResourceProfile[]>('profiles').catch(note('Profiles')),
      this._fetch<NotebookParams>(
        `notebooks/parameters?path=${encodeURIComponent(this.path)}`
      ).catch(note('Parameters')),
      // The exact tag chosen (an engine image can carry several tags).
      this._fetch<ImageDefault>('images/default').catch(() => null)
    ]);
    this._images = images ?? [];
    this._profiles = profiles ?? [];
    this._params = params?.params ?? [];
    this.texts = Object.fromEntries(this._params.map(p => [p.name, initialText(p)]));
    const tags = this._images.flatMap(i => i.tags);
    // The user's default image (set in the Images section), else the base image, else the first.
    const defaultRef = chosenDefault?.ref;
    this.image =
      defaultRef && tags.includes(defaultRef)
        ? defaultRef
        : tags.includes(DEFAULT_IMAGE)
          ? DEFAULT_IMAGE
          : (tags[0] ?? '');
    // The profile chosen in the Resources section, else `small`, else the first.
    const preferred = this._preferredProfile();
    const chosen =
      this._profiles.find(p => p.name === preferred) ??
      this._profiles.find(p => p.name === 'small') ??
      this._profiles[0];
    this.profile = chosen?.name ?? '';
    this._loadErrors = errors;
    this._loading = false;
    this._changed.emit();
  }

  /**
   * The `POST /runs` body for the current values.
   */
  toRequest(): RunSubmit {
    const { values } = parseAll(this._params, this.texts);
    const notebook: NonNullable<RunSubmit['notebook']> = {
      path: this.path,
      params: values,
      files: parseGlobs(this.files),
      outputs: parseGlobs(this.outputs)
    };
    if (this.image) {
      notebook.image = this.image;
    }
    if (this.profile) {
      notebook.resources = { profile: this.profile };
    }
    return { notebook, experiment: this.experiment.trim(), cache: this.cache };
  }

  /**
   * Submit; on failure keep every value and expose the server's message.
   *
   * @returns the created run, or `null` when the form is invalid or the server refused it
   */
  async submit(): Promise<Run | null> {
    if (!this.valid || this._submitting) {
      this._changed.emit();
      return null;
    }
    this._submitting = true;
    this._serverError = null;
    this._changed.emit();
    try {
      return await this._fetch<Run>('runs', {
        method: 'POST',
        body: JSON.stringify(this.toRequest()),
        headers: { 'Content-Type': 'application/json' }
      });
    } catch (error) {
      this._serverError = error instanceof Error ? error.message : String(error);
      return null;
    } finally {
      this._submitting = false;
      this._changed.emit();
    }
  }

  private _changed = new Signal<this, void>(this);
  private _fetch: Fetcher;
  private _images: StepImage[] = [];
  private _loadErrors: string[] = [];
  private _loading = false;
  private _params: INotebookParam[] = [];
  private _preferredProfile: () => string;
  private _profiles: ResourceProfile[] = [];
  private _serverError: string | null = null;
  private _submitting = false;
}

export namespace SubmitModel {
  export interface IOptions {
    path: string;
    requestAPI: Fetcher;
    savedBeforeSubmit?: boolean;
    /**
     * The profile to preselect (the Resources section's choice), read when the form loads.
     */
    preferredProfile?: () => string;
  }
}
