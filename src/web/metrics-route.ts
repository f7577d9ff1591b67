/** `/metrics` for Prometheus: the registry of one app instance in the text exposition format. */
import type { Registry } from 'prom-client';
import { requestUrl, sendText, type RouteHandler } from './http.js';

export function metricsHandler(registry: Registry): RouteHandler {
  return async (req, res) => {
    if (requestUrl(req).pathname !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'text/plain; charset=utf-8', 'GET only\n', { Allow: 'GET, HEAD' });
    return sendText(res, 200, registry.contentType, await registry.metrics());
  };
}
