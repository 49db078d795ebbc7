import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import client from 'prom-client';
import type { ControlPlane } from '../control/index.js';
import type { TenantDbPool } from '../tenant/tenant-pool.js';
import { tenantDiskUsage } from '../tenant/quota.js';

/** Tenants whose quota use is exported; beyond this the gauge would be a scan per scrape. */
const QUOTA_GAUGE_MAX_TENANTS = 1000;

/** Tick of the event-loop delay sampler, ms. A delay is the time between two ticks: this much when idle. */
const EVENT_LOOP_RESOLUTION_MS = 10;

/**
 * The Prometheus metrics of one server, in their own registry so that several servers
 * (tests) in one process do not share counters. Pool and quota gauges are read when
 * scraped, not maintained.
 */
export class ServerMetrics {
  readonly registry = new client.Registry();
  readonly requests: client.Counter<'route' | 'method' | 'status'>;
  readonly latency: client.Histogram<'route' | 'method'>;
  readonly rateLimitHits: client.Counter<'scope'>;
  readonly toolCalls: client.Counter<'tool' | 'status'>;
  readonly quotaExceeded: client.Counter;
  /** Event-loop delay since this server started; never reset (see the constructor). */
  private readonly eventLoopDelay: IntervalHistogram;

  constructor(deps: { pool: TenantDbPool; control: ControlPlane }) {
    const registers = [this.registry];
    this.requests = new client.Counter({ name: 'pctx_http_requests_total', help: 'HTTP requests answered, by route and status', labelNames: ['route', 'method', 'status'], registers });
    this.latency = new client.Histogram({
      name: 'pctx_http_request_duration_seconds',
      help: 'Time from request to answer, by route',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers,
    });
    this.rateLimitHits = new client.Counter({ name: 'pctx_rate_limit_hits_total', help: 'Requests refused with 429, by bucket kind (tenant or ip)', labelNames: ['scope'], registers });
    this.toolCalls = new client.Counter({ name: 'pctx_mcp_tool_calls_total', help: 'MCP tool calls, by tool and outcome', labelNames: ['tool', 'status'], registers });
    this.quotaExceeded = new client.Counter({ name: 'pctx_quota_exceeded_total', help: 'Operations refused because a tenant was over its storage quota', registers });
    const poolGauge = (name: string, help: string, read: (m: ReturnType<TenantDbPool['metrics']>) => number) =>
      new client.Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(deps.pool.metrics()));
        },
      });
    poolGauge('pctx_pool_open_handles', 'Open tenant database handles', (m) => m.open);
    poolGauge('pctx_pool_leased_handles', 'Tenant handles in use by a request', (m) => m.leased);
    poolGauge('pctx_pool_max_handles', 'Most idle tenant handles kept open', (m) => m.maxHandles);
    poolGauge('pctx_pool_vector_indexes_loaded', 'HNSW indexes in memory', (m) => m.vectorIndexesLoaded);
    poolGauge('pctx_pool_hits_total', 'Tenant acquisitions served by an open handle', (m) => m.hits);
    poolGauge('pctx_pool_misses_total', 'Tenant acquisitions that opened a database', (m) => m.misses);
    poolGauge('pctx_pool_evictions_total', 'Tenant handles closed by the cache', (m) => m.evictions);
    poolGauge('pctx_pool_shed_total', 'Idle tenant handles closed early because the process ran out of file descriptors', (m) => m.shed);
    new client.Gauge({
      name: 'pctx_tenant_quota_used_ratio',
      help: `Storage used / quota, for tenants with a quota (first ${QUOTA_GAUGE_MAX_TENANTS})`,
      labelNames: ['tenant'],
      registers,
      collect() {
        this.reset();
        let n = 0;
        for (const tenant of deps.control.tenants.list()) {
          if (tenant.quotaBytes === null || tenant.status !== 'active') continue;
          if (++n > QUOTA_GAUGE_MAX_TENANTS) break;
          this.set({ tenant: tenant.id }, tenantDiskUsage(deps.pool.paths(tenant.id)) / tenant.quotaBytes);
        }
      },
    });
    // A serving thread held up — a long synchronous statement, CPU-bound work on the event
    // loop — shows as the sampler's ticks arriving late; every request waits as long.
    // Cumulative since start, never reset by a scrape, so several scrapers (Prometheus, a
    // soak script reading once at the end) see the same figures. prom-client's
    // pctx_process_nodejs_eventloop_lag_*_seconds are the same measure reset at each scrape.
    this.eventLoopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    this.eventLoopDelay.enable();
    const delay = this.eventLoopDelay;
    const delayGauge = (name: string, help: string, read: () => number) =>
      new client.Gauge({
        name,
        help,
        registers,
        collect() {
          // An empty histogram reports nonsense percentiles: nothing measured is 0.
          this.set(delay.count === 0 ? 0 : read() / 1e9);
        },
      });
    delayGauge('pctx_event_loop_delay_max_seconds', 'Longest event-loop delay since the server started', () => delay.max);
    delayGauge('pctx_event_loop_delay_p99_seconds', '99th percentile of event-loop delay since the server started', () => delay.percentile(99));
    delayGauge('pctx_event_loop_delay_p50_seconds', 'Median event-loop delay since the server started', () => delay.percentile(50));
    client.collectDefaultMetrics({ register: this.registry, prefix: 'pctx_process_' });
  }

  /** Stops the event-loop delay sampler. Called when the server closes; calling it again does nothing. */
  close(): void {
    this.eventLoopDelay.disable();
  }
}
