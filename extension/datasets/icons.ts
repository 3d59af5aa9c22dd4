import { LabIcon } from '@jupyterlab/ui-components';

/** A padlock: a blinded version (currentColor follows the theme). */
export const lockIcon = new LabIcon({
  name: 'jupyterlab-conveyor:lock',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <path class="jp-icon3" fill="currentColor" d="M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5zm-3 8V7a3 3 0 0 1 6 0v3zm3 3.5a1.5 1.5 0 0 1 .8 2.8V18h-1.6v-1.7a1.5 1.5 0 0 1 .8-2.8z"/>
</svg>`
});

/** A stack of discs: datasets. */
export const datasetIcon = new LabIcon({
  name: 'jupyterlab-conveyor:dataset',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="currentColor">
    <ellipse cx="12" cy="5.5" rx="7.5" ry="3"/>
    <path d="M4.5 8.2v4.3c0 1.7 3.4 3 7.5 3s7.5-1.3 7.5-3V8.2c-1.4 1.4-4.3 2.1-7.5 2.1S5.9 9.6 4.5 8.2z"/>
    <path d="M4.5 14.7V19c0 1.7 3.4 3 7.5 3s7.5-1.3 7.5-3v-4.3c-1.4 1.4-4.3 2.1-7.5 2.1s-6.1-.7-7.5-2.1z"/>
  </g>
</svg>`
});

/** A price tag: tag a version. */
export const tagVersionIcon = new LabIcon({
  name: 'jupyterlab-conveyor:tag-version',
  svgstr: `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <path class="jp-icon3" fill="currentColor" fill-rule="evenodd" d="M3 4a1 1 0 0 1 1-1h7.2a1 1 0 0 1 .7.3l8.8 8.8a1 1 0 0 1 0 1.4l-7.2 7.2a1 1 0 0 1-1.4 0L3.3 11.9a1 1 0 0 1-.3-.7zm4.5 5a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z"/>
</svg>`
});
