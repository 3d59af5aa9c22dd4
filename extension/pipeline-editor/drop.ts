import type { ComponentEntry } from '../../schema/generated/api';

/** Lumino drag data of a component dragged from the Components panel: a ComponentEntry. */
export const COMPONENT_MIME = 'application/vnd.conveyor.component+json';

/** Lumino drag data of files dragged from the file browser: a list of paths. */
export const CONTENTS_MIME = 'application/x-jupyter-icontents';

/** What a drop onto the canvas adds. */
export type DropItem =
  | { kind: 'component'; entry: ComponentEntry }
  | { kind: 'notebook'; path: string }
  | { kind: 'unsupported'; path: string };

interface IMimeData {
  hasData(mime: string): boolean;
  getData(mime: string): unknown;
}

/** The items a Lumino drag carries that the canvas understands. */
export function dropItems(mime: IMimeData): DropItem[] {
  if (mime.hasData(COMPONENT_MIME)) {
    return [{ kind: 'component', entry: mime.getData(COMPONENT_MIME) as ComponentEntry }];
  }
  if (mime.hasData(CONTENTS_MIME)) {
    const paths = (mime.getData(CONTENTS_MIME) as string[] | string) ?? [];
    return (Array.isArray(paths) ? paths : [paths]).map(path =>
      /\.ipynb$/i.test(path) ? { kind: 'notebook', path: stripDrive(path) } : { kind: 'unsupported', path }
    );
  }
  return [];
}

/** `Drive:dir/nb.ipynb` → `dir/nb.ipynb` (the default drive has no prefix). */
function stripDrive(path: string): string {
  return path.replace(/^[^/:]+:/, '');
}
