/**
 * Synthesis benchmark (`npm run bench`; `npm run bench -- --quick` or BENCH_QUICK=1 for a short run).
 *
 * Compares the library with its floor: the very same Kubernetes objects declared as plain cdk8s `ApiObject`s
 * (the "raw twin"). At startup the synthesized YAML of both is asserted byte-identical, so the ratio is honest.
 *
 * Layouts:
 *   - one chart:        N `IstioCanary` in one `Chart`                    vs N raw groups in one `Chart`
 *   - chart per service: N `IstioCanaryChart` in one `App`                  vs N raw `Chart`s in one `App`
 *
 * Every measurement builds the constructs (`new ...`) and synthesizes them in memory with `app.synthYaml()`
 * (no files are written). Timing runs in a fresh process per layout, library and raw alternating, several runs, medians.
 * Peak memory is measured in a fresh child process per mode and N (`--child <mode> <n>`), reading maxRSS.
 *
 * Profile one mode: `node --cpu-prof -r ts-node/register scripts/bench.ts --child library 4000`
 * (with TS_NODE_PROJECT=test/tsconfig.json TS_NODE_TRANSPILE_ONLY=1), then `scripts/cpuprofile-summary.ts`.
 */
import { execFileSync } from 'child_process';
import { cpus } from 'os';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { AppPerChart, IstioCanary, IstioCanaryChart, IstioCanaryProps, SidecarInjection } from '../src';

// ---------------------------------------------------------------------------------------------------------------
// The workload: service i, with every optional object (Namespace, Gateway, ingress VirtualService).

export function canaryProps(i: number): IstioCanaryProps {
  const name = `svc-${i}`;
  return {
    name,
    namespace: `ns-${i}`,
    port: 8080,
    stable: { version: 'v1', image: `registry.example.com/${name}:1.0.0` },
    canary: { version: 'v2', image: `registry.example.com/${name}:1.1.0` },
    canaryWeight: 10,
    gateway: { hosts: [`${name}.example.com`] },
    sidecarInjection: SidecarInjection.enabled(),
  };
}

/** The raw twin of `new IstioCanary(scope, name, canaryProps(i))`: the same objects, in the same order. */
function declareRaw(scope: Construct, i: number, id = `svc-${i}`): void {
  const name = `svc-${i}`;
  const ns = `ns-${i}`;
  const host = `${name}.${ns}.svc.cluster.local`;
  const group = new Construct(scope, id);

  const namespace = new ApiObject(group, 'Namespace', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns, labels: { 'istio-injection': 'enabled' } },
    spec: {},
  });
  // A namespaced chart stamps its namespace on every object; a Namespace object must not carry one.
  if (Chart.of(group).namespace) namespace.addJsonPatch(JsonPatch.remove('/metadata/namespace'));

  const deployment = (objectId: string, version: string, image: string) => {
    const selector = { app: name, version };
    return new ApiObject(group, objectId, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `${name}-${version}`, namespace: ns, labels: selector },
      spec: {
        minReadySeconds: 0,
        progressDeadlineSeconds: 600,
        replicas: 1,
        selector: { matchLabels: selector },
        strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 }, type: 'RollingUpdate' },
        template: {
          metadata: { labels: selector },
          spec: {
            automountServiceAccountToken: false,
            containers: [{
              image,
              imagePullPolicy: 'IfNotPresent',
              name: 'app',
              ports: [{ containerPort: 8080, name: 'http' }],
              readinessProbe: { failureThreshold: 3, tcpSocket: { port: 8080 } },
              resources: { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: false, runAsNonRoot: false,
              },
            }],
            dnsPolicy: 'ClusterFirst',
            hostNetwork: false,
            restartPolicy: 'Always',
            securityContext: { fsGroupChangePolicy: 'Always', runAsNonRoot: false },
            setHostnameAsFQDN: false,
            terminationGracePeriodSeconds: 30,
          },
        },
      },
    });
  };
  const stable = deployment('Stable', 'v1', `registry.example.com/${name}:1.0.0`);
  const canary = deployment('Canary', 'v2', `registry.example.com/${name}:1.1.0`);

  const service = new ApiObject(group, 'Service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      ports: [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 8080 }],
      selector: { app: name },
      type: 'ClusterIP',
    },
  });

  const http = [{
    name: 'weighted',
    route: [
      { destination: { host, subset: 'v1' }, weight: 90 },
      { destination: { host, subset: 'v2' }, weight: 10 },
    ],
  }];
  const destinationRule = new ApiObject(group, 'DestinationRule', {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name, namespace: ns },
    spec: {
      host,
      subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }],
    },
  });
  const virtualService = new ApiObject(group, 'VirtualService', {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: ns },
    spec: { hosts: [host], gateways: ['mesh'], http },
  });
  const gateway = new ApiObject(group, 'Gateway', {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: `${name}-gateway`, namespace: ns },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [`${name}.example.com`] }],
    },
  });
  const ingressVirtualService = new ApiObject(group, 'IngressVirtualService', {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: `${name}-ingress`, namespace: ns },
    spec: { hosts: [`${name}.example.com`], gateways: [`${ns}/${name}-gateway`], http },
  });

  for (const obj of [stable, canary, service, destinationRule, virtualService, gateway, ingressVirtualService]) {
    obj.addDependency(namespace);
  }
  virtualService.addDependency(destinationRule);
  ingressVirtualService.addDependency(destinationRule);
}

// ---------------------------------------------------------------------------------------------------------------
// Modes: how N services are declared. Each returns the app(s), ready for synthesis.

export type Mode = 'library' | 'raw' | 'library-charts' | 'raw-charts' | 'library-apps' | 'raw-apps';
export const MODES: Record<Mode, (n: number) => { synthYaml(): string }> = {
  'library': n => {
    const app = new App();
    const chart = new Chart(app, 'canaries');
    for (let i = 0; i < n; i++) new IstioCanary(chart, `svc-${i}`, canaryProps(i));
    return app;
  },
  'raw': n => {
    const app = new App();
    const chart = new Chart(app, 'canaries');
    for (let i = 0; i < n; i++) declareRaw(chart, i);
    return app;
  },
  'library-charts': n => {
    const app = new App();
    for (let i = 0; i < n; i++) new IstioCanaryChart(app, `svc-${i}`, canaryProps(i));
    return app;
  },
  'raw-charts': n => {
    const app = new App();
    for (let i = 0; i < n; i++) {
      // IstioCanaryChart holds its canary as `Canary`; the raw group takes that id, so that paths (and hashes) agree.
      declareRaw(new Chart(app, `svc-${i}`, { namespace: `ns-${i}` }), i, 'Canary');
    }
    return app;
  },
  // chart per service, each chart in an app of its own (AppPerChart)
  'library-apps': n => {
    const apps = new AppPerChart();
    for (let i = 0; i < n; i++) new IstioCanaryChart(apps.newApp(), `svc-${i}`, canaryProps(i));
    return apps;
  },
  'raw-apps': n => {
    const apps = new AppPerChart();
    for (let i = 0; i < n; i++) declareRaw(new Chart(apps.newApp(), `svc-${i}`, { namespace: `ns-${i}` }), i, 'Canary');
    return apps;
  },
};

interface Sample {
  /** Wall-clock time of construction plus synthesis. */
  readonly wallMs: number;
  /** CPU time (user + system, all threads of this process) of the same: less disturbed by other processes. */
  readonly cpuMs: number;
  readonly constructMs: number;
  readonly synthMs: number;
  readonly bytes: number;
}

function measure(mode: Mode, n: number): Sample {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const app = MODES[mode](n);
  const t1 = process.hrtime.bigint();
  const yaml = app.synthYaml();
  const t2 = process.hrtime.bigint();
  const c = process.cpuUsage(c0);
  const ms = (a: bigint, b: bigint) => Number(b - a) / 1e6;
  return {
    wallMs: ms(t0, t2), cpuMs: (c.user + c.system) / 1000, constructMs: ms(t0, t1), synthMs: ms(t1, t2), bytes: yaml.length,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Plumbing.

const gc: () => void = (() => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
})();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x: number, digits = 1) => x.toFixed(digits);
const mb = (bytes: number) => bytes / 1024 / 1024;

/** Child: one mode at one N after a small warm-up; prints times and peak memory as JSON. */
function child(mode: Mode, n: number): void {
  measure(mode, Math.min(n, 20));
  gc();
  const baseRss = process.memoryUsage().rss;
  const sample = measure(mode, n);
  const maxRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ ...sample, baseRssMb: mb(baseRss), maxRssMb: mb(maxRss) }) + '\n');
}

/** Runs this script in a fresh node process with `args`; its last line of stdout is JSON. Progress goes to stderr. */
function spawnSelf<T>(args: string[]): T {
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register', __filename, ...args], {
    env: { ...process.env, TS_NODE_PROJECT: 'test/tsconfig.json', TS_NODE_TRANSPILE_ONLY: '1' },
    encoding: 'utf-8',
    maxBuffer: 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

function spawnChild(mode: Mode, n: number): Sample & { baseRssMb: number; maxRssMb: number } {
  return spawnSelf(['--child', mode, String(n)]);
}

/** The library and its raw twin must synthesize byte-identical YAML, or the comparison means nothing. */
function assertTwins(): void {
  const pairs = [['library', 'raw'], ['library-charts', 'raw-charts'], ['library-apps', 'raw-apps'], ['library-apps', 'library-charts']] as const;
  for (const [lib, raw] of pairs) {
    const a = MODES[lib](3).synthYaml();
    const b = MODES[raw](3).synthYaml();
    if (a !== b) {
      throw new Error(`${lib} and ${raw} synthesize different YAML:\n--- ${lib}\n${a}\n--- ${raw}\n${b}`);
    }
  }
  console.log('twin check: library and raw synthesize byte-identical YAML in every layout; so do AppPerChart and a shared App');
}

interface Row {
  layout: string;
  n: number;
  /** Median CPU ms. */
  lib: number;
  raw: number;
  /** Median wall ms. */
  libWall: number;
  rawWall: number;
  libMem?: number;
  rawMem?: number;
}

function timeLayout(layout: string, lib: Mode, raw: Mode, ns: number[], runsAt: (n: number) => number): Row[] {
  const rows: Row[] = [];
  // warm up the JIT on both paths before the first measured run
  measure(lib, Math.min(ns[0], 50));
  measure(raw, Math.min(ns[0], 50));
  for (const n of ns) {
    const samples: Record<string, Sample[]> = { [lib]: [], [raw]: [] };
    for (let r = 0; r < runsAt(n); r++) {
      // alternate the order, so that neither mode always runs on a heap the other just churned
      for (const mode of r % 2 ? [raw, lib] : [lib, raw]) {
        gc();
        samples[mode].push(measure(mode, n));
      }
    }
    const cpu = (m: Mode) => samples[m].map(s => s.cpuMs);
    const wall = (m: Mode) => samples[m].map(s => s.wallMs);
    const row: Row = {
      layout, n, lib: median(cpu(lib)), raw: median(cpu(raw)), libWall: median(wall(lib)), rawWall: median(wall(raw)),
    };
    const runsOf = (xs: number[]) => xs.map(t => fmt(t, 0)).join('/');
    console.error(`  ${layout} N=${n}: cpu library ${fmt(row.lib, 0)} ms [${runsOf(cpu(lib))}], raw ${fmt(row.raw, 0)} ms [${runsOf(cpu(raw))}]; `
      + `wall library ${fmt(row.libWall, 0)} ms [${runsOf(wall(lib))}], raw ${fmt(row.rawWall, 0)} ms [${runsOf(wall(raw))}]`);
    rows.push(row);
  }
  return rows;
}

interface Layout { readonly name: string; readonly lib: Mode; readonly raw: Mode; readonly ns: number[] }

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    child(args[1] as Mode, Number(args[2]));
    return;
  }
  if (args[0] === '--time') {
    // one layout: --time <library mode> <runs> <n>...
    const lib = args[1] as Mode;
    const raw = lib.replace('library', 'raw') as Mode;
    const runs = Number(args[2]);
    const ns = args.slice(3).map(Number);
    const name = { 'library': 'one chart', 'library-charts': 'chart per service', 'library-apps': 'AppPerChart' }[lib as string]!;
    // the slowest points get fewer runs, to keep the whole benchmark within minutes
    const rows = timeLayout(name, lib, raw, ns, n => (lib === 'library-charts' && n > 100 ? Math.min(runs, 2) : runs));
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  const quick = args.includes('--quick') || process.env.BENCH_QUICK === '1';
  const noMemory = args.includes('--no-memory');
  const only = args.find(a => a.startsWith('--layout='))?.slice(9);
  const runs = Number(args.find(a => a.startsWith('--runs='))?.slice(7) ?? (quick ? 1 : 5));
  const layouts: Layout[] = [
    { name: 'one chart', lib: 'library', raw: 'raw', ns: quick ? [100, 400] : [100, 1000, 4000] },
    // grows quadratically in cdk8s (see the README's Performance section), hence the smaller N
    { name: 'chart per service', lib: 'library-charts', raw: 'raw-charts', ns: quick ? [50, 200] : [100, 400] },
    { name: 'AppPerChart', lib: 'library-apps', raw: 'raw-apps', ns: quick ? [50, 200] : [100, 1000, 4000] },
  ].filter(l => only === undefined || l.lib === only || l.name === only) as Layout[];
  const started = Date.now();

  console.log(`node ${process.version}, ${cpus().length} CPUs, ${runs} runs per point${quick ? ' (quick)' : ''}`);
  assertTwins();

  console.log('timing (construct + synthYaml, medians; a fresh process per layout):');
  const rows: Row[] = [];
  for (const layout of layouts) {
    rows.push(...spawnSelf<Row[]>(['--time', layout.lib, String(runs), ...layout.ns.map(String)]));
  }

  if (!noMemory) {
    console.log('peak memory (maxRSS of a fresh process per mode, at the largest N of each layout):');
    for (const layout of layouts) {
      const row = rows.filter(r => r.layout === layout.name).pop()!;
      row.libMem = spawnChild(layout.lib, row.n).maxRssMb;
      row.rawMem = spawnChild(layout.raw, row.n).maxRssMb;
      console.log(`  ${row.layout} N=${row.n}: library ${fmt(row.libMem, 0)} MB, raw ${fmt(row.rawMem, 0)} MB`);
    }
  }

  console.log('\nmedians; cpu = user+system CPU time of the process, wall = elapsed time; peak = maxRSS of a fresh process');
  console.log('| layout | N | library cpu ms | raw cpu ms | library µs/canary | raw µs/canary | library/raw cpu | library/raw wall '
    + '| growth ×4 N library | growth ×4 N raw | library peak MB | raw peak MB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const opt = (x?: number) => (x === undefined ? '–' : fmt(x, 0));
  for (const row of rows) {
    const prev = rows.find(r => r.layout === row.layout && r.n * 4 === row.n);
    const growth = (a?: number, b?: number) => (a && b ? fmt(b / a, 2) : '–');
    console.log(`| ${row.layout} | ${row.n} | ${fmt(row.lib, 0)} | ${fmt(row.raw, 0)} | ${fmt(row.lib * 1000 / row.n, 0)} | `
      + `${fmt(row.raw * 1000 / row.n, 0)} | ${fmt(row.lib / row.raw, 2)} | ${fmt(row.libWall / row.rawWall, 2)} | `
      + `${growth(prev?.lib, row.lib)} | ${growth(prev?.raw, row.raw)} | ${opt(row.libMem)} | ${opt(row.rawMem)} |`);
  }
  console.log(`\ntotal ${fmt((Date.now() - started) / 1000)} s`);
}

if (require.main === module) main();
