import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** One registry per process: every server of the process reports into it. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const httpRequests = new Counter({
  name: 'caducee_http_requests_total',
  help: 'HTTP requests answered, by service, method, route and status',
  labelNames: ['service', 'method', 'route', 'status'],
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'caducee_http_request_duration_seconds',
  help: 'Time to answer an HTTP request',
  labelNames: ['service', 'method', 'route'],
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});
