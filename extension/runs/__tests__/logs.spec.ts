import { Signal } from '@lumino/signaling';

import type { ServerEvent } from '../../../schema/generated/api';
import type { ConnectionModel } from '../../core/connection';
import { LogSubscription } from '../logs';

/** A fake websocket channel: records what is sent, lets the test push events and reopen. */
function fakeChannel() {
  const owner = {};
  const events = new Signal<unknown, ServerEvent>(owner);
  const socketOpened = new Signal<unknown, void>(owner);
  const sent: ConnectionModel.ClientMessage[] = [];
  let open = true;
  return {
    sent,
    events,
    socketOpened,
    send(message: ConnectionModel.ClientMessage) {
      if (!open) {
        return false;
      }
      sent.push(message);
      return true;
    },
    drop() {
      open = false;
    },
    reopen() {
      open = true;
      socketOpened.emit();
    },
    log(from: number, lines: string[], attempt = 1, step = 'main', runId = 'r1') {
      events.emit({ type: 'log', runId, step, attempt, from, lines });
    }
  };
}

describe('LogSubscription', () => {
  it('subscribes from line 0 and appends lines as they arrive', () => {
    const channel = fakeChannel();
    const log = new LogSubscription({ channel, runId: 'r1', step: 'main' });
    expect(channel.sent).toEqual([{ type: 'subscribe-logs', runId: 'r1', step: 'main', from: 0 }]);
    channel.log(0, ['a', 'b']);
    channel.log(2, ['c']);
    expect(log.lines).toEqual(['a', 'b', 'c']);
    expect(log.next).toBe(3);
  });

  it('ignores other runs and steps', () => {
    const channel = fakeChannel();
    const log = new LogSubscription({ channel, runId: 'r1', step: 'main' });
    channel.log(0, ['x'], 1, 'other');
    channel.log(0, ['y'], 1, 'main', 'r2');
    expect(log.lines).toEqual([]);
  });

  it('resubscribes from the last line received after a reconnect, without duplicates', () => {
    const channel = fakeChannel();
    const log = new LogSubscription({ channel, runId: 'r1', step: 'main' });
    channel.log(0, ['a', 'b', 'c']);
    channel.drop();
    channel.reopen();
    expect(channel.sent[channel.sent.length - 1]).toEqual({
      type: 'subscribe-logs',
      runId: 'r1',
      step: 'main',
      from: 3
    });
    // The server replays an overlapping window: only the new lines count.
    channel.log(1, ['b', 'c', 'd', 'e']);
    channel.log(0, ['a']);
    expect(log.lines).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(log.next).toBe(5);
  });

  it('starts over for a new attempt, marking the boundary', () => {
    const channel = fakeChannel();
    const log = new LogSubscription({ channel, runId: 'r1', step: 'main' });
    channel.log(0, ['first try']);
    channel.log(0, ['second try'], 2);
    channel.log(0, ['late line of attempt 1'], 1);
    expect(log.lines).toEqual(['first try', '── attempt 2 ──', 'second try']);
    expect(log.attempt).toBe(2);
    expect(log.next).toBe(1);
  });

  it('keeps only the newest maxLines lines and counts the dropped ones', () => {
    const channel = fakeChannel();
    const log = new LogSubscription({ channel, runId: 'r1', step: 'main', maxLines: 3 });
    channel.log(0, ['1', '2', '3', '4', '5']);
    expect(log.lines).toEqual(['3', '4', '5']);
    expect(log.dropped).toBe(2);
    expect(log.next).toBe(5);
  });

  it('unsubscribes and stops listening when disposed', () => {
    const channel = fakeChannel();
    const log = new LogSubscription({ channel, runId: 'r1', step: 'main' });
    log.dispose();
    expect(channel.sent[channel.sent.length - 1]).toEqual({
      type: 'unsubscribe-logs',
      runId: 'r1',
      step: 'main'
    });
    const count = channel.sent.length;
    channel.reopen();
    channel.log(0, ['a']);
    expect(channel.sent.length).toBe(count);
    expect(log.lines).toEqual([]);
  });
});
