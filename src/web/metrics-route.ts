/** `/metrics` for Prometheus: the registry of one app instance in the text exposition format. */
import type { Registry } from 'prom-client';
import { requestUrl, sendPlain, sendText, type RouteHandler } from './http.js';

export function metricsHandler(registry: Registry): RouteHandler {
  return async (req, res) => {
    if (requestUrl(req).pathname !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendPlain(res, 405, 'GET only\n', { Allow: 'GET, HEAD' });
    return sendText(res, 200, registry.contentType, await registry.metrics());
  };
}
