import {
  ILayoutRestorer,
  IRouter,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Clipboard,
  ICommandPalette,
  Notification,
  showErrorMessage,
  WidgetTracker
} from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';

import type { ExperimentList, ExperimentSummary } from '../../schema/generated/api';
import { CommandIDs } from '../core/commands';
import { expandSection } from '../core/reveal';
import { IConveyor } from '../core/tokens';
import { ComparisonModel } from './comparison';
import { ExperimentListModel, ExperimentsSection } from './list';
import { ExperimentsModel } from './model';
import { fetchExperimentName, missingNames, writesExperiments } from './shared';
import { ModelListModel, ModelsSection } from './models';
import { diffNotebooks, renderCandidates } from './hosted';
import {
  decodeViewState,
  emptyViewState,
  encodeViewState,
  LINK_PARAM,
  viewLink,
  viewStateFromSearch,
  type ViewState
} from './viewstate';
import { ExperimentsWidget } from './widget';

const PLUGIN_ID = 'jupyterlab-conveyor:experiments';

/**
 * The "Experiments" sidebar section, the main-area Experiments view (virtualised runs table,
 * filter/sort/group/columns, charts, candidates, notebook diff) and its shareable link.
 */
export const experimentsPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Compares tracked runs of one or several experiments.',
  autoStart: true,
  requires: [IConveyor],
  optional: [ITranslator, ICommandPalette, ILayoutRestorer, ISettingRegistry, IRouter],
  activate: (
    app: JupyterFrontEnd,
    conveyor: IConveyor,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    router: IRouter | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_conveyor');
    const { commands } = app;
    const request = conveyor.requestAPI;
    const settings = { pageSize: 200, defaultColumns: [] as string[] };
    const list = new ExperimentListModel({ requestAPI: request, autoStart: false });
    void app.restored.then(() => list.start());
    const tracker = new WidgetTracker<ExperimentsWidget>({ namespace: 'conveyor-experiments' });
    const me = () => conveyor.connection.status?.user.name ?? null;
    // The caller's experiments (owners: who may mark candidates), also while the section is hidden
    // and its list stands by; names of others' experiments opened through a comparison link.
    const known = new Map<string, ExperimentSummary>();
    const otherNames = new Map<string, string>();
    const names = () => new Map([...otherNames, ...[...known.values()].map(e => [e.id, e.name] as [string, string]), ...list.names]);
    const learn = async (ids: readonly string[]) => {
      try {
        (await request<ExperimentList>('experiments')).experiments.forEach(e => known.set(e.id, e));
      } catch {
        // The list's own poll reports the server's error.
      }
      const missing = missingNames(ids, names());
      const found = await Promise.all(missing.map(id => fetchExperimentName(id, conveyor.serverSettings)));
      missing.forEach((id, i) => found[i] !== null && otherNames.set(id, found[i]!));
      tracker.forEach(w => (w.names = names()));
    };

    const copyLink = (widget: ExperimentsWidget) => {
      const labUrl = URLExt.join(PageConfig.getBaseUrl(), PageConfig.getOption('appUrl') || 'lab');
      const link = viewLink(labUrl, widget.model.viewState);
      Clipboard.copyToSystem(link);
      Notification.info(trans.__('Link to this view copied'), { autoClose: 3000 });
      return link;
    };

    const open = (state: ViewState): ExperimentsWidget => {
      // The same view opened twice (a link to a view already restored) is shown once.
      const key = encodeViewState(state);
      const same = tracker.find(w => encodeViewState(w.model.viewState) === key);
      if (same) {
        app.shell.activateById(same.id);
        return same;
      }
      const model = new ExperimentsModel({
        requestAPI: request,
        state,
        pageSize: settings.pageSize,
        defaultColumns: settings.defaultColumns
      });
      const comparison = new ComparisonModel(request);
      const widget: ExperimentsWidget = new ExperimentsWidget({
        model,
        comparison,
        trans,
        names: names(),
        canMark: ids => writesExperiments(ids, [...known.values()], me()),
        renderCandidates: runs => renderCandidates(runs, trans),
        shareAction: ids => {
          // A comparison link: every experiment must be the caller's (the server checks too).
          const owners = new Set(ids.map(id => list.experiments.find(e => e.id === id)?.owner ?? ''));
          const experiments = ids.map(Number).filter(Number.isInteger);
          const owner = owners.size === 1 ? [...owners][0] : '';
          const args = {
            kind: 'comparison',
            target: { experiments },
            label: ids.map(id => names().get(id) ?? id).join(', '),
            owner
          };
          if (!experiments.length || experiments.length !== ids.length || !commands.isVisible(CommandIDs.share, args)) {
            return null;
          }
          return () => void commands.execute(CommandIDs.share, args);
        },
        actions: {
          onCopyLink: () => void copyLink(widget),
          onRefresh: () => {
            comparison.clear();
            void model.reload();
          },
          onMarkCandidate: candidate =>
            void model.markCandidate([...model.selected], candidate).then(
              () => comparison.clear(),
              error => showErrorMessage(trans.__('Could not mark the runs'), error as Error)
            ),
          onDiff: () => {
            const [a, b] = model.selected;
            if (a && b) {
              void diffNotebooks(app, request, a, b, trans);
            }
          }
        }
      });
      model.stateChanged.connect(() => void tracker.save(widget));
      void tracker.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      void model.reload();
      void learn(state.experimentIds);
      return widget;
    };

    const section = new ExperimentsSection({
      model: list,
      trans,
      onOpen: experimentIds => void commands.execute(CommandIDs.openExperiments, { experimentIds })
    });
    conveyor.sidebar.addSection(section, { rank: 150 });
    const models = new ModelListModel({ requestAPI: request, autoStart: false });
    void app.restored.then(() => models.start());
    conveyor.sidebar.addSection(
      new ModelsSection({
        model: models,
        trans,
        onOpenRun: (experimentId, runId) => {
          // The run's experiment, with the run selected and its details open.
          const widget = open({ ...emptyViewState([experimentId]), selected: [runId] });
          widget.model.openDetail(runId);
        }
      }),
      { rank: 151 }
    );
    list.changed.connect(() => {
      list.experiments.forEach(e => known.set(e.id, e));
      const current = names();
      tracker.forEach(w => (w.names = current));
    });

    commands.addCommand(CommandIDs.showExperiments, {
      label: trans.__('Show Experiments'),
      caption: trans.__('Tracked runs by experiment'),
      execute: () => {
        app.shell.activateById(conveyor.sidebar.id);
        expandSection(section);
        void list.refresh();
      }
    });
    commands.addCommand(CommandIDs.refreshExperiments, {
      label: trans.__('Refresh Experiments'),
      icon: refreshIcon,
      execute: () => list.refresh()
    });
    commands.addCommand(CommandIDs.openExperiments, {
      label: trans.__('Compare Experiments'),
      caption: trans.__('Open the runs of the checked experiments'),
      isEnabled: args => !!args.state || !!(args.experimentIds as string[] | undefined)?.length || list.checked.length > 0,
      execute: args => {
        const state =
          typeof args.state === 'string'
            ? decodeViewState(args.state)
            : emptyViewState((args.experimentIds as string[] | undefined) ?? [...list.checked]);
        if (!state || state.experimentIds.length === 0) {
          return;
        }
        return open(state);
      }
    });
    commands.addCommand(CommandIDs.openExperimentsLink, {
      label: trans.__('Open Experiments Link'),
      execute: args => {
        const search = typeof args.search === 'string' ? args.search : window.location.search;
        const state = viewStateFromSearch(search);
        // Drop the parameter so a reload does not open the view twice.
        const url = new URL(window.location.href);
        url.searchParams.delete(LINK_PARAM);
        window.history.replaceState(window.history.state, '', url.toString());
        if (!state) {
          Notification.warning(trans.__('This Experiments link is damaged; nothing to open.'), {
            autoClose: 5000
          });
          return;
        }
        // The layout restorer waits for routing to finish: open once the app has restored,
        // without holding the router up.
        void app.restored.then(() => {
          void list.refresh();
          open(state);
        });
      }
    });
    commands.addCommand(CommandIDs.copyExperimentsLink, {
      label: trans.__('Copy Link to Experiments View'),
      isEnabled: () => !!tracker.currentWidget,
      execute: () => (tracker.currentWidget ? copyLink(tracker.currentWidget) : undefined)
    });

    if (router) {
      router.register({
        command: CommandIDs.openExperimentsLink,
        pattern: new RegExp(`[?&]${LINK_PARAM}=`),
        rank: 20
      });
    } else if (viewStateFromSearch(window.location.search)) {
      void app.restored.then(() => commands.execute(CommandIDs.openExperimentsLink, {}));
    }

    if (palette) {
      const category = trans.__('Conveyor');
      palette.addItem({ command: CommandIDs.showExperiments, category });
      palette.addItem({ command: CommandIDs.refreshExperiments, category });
      palette.addItem({ command: CommandIDs.copyExperimentsLink, category });
    }
    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openExperiments,
        args: w => ({ state: encodeViewState(w.model.viewState) }),
        name: w => w.id
      });
    }

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(loaded => {
          const apply = () => {
            settings.pageSize = Math.max(50, Math.min(1000, loaded.get('pageSize').composite as number));
            settings.defaultColumns = (loaded.get('defaultColumns').composite as string[]) ?? [];
          };
          apply();
          loaded.changed.connect(apply);
        })
        .catch(reason => {
          console.warn(`Failed to load settings for ${PLUGIN_ID}.`, reason);
        });
    }
  }
};
