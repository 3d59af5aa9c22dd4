import type { TranslationBundle } from '@jupyterlab/translation';

import type {
  ImageDefault,
  ResourceProfile,
  StepImage,
  Workspace,
  WorkspaceCreate
} from '../../schema/generated/api';
import { imageRef } from '../images/group';
import type { Fetcher } from './model';

/** What the server allows (schema/api/workspace-create.json). */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const MAX_IDLE_MINUTES = 7 * 24 * 60;
export const DEFAULT_IDLE_MINUTES = 60;

/** The "Start workspace" form as typed. */
export interface IStartValues {
  name: string;
  image: string;
  profile: string;
  /** Idle timeout in minutes, as typed. */
  idleMinutes: string;
}

/** What the pickers offer: image refs (the Images section's refs) and resource profiles. */
export interface IStartChoices {
  images: string[];
  profiles: ResourceProfile[];
  /** The caller's default image (Images section), if it is offered. */
  defaultImage: string;
  /** Why a list could not be loaded (shown above the form). */
  errors: string[];
}

/**
 * Load the images and profiles the pickers offer, through the same endpoints as the Images and
 * Resources sections; each may fail alone.
 */
export async function loadChoices(fetch: Fetcher): Promise<IStartChoices> {
  const errors: string[] = [];
  const note = (what: string) => (error: unknown) => {
    errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  };
  const [images, profiles, chosen] = await Promise.all([
    fetch<StepImage[]>('images').catch(note('Images')),
    fetch<ResourceProfile[]>('profiles').catch(note('Profiles')),
    fetch<ImageDefault>('images/default').catch(() => null)
  ]);
  // Registry images by their ref, engine images by each of their tags (as the submit dialog).
  const refs = [
    ...new Set(
      (Array.isArray(images) ? images : []).flatMap(i =>
        i.source === 'registry' || i.tags.length === 0 ? [imageRef(i)] : i.tags
      )
    )
  ];
  const defaultRef = chosen?.ref ?? '';
  return {
    images: refs,
    profiles: Array.isArray(profiles) ? profiles : [],
    defaultImage: refs.includes(defaultRef) ? defaultRef : '',
    errors
  };
}

/** A free name like `workspace-2`, given the caller's workspaces. */
export function suggestName(existing: readonly Pick<Workspace, 'name'>[]): string {
  const taken = new Set(existing.map(w => w.name));
  for (let i = 1; ; i++) {
    const name = `workspace-${i}`;
    if (!taken.has(name)) {
      return name;
    }
  }
}

/** The image setup builds for workspaces (docs/dev/workspaces-contract.md). */
export const WORKSPACE_IMAGE = 'conveyor/workspace:dev';

/**
 * The form's first values: a free name, a workspace image (it must run JupyterLab: the one setup
 * builds, else another named like it, else the caller's default), the preferred profile.
 */
export function initialValues(
  choices: IStartChoices,
  existing: readonly Pick<Workspace, 'name'>[],
  preferredProfile = ''
): IStartValues {
  const profile =
    choices.profiles.find(p => p.name === preferredProfile) ??
    choices.profiles.find(p => p.name === 'small') ??
    choices.profiles[0];
  return {
    name: suggestName(existing),
    image:
      choices.images.find(i => i === WORKSPACE_IMAGE) ??
      choices.images.find(i => /(^|\/)workspace[^/]*:/.test(i)) ??
      (choices.defaultImage || choices.images[0] || ''),
    profile: profile?.name ?? '',
    idleMinutes: String(DEFAULT_IDLE_MINUTES)
  };
}

/** Why the form cannot be submitted, by field (empty when it can). */
export function startErrors(
  values: IStartValues,
  existing: readonly Pick<Workspace, 'name'>[],
  trans: TranslationBundle
): Partial<Record<keyof IStartValues, string>> {
  const errors: Partial<Record<keyof IStartValues, string>> = {};
  const name = values.name.trim();
  if (!NAME.test(name)) {
    errors.name = trans.__('1–63 letters, digits, ., _ and -, starting with a letter or digit');
  } else if (existing.some(w => w.name === name)) {
    errors.name = trans.__('You already have a workspace named %1', name);
  }
  if (!values.image.trim()) {
    errors.image = trans.__('Choose an image');
  }
  if (!values.profile.trim()) {
    errors.profile = trans.__('Choose a resource profile');
  }
  const minutes = Number(values.idleMinutes);
  if (!/^\d+$/.test(values.idleMinutes.trim()) || minutes < 1 || minutes > MAX_IDLE_MINUTES) {
    errors.idleMinutes = trans.__('Whole minutes from 1 to %1 (7 days)', MAX_IDLE_MINUTES);
  }
  return errors;
}

/** The `POST /workspaces` body for valid values. */
export function toCreateRequest(values: IStartValues): WorkspaceCreate {
  return {
    name: values.name.trim(),
    image: values.image.trim(),
    profile: values.profile.trim(),
    idleSeconds: Number(values.idleMinutes) * 60
  };
}

/** How long ago, compactly: `45s`, `12m`, `3h`, `2d`. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) {
    return `${s}s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)}m`;
  }
  if (s < 86400) {
    return `${Math.floor(s / 3600)}h`;
  }
  return `${Math.floor(s / 86400)}d`;
}

/** A cost in USD: `$0.42`; under a cent shows `<$0.01`. */
export function formatCost(usd: number): string {
  if (usd > 0 && usd < 0.005) {
    return '<$0.01';
  }
  return `$${usd.toFixed(2)}`;
}
