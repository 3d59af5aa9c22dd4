import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import React, { useLayoutEffect, useRef } from 'react';

import { stripAnsi } from './format';
import type { LogSubscription } from './logs';

/** Lines rendered at most; older ones stay in memory (up to the subscription's cap). */
export const RENDERED_LINES = 2000;

/**
 * A step's live log. Follows the end unless the user scrolled up; renders the last
 * RENDERED_LINES lines so very long logs stay fast.
 */
export function LogView({
  log,
  trans,
  downloadUrl
}: {
  log: LogSubscription;
  trans: TranslationBundle;
  downloadUrl: string;
}): JSX.Element {
  return (
    <UseSignal signal={log.changed} initialSender={log}>
      {() => <LogLines log={log} trans={trans} downloadUrl={downloadUrl} />}
    </UseSignal>
  );
}

function LogLines({
  log,
  trans,
  downloadUrl
}: {
  log: LogSubscription;
  trans: TranslationBundle;
  downloadUrl: string;
}): JSX.Element {
  const ref = useRef<HTMLPreElement>(null);
  const follow = useRef(true);
  const lines = log.lines;
  const hidden = log.dropped + Math.max(0, lines.length - RENDERED_LINES);
  const shown = lines.length > RENDERED_LINES ? lines.slice(-RENDERED_LINES) : lines;

  useLayoutEffect(() => {
    const node = ref.current;
    if (node && follow.current) {
      node.scrollTop = node.scrollHeight;
    }
  });
  const onScroll = () => {
    const node = ref.current;
    if (node) {
      follow.current = node.scrollHeight - node.scrollTop - node.clientHeight < 24;
    }
  };

  return (
    <div className="jp-Conveyor-log">
      {hidden > 0 && (
        <p className="jp-Conveyor-placeholder">
          {trans.__('%1 earlier lines not shown — ', hidden)}
          <a href={downloadUrl} target="_blank" rel="noreferrer">
            {trans.__('open the full log')}
          </a>
        </p>
      )}
      <pre
        ref={ref}
        className="jp-Conveyor-logLines"
        onScroll={onScroll}
        tabIndex={0}
        role="log"
        aria-live="off"
        aria-label={trans.__('Log of step %1', log.step)}
        data-testid="conveyor-step-log"
      >
        {shown.length === 0
          ? trans.__('(no output yet)')
          : shown.map(line => stripAnsi(line)).join('\n')}
      </pre>
    </div>
  );
}
