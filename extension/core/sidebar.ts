import type { ITranslator } from '@jupyterlab/translation';
import { nullTranslator } from '@jupyterlab/translation';
import { SidePanel } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { conveyorIcon } from './icons';
import type { IConveyorSidebar } from './tokens';

/**
 * The "Conveyor" panel in the left area: a header plus collapsible sections ordered by rank.
 */
export class ConveyorSidebar extends SidePanel implements IConveyorSidebar {
  constructor(options: ConveyorSidebar.IOptions = {}) {
    const translator = options.translator ?? nullTranslator;
    super({ translator });
    const trans = translator.load('jupyterlab_conveyor');
    this.id = ConveyorSidebar.ID;
    this.addClass('jp-Conveyor-sidebar');
    this.title.icon = conveyorIcon;
    this.title.caption = trans.__('Conveyor');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', trans.__('Conveyor'));

    const heading = new Widget({ node: document.createElement('h2') });
    heading.addClass('jp-Conveyor-sidebarTitle');
    heading.node.textContent = trans.__('Conveyor');
    this.header.addWidget(heading);
  }

  addSection(
    widget: Widget,
    options: IConveyorSidebar.ISectionOptions = {}
  ): void {
    const rank = options.rank ?? 100;
    // Insert after every section of lower or equal rank, so equal ranks keep their order.
    let index = this._ranks.findIndex(r => r > rank);
    if (index === -1) {
      index = this._ranks.length;
    }
    this._ranks.splice(index, 0, rank);
    this._sections.splice(index, 0, widget);
    widget.disposed.connect(this._onSectionDisposed, this);
    this.insertWidget(index, widget);
  }

  private _onSectionDisposed(sender: Widget): void {
    // The accordion has already dropped the widget; resync ranks with what is left.
    const index = this._sections.indexOf(sender);
    if (index !== -1) {
      this._sections.splice(index, 1);
      this._ranks.splice(index, 1);
    }
  }

  private _ranks: number[] = [];
  private _sections: Widget[] = [];
}

export namespace ConveyorSidebar {
  export const ID = 'jp-conveyor-sidebar';

  export interface IOptions {
    translator?: ITranslator;
  }
}
