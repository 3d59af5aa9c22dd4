import { MimeData } from '@lumino/coreutils';
import { Drag } from '@lumino/dragdrop';

import type { ComponentEntry } from '../../schema/generated/api';
import { COMPONENT_MIME } from '../pipeline-editor/drop';

const THRESHOLD = 5;

/**
 * Make a list row draggable onto the pipeline canvas as a Lumino drag (the same mechanism the
 * file browser uses for notebooks): call from the row's pointerdown.
 */
export function startComponentDrag(event: React.PointerEvent<HTMLElement>, entry: ComponentEntry): void {
  if (event.button !== 0) {
    return;
  }
  const x0 = event.clientX;
  const y0 = event.clientY;
  const source = event.currentTarget;
  const move = (e: PointerEvent) => {
    if (Math.abs(e.clientX - x0) + Math.abs(e.clientY - y0) < THRESHOLD) {
      return;
    }
    cleanup();
    const image = document.createElement('div');
    image.className = 'jp-Conveyor-componentDragImage';
    image.textContent = entry.ref;
    const drag = new Drag({
      mimeData: makeMime(entry),
      dragImage: image,
      proposedAction: 'copy',
      supportedActions: 'copy',
      source
    });
    void drag.start(e.clientX, e.clientY);
  };
  const cleanup = () => {
    document.removeEventListener('pointermove', move, true);
    document.removeEventListener('pointerup', cleanup, true);
  };
  document.addEventListener('pointermove', move, true);
  document.addEventListener('pointerup', cleanup, true);
}

function makeMime(entry: ComponentEntry): MimeData {
  const mime = new MimeData();
  mime.setData(COMPONENT_MIME, entry);
  return mime;
}
