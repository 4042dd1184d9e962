'use client';
// The company's change notices (GET /api/v1/events, Server-Sent Events) read with fetch so the
// company header travels with it. Reconnects after 3 s; reports whether the stream is live.
import { useEffect, useRef, useState } from 'react';
import { apiHeaders } from './api';

export type LiveState = 'connecting' | 'live' | 'offline';

export function useLiveChanges(onChange: () => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const callback = useRef(onChange);
  callback.current = onChange;

  useEffect(() => {
    const abort = new AbortController();
    let retry: number | undefined;
    const connect = async () => {
      try {
        const res = await fetch('/api/v1/events', { headers: apiHeaders(), credentials: 'same-origin', signal: abort.signal });
        if (!res.ok || !res.body) throw new Error('events ' + res.status);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(message)?.[1];
            if (event === 'ready') {
              setState('live');
              callback.current(); // whatever changed while we were away
            } else if (event === 'change') {
              callback.current();
            }
          }
        }
        throw new Error('stream ended');
      } catch {
        if (abort.signal.aborted) return;
        setState('offline');
        retry = window.setTimeout(connect, 3000);
      }
    };
    void connect();
    return () => { abort.abort(); window.clearTimeout(retry); };
  }, []);
  return state;
}
