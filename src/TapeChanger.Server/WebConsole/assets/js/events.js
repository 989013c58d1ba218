// The service's event stream (/api/v1/events, server-sent events) read through fetch: EventSource cannot send the
// Authorization header. Reconnects with a growing pause; onState tells the header what the link is doing.

import { token } from './api.js';

export function connectEvents({ library, onEvent, onState }) {
  const ctl = new AbortController();
  let pause = 500;

  async function run() {
    while (!ctl.signal.aborted) {
      try {
        const res = await fetch(`/api/v1/events?library=${encodeURIComponent(library)}`, {
          headers: { Authorization: `Bearer ${token.get()}`, Accept: 'text/event-stream' },
          signal: ctl.signal,
        });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        onState('live', pause > 500);
        pause = 500;
        await read(res.body.getReader());
      } catch (e) {
        if (ctl.signal.aborted) return;
        onState('reconnecting', false);
      }
      if (ctl.signal.aborted) return;
      onState('reconnecting', false);
      await new Promise(r => setTimeout(r, pause));
      pause = Math.min(pause * 2, 10000);
    }
  }

  async function read(reader) {
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        let name = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) name = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length === 0) continue;
        try {
          onEvent(name, JSON.parse(data.join('\n')));
        } catch (e) {
          console.warn('event not understood', name, e);
        }
      }
    }
  }

  run();
  return () => ctl.abort();
}
