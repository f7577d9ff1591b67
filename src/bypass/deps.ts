/** What every bypass entry point needs besides GitHub: the audit log, once-markers and the clock. */
import type { AuditReader, AuditSink } from '../audit/types.js';
import type { Clock } from '../util/clock.js';
import type { OnceMarkers } from './once.js';

export interface BypassDeps {
  audit: AuditSink & AuditReader;
  once: OnceMarkers;
  now: Clock;
}
