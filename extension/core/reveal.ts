import type { AccordionPanel, Widget } from '@lumino/widgets';

/**
 * Expand a section of the Conveyor sidebar (an accordion) and focus it.
 */
export function expandSection(section: Widget): void {
  const accordion = section.parent as AccordionPanel | null;
  const index = accordion?.widgets.indexOf(section) ?? -1;
  if (accordion && index >= 0 && typeof accordion.expand === 'function') {
    accordion.expand(index);
  }
}
