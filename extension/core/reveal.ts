import type { AccordionPanel, Widget } from '@lumino/widgets';

/**
 * Expand a section of the Conveyor sidebar (an accordion). With `share`, the section also gets
 * that fraction of the sidebar's height (the other sections keep their proportions of the rest),
 * so a long list is not left in a thin strip.
 */
export function expandSection(section: Widget, options: { share?: number } = {}): void {
  const accordion = section.parent as AccordionPanel | null;
  const index = accordion?.widgets.indexOf(section) ?? -1;
  if (!accordion || index < 0 || typeof accordion.expand !== 'function') {
    return;
  }
  accordion.expand(index);
  const share = options.share;
  if (share === undefined) {
    return;
  }
  const sizes = accordion.relativeSizes();
  const others = sizes.reduce((sum, size, i) => (i === index ? sum : sum + size), 0);
  if (others > 0) {
    accordion.setRelativeSizes(sizes.map((size, i) => (i === index ? share : ((1 - share) * size) / others)));
  }
}
