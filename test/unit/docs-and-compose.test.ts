import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectRoot } from '../../platform/config';

const read = (file: string) => readFileSync(path.join(projectRoot, file), 'utf8');
const readme = read('README.md');
const documented = new Set([...readme.matchAll(/^\|\s*`([A-Z_]+)`\s*\|/gm)].map((m) => m[1]));
const readFromEnv = (source: string) =>
  [...source.matchAll(/(?:process\.env\.|(?:intFrom|nonEmpty)\(')([A-Z_]+)/g)].map((m) => m[1]);

describe('README and docker-compose.yml stay coherent with the code', () => {
  it('documents every environment variable the code reads', () => {
    const sources = [
      'platform/config.ts',
      'db/client.ts',
      'platform/bootstrap.ts',
      'api/main.ts',
      'worker/main.ts',
      'api/services/quotes.ts',
      'test/global-setup.ts',
    ];
    const used = new Set(
      sources.flatMap((f) => readFromEnv(read(f))).filter((v) => v !== 'PATH' && v !== 'NODE_ENV'),
    );
    expect([...used].filter((v) => !documented.has(v))).toEqual([]);
  });

  it('runs PostgreSQL, Temporal on PostgreSQL, the UI, the worker and the API, wired by documented variables', () => {
    const compose = parse(read('docker-compose.yml'), { merge: true });
    expect(Object.keys(compose.services).sort()).toEqual([
      'api',
      'grafana',
      'jaeger',
      'postgres',
      'prometheus',
      'temporal',
      'temporal-ui',
      'worker',
    ]);
    expect(compose.services.temporal.environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgres',
    });
    expect(compose.services['temporal-ui'].environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
    for (const name of ['worker', 'api']) {
      const service = compose.services[name];
      expect(service.command).toEqual(['npm', 'run', name]);
      expect(service.environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(service.environment.DATABASE_URL).toMatch(/@postgres:5432\//);
      for (const variable of Object.keys(service.environment))
        expect(documented, variable).toContain(variable);
    }
    // What watches it: Prometheus scrapes both, Grafana loads the committed dashboard, traces go to Jaeger.
    const scrape = parse(read('ops/prometheus/prometheus.yml'));
    const targets = scrape.scrape_configs.flatMap((c: { static_configs: { targets: string[] }[] }) =>
      c.static_configs.flatMap((t) => t.targets),
    );
    expect(targets).toEqual(['api:3000', `worker:${compose.services.worker.environment.METRICS_PORT}`]);
    expect(compose.services.api.environment.METRICS_PUBLIC).toBe('true');
    expect(compose.services.worker.environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger:4318');
    for (const volume of compose.services.grafana.volumes as string[]) {
      const [source] = volume.split(':');
      expect(existsSync(path.join(projectRoot, source)), source).toBe(true);
    }
    const dashboard = JSON.parse(read('ops/grafana/dashboards/order-orchestration.json'));
    const exprs = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) =>
      p.targets.map((t) => t.expr),
    );
    for (const metric of [
      'orders',
      'fallout_cases_open',
      'tasks_waiting',
      'orders_in_jeopardy',
      'tasks_in_jeopardy',
    ])
      expect(
        exprs.some((e: string) => e.includes(`(orchestration_${metric})`)),
        metric,
      ).toBe(true);
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.scripts.worker).toBeDefined();
    expect(pkg.scripts.api).toBeDefined();
  });

  it('names in .ci/run exactly the test command the README gives', () => {
    expect(readme).toContain(
      'npm test                # type-check, lint, workflow bundle check, and the whole test suite',
    );
    expect(read('.ci/run')).toMatch(/^npm test$/m);
  });
});
