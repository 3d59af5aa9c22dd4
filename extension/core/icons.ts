import { LabIcon } from '@jupyterlab/ui-components';

// A belt on two rollers carrying two boxes; currentColor follows the theme.
const conveyorSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="currentColor">
    <rect x="4" y="5" width="6" height="6" rx="1"/>
    <rect x="13" y="7" width="5" height="4" rx="1"/>
    <path d="M5 13h14a3.5 3.5 0 0 1 0 7H5a3.5 3.5 0 0 1 0-7zm0 1.8a1.7 1.7 0 1 0 0 3.4h14a1.7 1.7 0 1 0 0-3.4z" fill-rule="evenodd"/>
    <circle cx="5" cy="16.5" r="1"/>
    <circle cx="12" cy="16.5" r="1"/>
    <circle cx="19" cy="16.5" r="1"/>
  </g>
</svg>`;

export const conveyorIcon = new LabIcon({
  name: 'jupyterlab-conveyor:conveyor',
  svgstr: conveyorSvg
});
