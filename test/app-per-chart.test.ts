import { mkdtempSync, readdirSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { IResolver, ResolutionContext, Testing } from 'cdk8s';
import { AppPerChart, IstioCanaryChartProps, IstioCanaryChart, SidecarInjection } from '../src';

function serviceProps(i: number): IstioCanaryChartProps {
  return {
    name: `svc-${i}`,
    namespace: `ns-${i}`,
    port: 8080,
    stable: { version: 'v1', image: `registry.example.com/svc-${i}:1.0.0` },
    canary: { version: 'v2', image: `registry.example.com/svc-${i}:1.1.0` },
    canaryWeight: 10 * i,
    gateway: { hosts: [`svc-${i}.example.com`] },
    sidecarInjection: SidecarInjection.enabled(),
    labels: { team: `team-${i}` },
  };
}

const SERVICES = 3;

function filesOf(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) files[name] = readFileSync(join(dir, name), 'utf-8');
  return files;
}

describe('AppPerChart', () => {
  test('synthYaml() returns the same text as one app holding every chart', () => {
    // GIVEN the same services declared in one shared app and in an app per chart
    const shared = Testing.app();
    const perChart = new AppPerChart();
    for (let i = 0; i < SERVICES; i++) {
      new IstioCanaryChart(shared, `svc-${i}`, serviceProps(i));
      new IstioCanaryChart(perChart.newApp(), `svc-${i}`, serviceProps(i));
    }

    // WHEN both are synthesized
    const expected = shared.synthYaml();
    const actual = perChart.synthYaml();

    // THEN the YAML is byte-identical
    expect(perChart.apps).toHaveLength(SERVICES);
    expect(actual).toEqual(expected);
    expect(actual).toContain('name: svc-2-ingress');
  });

  test('synth() writes the same files as one app holding every chart', () => {
    // GIVEN the same services declared in one shared app and in an app per chart, writing to different directories
    const shared = Testing.app();
    const outdir = mkdtempSync(join(tmpdir(), 'app-per-chart-'));
    const perChart = new AppPerChart({ outdir, outputFileExtension: '.yaml' });
    for (let i = 0; i < SERVICES; i++) {
      new IstioCanaryChart(shared, `svc-${i}`, serviceProps(i));
      new IstioCanaryChart(perChart.newApp(), `svc-${i}`, serviceProps(i));
    }

    // WHEN both are synthesized
    shared.synth();
    perChart.synth();

    // THEN each chart has its own file, with the same content as the shared app's
    const expected = filesOf(shared.outdir);
    const actual = filesOf(outdir);
    expect(Object.keys(actual)).toEqual(['svc-0.yaml', 'svc-1.yaml', 'svc-2.yaml']);
    expect(Object.keys(expected)).toEqual(['svc-0.k8s.yaml', 'svc-1.k8s.yaml', 'svc-2.k8s.yaml']);
    for (let i = 0; i < SERVICES; i++) {
      expect(actual[`svc-${i}.yaml`]).toEqual(expected[`svc-${i}.k8s.yaml`]);
    }
  });

  test('an empty set synthesizes nothing', () => {
    // GIVEN no app at all
    const perChart = new AppPerChart();

    // WHEN it is synthesized to YAML
    const yaml = perChart.synthYaml();

    // THEN the YAML is empty, as that of an empty app
    expect(yaml).toEqual(Testing.app().synthYaml());
  });

  test('two charts of the same id are rejected instead of overwriting each other', () => {
    // GIVEN two apps holding a chart of the same id
    const perChart = new AppPerChart({ outdir: Testing.app().outdir });
    new IstioCanaryChart(perChart.newApp(), 'shop', serviceProps(0));
    new IstioCanaryChart(perChart.newApp(), 'shop', serviceProps(1));

    // WHEN / THEN synthesis names the conflict
    expect(() => perChart.synth()).toThrow(/Two apps hold a chart with the id 'shop'/);
    expect(() => perChart.synthYaml()).toThrow(/Two apps hold a chart with the id 'shop'/);
  });

  test('custom resolvers apply in every app', () => {
    // GIVEN a resolver that rewrites one value
    const resolver: IResolver = {
      resolve(context: ResolutionContext) {
        if (context.value === 'registry.example.com/svc-0:1.0.0') context.replaceValue('mirror.example.com/svc-0:1.0.0');
      },
    };
    const apps = new AppPerChart({ resolvers: [resolver] });
    new IstioCanaryChart(apps.newApp(), 'svc-0', serviceProps(0));
    // WHEN synthesized THEN the resolver ran
    const yaml = apps.synthYaml();
    expect(yaml).toContain('image: mirror.example.com/svc-0:1.0.0');
    expect(yaml).not.toContain('image: registry.example.com/svc-0:1.0.0');
  });
});
