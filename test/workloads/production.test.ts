import { Duration, Testing } from 'cdk8s';
import { productionChart } from '../../examples/production';
import { CanaryPhase, Cpu, DeploymentStrategy, MutualTlsMode, SidecarInjection, TrafficApi } from '../../src';
import { coherenceViolations } from '../support/coherence';
import { baseProps, synthCanary } from '../support/fixtures';
import { Manifest, one, ofKind } from '../support/manifests';
import { validateAgainstUpstreamSchemas } from '../support/schemas';

const podSpec = (manifests: Manifest[], name: string) => one(manifests, 'Deployment', name).spec.template.spec;
const replicasOf = (manifests: Manifest[]) => Object.fromEntries(ofKind(manifests, 'Deployment').map(d => [d.metadata.name, d.spec.replicas]));

describe('the production example', () => {
  const manifests = Testing.synth(productionChart(Testing.app()));

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('is coherent and schema-valid', async () => {
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });
});

describe('autoscaling', () => {
  // GIVEN autoscaling and a canary at 10%  WHEN synthesized
  const { canary, manifests } = synthCanary(baseProps({ autoscaling: { minReplicas: 2, maxReplicas: 6 } }));

  test('gives each version with traffic an autoscaler on CPU utilization, 70% by default', () => {
    const hpas = ofKind(manifests, 'HorizontalPodAutoscaler');
    expect(hpas.map(h => [h.apiVersion, h.metadata.name, h.metadata.namespace])).toEqual([
      ['autoscaling/v2', 'canary-v1', 'default'],
      ['autoscaling/v2', 'canary-v2', 'default'],
    ]);
    const hpa = one(manifests, 'HorizontalPodAutoscaler', 'canary-v2');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'canary-v2' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
    expect(Object.keys(canary.autoscalers)).toEqual(['v1', 'v2']);
  });

  test('leaves replicas out of the autoscaled Deployments so that apply never fights the autoscaler', () => {
    expect(replicasOf(manifests)).toEqual({ 'canary-v1': undefined, 'canary-v2': undefined });
    expect('replicas' in one(manifests, 'Deployment', 'canary-v1').spec).toBe(false);
  });

  test('is coherent and schema-valid', async () => {
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('the target utilization can be changed', () => {
    const { manifests: m } = synthCanary(baseProps({ autoscaling: { maxReplicas: 3, cpuTargetUtilization: 55 } }));
    const hpa = one(m, 'HorizontalPodAutoscaler', 'canary-v1');
    expect(hpa.spec.minReplicas).toBe(1);
    expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBe(55);
  });

  test('a version at weight 0 gets no autoscaler and keeps its fixed replicas', async () => {
    // GIVEN a rolled-back canary asked to scale to 0 while idle
    const { canary: c, manifests: m } = synthCanary(baseProps({
      phase: CanaryPhase.ROLLED_BACK,
      autoscaling: { maxReplicas: 4 },
      canary: { version: 'v2', image: 'img:2', replicas: 0 },
    }));
    expect(ofKind(m, 'HorizontalPodAutoscaler').map(h => h.metadata.name)).toEqual(['canary-v1']);
    expect(replicasOf(m)).toEqual({ 'canary-v1': undefined, 'canary-v2': 0 });
    expect(Object.keys(c.autoscalers)).toEqual(['v1']);
    expect(coherenceViolations(m)).toEqual([]);
    await validateAgainstUpstreamSchemas(m);
  });

  test('the promoted stable version drops its autoscaler and takes promotedStableReplicas', () => {
    const { manifests: m } = synthCanary(baseProps({ phase: CanaryPhase.PROMOTED, promotedStableReplicas: 0, autoscaling: { maxReplicas: 4 } }));
    expect(ofKind(m, 'HorizontalPodAutoscaler').map(h => h.metadata.name)).toEqual(['canary-v2']);
    expect(replicasOf(m)).toEqual({ 'canary-v1': 0, 'canary-v2': undefined });
  });

  test('additional versions with traffic are autoscaled too', () => {
    const { manifests: m } = synthCanary(baseProps({
      autoscaling: { maxReplicas: 4 },
      additionalVersions: [{ version: 'v3', image: 'img:3', weight: 5 }, { version: 'v4', image: 'img:4', weight: 0 }],
    }));
    expect(ofKind(m, 'HorizontalPodAutoscaler').map(h => h.metadata.name)).toEqual(['canary-v1', 'canary-v3', 'canary-v2']);
    expect(replicasOf(m)['canary-v4']).toBe(1);
    expect(coherenceViolations(m)).toEqual([]);
  });
});

describe('pod disruption budgets', () => {
  test('one per version, maxUnavailable 1 by default, selecting exactly that version\'s pods', async () => {
    const { canary, manifests } = synthCanary(baseProps({ podDisruptionBudget: {}, stable: { version: 'v1', image: 'img:1', replicas: 3 } }));
    const pdbs = ofKind(manifests, 'PodDisruptionBudget');
    expect(pdbs.map(p => [p.apiVersion, p.metadata.name, p.metadata.namespace])).toEqual([
      ['policy/v1', 'canary-v1', 'default'],
      ['policy/v1', 'canary-v2', 'default'],
    ]);
    for (const pdb of pdbs) {
      const deployment = one(manifests, 'Deployment', pdb.metadata.name);
      expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: deployment.spec.selector.matchLabels } });
    }
    expect(Object.keys(canary.podDisruptionBudgets)).toEqual(['v1', 'v2']);
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('minAvailable instead of maxUnavailable', async () => {
    const { manifests } = synthCanary(baseProps({
      podDisruptionBudget: { minAvailable: 1 },
      stable: { version: 'v1', image: 'img:1', replicas: 3 },
      canary: { version: 'v2', image: 'img:2', replicas: 2 },
    }));
    expect(one(manifests, 'PodDisruptionBudget', 'canary-v1').spec).toEqual({ minAvailable: 1, selector: { matchLabels: { app: 'canary', version: 'v1' } } });
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('none for a version scaled to 0', () => {
    const { canary, manifests } = synthCanary(baseProps({
      podDisruptionBudget: { maxUnavailable: 2 }, phase: CanaryPhase.PROMOTED, promotedStableReplicas: 0,
    }));
    expect(ofKind(manifests, 'PodDisruptionBudget').map(p => p.metadata.name)).toEqual(['canary-v2']);
    expect(Object.keys(canary.podDisruptionBudgets)).toEqual(['v2']);
    expect(one(manifests, 'PodDisruptionBudget', 'canary-v2').spec.maxUnavailable).toBe(2);
  });

  test('autoscaled versions get one, named after the Deployment', async () => {
    const { manifests } = synthCanary(baseProps({
      podDisruptionBudget: { minAvailable: 1 },
      autoscaling: { minReplicas: 2, maxReplicas: 5 },
      stable: { version: 'v1', image: 'img:1', deploymentName: 'shop-stable' },
    }));
    expect(ofKind(manifests, 'PodDisruptionBudget').map(p => p.metadata.name)).toEqual(['shop-stable', 'canary-v2']);
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });
});

describe('rollout settings', () => {
  test('by default: a new pod is ready before an old one goes, no preStop hook, Kubernetes\' 30 s grace period', () => {
    const { manifests } = synthCanary(baseProps());
    for (const d of ofKind(manifests, 'Deployment')) {
      expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
      expect(d.spec.template.spec.containers[0].lifecycle).toBeUndefined();
      expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    }
  });

  test('a preStop pause sleeps in the app container and lengthens the grace period by as much', async () => {
    const { manifests } = synthCanary(baseProps({ preStopPause: Duration.seconds(10) }));
    for (const name of ['canary-v1', 'canary-v2']) {
      const spec = podSpec(manifests, name);
      expect(spec.containers[0].lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '10'] } } });
      expect(spec.terminationGracePeriodSeconds).toBe(40);
    }
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('the grace period and the strategy can be set', () => {
    const { manifests } = synthCanary(baseProps({
      preStopPause: Duration.seconds(5),
      terminationGracePeriod: Duration.minutes(1),
      deploymentStrategy: DeploymentStrategy.recreate(),
    }));
    expect(podSpec(manifests, 'canary-v1').terminationGracePeriodSeconds).toBe(60);
    expect(one(manifests, 'Deployment', 'canary-v1').spec.strategy).toEqual({ type: 'Recreate' });
  });
});

describe('proportional replicas', () => {
  test.each<[number, number, Record<string, number>]>([
    [10, 10, { 'canary-v1': 9, 'canary-v2': 1 }],
    [10, 50, { 'canary-v1': 5, 'canary-v2': 5 }],
    [10, 1, { 'canary-v1': 10, 'canary-v2': 1 }],
    [10, 0, { 'canary-v1': 10, 'canary-v2': 0 }],
    [4, 100, { 'canary-v1': 0, 'canary-v2': 4 }],
  ])('%i pods at a canary weight of %i%%: %j', (total, weight, expected) => {
    const { manifests } = synthCanary(baseProps({
      proportionalReplicas: total,
      canaryWeight: weight,
      stable: { version: 'v1', image: 'img:1', replicas: 7 },
    }));
    expect(replicasOf(manifests)).toEqual(expected);
    expect(coherenceViolations(manifests)).toEqual([]);
  });

  test('spreads over additional versions too', () => {
    const { manifests } = synthCanary(baseProps({
      proportionalReplicas: 20, canaryWeight: 15, additionalVersions: [{ version: 'v3', image: 'img:3', weight: 25 }],
    }));
    expect(replicasOf(manifests)).toEqual({ 'canary-v1': 12, 'canary-v3': 5, 'canary-v2': 3 });
  });

  test('promotedStableReplicas still applies to a promoted stable version', () => {
    const { manifests } = synthCanary(baseProps({ proportionalReplicas: 6, phase: CanaryPhase.PROMOTED, promotedStableReplicas: 2 }));
    expect(replicasOf(manifests)).toEqual({ 'canary-v1': 2, 'canary-v2': 6 });
  });
});

describe('apply order', () => {
  const everything = baseProps({
    namespace: 'shop',
    sidecarInjection: SidecarInjection.enabled(),
    gateway: { hosts: ['*'] },
    autoscaling: { maxReplicas: 3 },
    podDisruptionBudget: {},
    mtls: MutualTlsMode.STRICT,
  });

  test('objects come out Namespace first, subsets before the routes to them', () => {
    const { manifests } = synthCanary(everything);
    expect(manifests.map(m => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Namespace/shop',
      'Deployment/canary-v1',
      'HorizontalPodAutoscaler/canary-v1',
      'PodDisruptionBudget/canary-v1',
      'Deployment/canary-v2',
      'HorizontalPodAutoscaler/canary-v2',
      'PodDisruptionBudget/canary-v2',
      'Service/canary',
      'PeerAuthentication/canary',
      'DestinationRule/canary',
      'VirtualService/canary',
      'Gateway/canary-gateway',
      'VirtualService/canary-ingress',
    ]);
  });

  test('no sync-wave annotations unless asked for', () => {
    const { manifests } = synthCanary(everything);
    expect(manifests.filter(m => (m.metadata as any).annotations?.['argocd.argoproj.io/sync-wave'] !== undefined)).toEqual([]);
  });

  test('sync waves order Namespace < workloads and Service < DestinationRule < VirtualServices and Gateway', async () => {
    const { manifests } = synthCanary({ ...everything, syncWaves: true });
    const waves = manifests.map(m => [`${m.kind}/${m.metadata.name}`, (m.metadata as any).annotations?.['argocd.argoproj.io/sync-wave']]);
    expect(waves).toEqual([
      ['Namespace/shop', '-1'],
      ['Deployment/canary-v1', '0'],
      ['HorizontalPodAutoscaler/canary-v1', '0'],
      ['PodDisruptionBudget/canary-v1', '0'],
      ['Deployment/canary-v2', '0'],
      ['HorizontalPodAutoscaler/canary-v2', '0'],
      ['PodDisruptionBudget/canary-v2', '0'],
      ['Service/canary', '0'],
      ['PeerAuthentication/canary', '0'],
      ['DestinationRule/canary', '1'],
      ['VirtualService/canary', '2'],
      ['Gateway/canary-gateway', '2'],
      ['VirtualService/canary-ingress', '2'],
    ]);
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });
});

test('with Gateway API, version Services join the workloads, policy DestinationRules come next, then the routes', () => {
  // GIVEN the Gateway API backend with a traffic policy (one DestinationRule per version Service)
  const { manifests } = synthCanary(baseProps({
    trafficApi: TrafficApi.GATEWAY_API,
    gateway: { hosts: ['shop.example.com'] },
    trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3 } },
    syncWaves: true,
  }));
  // THEN every object has a wave, and nothing routes before its backends and policies exist
  const waves = manifests.map(m => [`${m.kind}/${m.metadata.name}`, (m.metadata as any).annotations?.['argocd.argoproj.io/sync-wave']]);
  expect(waves).toEqual(expect.arrayContaining([
    ['Service/canary-v1', '0'],
    ['Service/canary-v2', '0'],
    ['DestinationRule/canary-v1', '1'],
    ['DestinationRule/canary-v2', '1'],
    ['HTTPRoute/canary', '2'],
    ['Gateway/canary-gateway', '2'],
    ['HTTPRoute/canary-ingress', '2'],
  ]));
  expect(waves.filter(([, wave]) => wave === undefined)).toEqual([]);
});

describe('mutual TLS', () => {
  test('STRICT: a PeerAuthentication named after the workload selects every version by the app label', async () => {
    const { canary, manifests } = synthCanary(baseProps({ mtls: MutualTlsMode.STRICT }));
    const pa = one(manifests, 'PeerAuthentication', 'canary');
    expect(pa.apiVersion).toBe('security.istio.io/v1');
    expect(pa.metadata.namespace).toBe('default');
    expect(pa.spec).toEqual({ selector: { matchLabels: { app: 'canary' } }, mtls: { mode: 'STRICT' } });
    expect(canary.peerAuthentication).toBeDefined();
    // Auto mTLS covers the client side: the DestinationRule gets no TLS setting of its own.
    expect(one(manifests, 'DestinationRule', 'canary').spec.trafficPolicy).toBeUndefined();
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('PERMISSIVE, with a custom app label key', () => {
    const { manifests } = synthCanary(baseProps({ mtls: MutualTlsMode.PERMISSIVE, appLabelKey: 'apply' }));
    expect(one(manifests, 'PeerAuthentication', 'canary').spec).toEqual({ selector: { matchLabels: { apply: 'canary' } }, mtls: { mode: 'PERMISSIVE' } });
  });

  test('none by default', () => {
    const { canary, manifests } = synthCanary(baseProps());
    expect(ofKind(manifests, 'PeerAuthentication')).toEqual([]);
    expect(canary.peerAuthentication).toBeUndefined();
    expect(canary.autoscalers).toEqual({});
    expect(canary.podDisruptionBudgets).toEqual({});
  });
});

describe('bad production settings are refused with the property, the value and the rule', () => {
  const img = (version: string, replicas?: number) => ({ version, image: `img:${version}`, replicas });
  test.each<[string, Parameters<typeof baseProps>[0], string]>([
    ['minReplicas 0', { autoscaling: { minReplicas: 0, maxReplicas: 3 } }, '\'autoscaling.minReplicas\' must be an integer of at least 1, got 0'],
    ['fractional minReplicas', { autoscaling: { minReplicas: 1.5, maxReplicas: 3 } }, '\'autoscaling.minReplicas\' must be an integer of at least 1, got 1.5'],
    ['maxReplicas 0', { autoscaling: { maxReplicas: 0 } }, '\'autoscaling.maxReplicas\' must be an integer of at least 1, got 0'],
    ['min above max', { autoscaling: { minReplicas: 4, maxReplicas: 3 } }, '\'autoscaling.maxReplicas\' must be at least \'autoscaling.minReplicas\' (4), got 3'],
    ['utilization 0', { autoscaling: { maxReplicas: 3, cpuTargetUtilization: 0 } }, '\'autoscaling.cpuTargetUtilization\' must be an integer percentage from 1 to 100, got 0'],
    ['utilization above 100', { autoscaling: { maxReplicas: 3, cpuTargetUtilization: 150 } }, '\'autoscaling.cpuTargetUtilization\' must be an integer percentage from 1 to 100, got 150'],
    ['autoscaling without a CPU request', { autoscaling: { maxReplicas: 3 }, resources: { cpu: { limit: Cpu.units(1) } } }, '\'resources.cpu.request\' must be set with \'autoscaling\''],
    ['autoscaling with proportional replicas', { autoscaling: { maxReplicas: 3 }, proportionalReplicas: 4 }, '\'proportionalReplicas\' must not be set with \'autoscaling\': the autoscaler owns the replicas of every version with traffic, got 4'],
    ['proportional replicas 0', { proportionalReplicas: 0 }, '\'proportionalReplicas\' must be an integer of at least 1, got 0'],
    ['fractional proportional replicas', { proportionalReplicas: 2.5 }, '\'proportionalReplicas\' must be an integer of at least 1, got 2.5'],
    ['both budgets', { podDisruptionBudget: { maxUnavailable: 1, minAvailable: 1 } }, '\'podDisruptionBudget\' must give \'maxUnavailable\' or \'minAvailable\', not both'],
    ['maxUnavailable 0', { podDisruptionBudget: { maxUnavailable: 0 } }, '\'podDisruptionBudget.maxUnavailable\' must be an integer of at least 1 (0 would block every node drain), got 0'],
    ['minAvailable 0', { podDisruptionBudget: { minAvailable: 0 } }, '\'podDisruptionBudget.minAvailable\' must be an integer of at least 1, got 0'],
    ['minAvailable as many as the pods', { podDisruptionBudget: { minAvailable: 1 } }, '\'podDisruptionBudget.minAvailable\' must be below the replicas of version v1 (1), else that version blocks every node drain, got 1'],
    ['minAvailable as many as a canary\'s pods', { podDisruptionBudget: { minAvailable: 2 }, stable: img('v1', 3), canary: img('v2', 2) }, 'must be below the replicas of version v2 (2)'],
    ['minAvailable at the autoscaler\'s minimum', { podDisruptionBudget: { minAvailable: 2 }, autoscaling: { minReplicas: 2, maxReplicas: 4 } }, '\'podDisruptionBudget.minAvailable\' must be below \'autoscaling.minReplicas\' (2), else a version at its minimum blocks every node drain, got 2'],
    ['a fractional pause', { preStopPause: Duration.millis(1500) }, '\'preStopPause\' must be a whole number of seconds, at least 1, got "1 second 500 millis"'],
    ['a zero pause', { preStopPause: Duration.seconds(0) }, '\'preStopPause\' must be a whole number of seconds, at least 1'],
    ['a fractional grace period', { terminationGracePeriod: Duration.millis(2500) }, '\'terminationGracePeriod\' must be a whole number of seconds'],
    ['a grace period no longer than the pause', { preStopPause: Duration.seconds(30), terminationGracePeriod: Duration.seconds(30) }, '\'terminationGracePeriod\' must exceed \'preStopPause\' (30 seconds)'],
  ])('%s', (_case, overrides, message) => {
    expect(() => synthCanary(baseProps(overrides))).toThrow(message);
  });

  test('a version scaled to 0 does not count against minAvailable', () => {
    expect(() => synthCanary(baseProps({ podDisruptionBudget: { minAvailable: 1 }, stable: img('v1', 2), canary: img('v2', 0) }))).not.toThrow();
  });
});

describe('the coherence checks for autoscalers, budgets and PeerAuthentication', () => {
  // GIVEN a coherent set with every option, THEN each broken variant is caught: the checks can fail.
  const { manifests } = synthCanary(baseProps({
    autoscaling: { maxReplicas: 3 }, podDisruptionBudget: {}, mtls: MutualTlsMode.STRICT,
  }));
  const coherent = (): any[] => JSON.parse(JSON.stringify(manifests));
  const find = (m: any[], kind: string, name: string) => m.find(x => x.kind === kind && x.metadata.name === name);

  test('pass on the coherent set', () => {
    expect(coherenceViolations(coherent())).toEqual([]);
  });

  test.each<[string, (m: any[]) => void, string]>([
    ['an autoscaler targeting no Deployment of the set', m => { find(m, 'HorizontalPodAutoscaler', 'canary-v1').spec.scaleTargetRef.name = 'gone'; }, 'target Deployment/gone is not in the set'],
    ['an autoscaled Deployment pinning replicas', m => { find(m, 'Deployment', 'canary-v2').spec.replicas = 1; }, 'Deployment canary-v2 pins replicas 1'],
    ['an autoscaler with min above max', m => { find(m, 'HorizontalPodAutoscaler', 'canary-v2').spec.minReplicas = 9; }, 'minReplicas above maxReplicas'],
    ['a budget selecting two versions', m => { find(m, 'PodDisruptionBudget', 'canary-v1').spec.selector.matchLabels = { app: 'canary' }; }, 'PodDisruptionBudget canary-v1: selects the pods of 2 Deployments'],
    ['a PeerAuthentication selecting one version', m => { find(m, 'PeerAuthentication', 'canary').spec.selector.matchLabels.version = 'v1'; }, 'PeerAuthentication canary: selects 1 of 2 Deployments'],
  ])('catch %s', (_case, breakIt, violation) => {
    const broken = coherent();
    breakIt(broken);
    expect(coherenceViolations(broken).join('\n')).toContain(violation);
  });

  test.each<[string, (m: any[]) => void, string]>([
    ['a budget over a Deployment without pods', m => { find(m, 'Deployment', 'canary-v2').spec.replicas = 0; }, 'PodDisruptionBudget canary-v2: Deployment canary-v2 has no pods'],
    ['a minAvailable blocking every drain', m => { find(m, 'PodDisruptionBudget', 'canary-v1').spec = { minAvailable: 1, selector: { matchLabels: { app: 'canary', version: 'v1' } } }; }, 'minAvailable 1 blocks every drain of 1 pods'],
  ])('catch %s (fixed replicas)', (_case, breakIt, violation) => {
    const { manifests: fixed } = synthCanary(baseProps({ podDisruptionBudget: {} }));
    const broken = JSON.parse(JSON.stringify(fixed));
    breakIt(broken);
    expect(coherenceViolations(broken).join('\n')).toContain(violation);
  });
});
