import { Widget } from '@lumino/widgets';

import { ConveyorSidebar } from '../sidebar';

function section(label: string): Widget {
  const widget = new Widget();
  widget.title.label = label;
  return widget;
}

describe('ConveyorSidebar', () => {
  it('orders sections by rank whatever order features add them in', () => {
    const sidebar = new ConveyorSidebar();
    sidebar.addSection(section('Runs'), { rank: 100 });
    sidebar.addSection(section('Git'), { rank: 900 });
    sidebar.addSection(section('Status'), { rank: 0 });
    sidebar.addSection(section('Images'), { rank: 100 });
    expect(sidebar.widgets.map(w => w.title.label)).toEqual(['Status', 'Runs', 'Images', 'Git']);
    expect(sidebar.id).toBe('jp-conveyor-sidebar');
    expect(sidebar.title.caption).toBe('Conveyor');
    sidebar.dispose();
  });

  it('keeps ranking right after a section is disposed', () => {
    const sidebar = new ConveyorSidebar();
    const runs = section('Runs');
    sidebar.addSection(section('Status'), { rank: 0 });
    sidebar.addSection(runs, { rank: 100 });
    sidebar.addSection(section('Git'), { rank: 900 });
    runs.dispose();
    sidebar.addSection(section('Datasets'), { rank: 300 });
    expect(sidebar.widgets.map(w => w.title.label)).toEqual(['Status', 'Datasets', 'Git']);
    sidebar.dispose();
  });
});
