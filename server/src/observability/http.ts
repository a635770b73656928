/**
 * Request ids and one log line per HTTP request. The id comes from `X-Request-Id` when a proxy
 * set a sane one, else it is minted here; it is echoed in the response so a user's report can be
 * matched to the line. Only method, path (never the query, which may hold a token), status and
 * duration are logged: no IP address, no headers.
 */
import type { MiddlewareHandler } from 'hono';

export interface RequestLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const INBOUND_ID = /^[\w.:-]{1,64}$/;
/** Scraped or probed every few seconds, or open for minutes: debug, so they do not drown the rest. */
const QUIET = new Set(['/healthz', '/readyz', '/metrics', '/admin/events']);

export function requestLog(log: RequestLog, newId: () => string = () => `r_${crypto.randomUUID()}`): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    const inbound = c.req.header('x-request-id');
    const reqId = inbound && INBOUND_ID.test(inbound) ? inbound : newId();
    await next();
    c.res.headers.set('X-Request-Id', reqId);
    const status = c.res.status;
    const line = {
      reqId,
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (c.error) log.error({ ...line, err: c.error.message }, 'request failed');
    else if (QUIET.has(c.req.path)) log.debug(line, 'request');
    else log.info(line, 'request');
  };
}
