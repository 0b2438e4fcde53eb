import { Chart, Testing } from 'cdk8s';
import { CanaryPhase, IstioCanary } from '../../src';
import { coherenceViolations } from '../support/coherence';
import { baseProps, synthCanary } from '../support/fixtures';
import { one } from '../support/manifests';
import { validateAgainstUpstreamSchemas } from '../support/schemas';

const PLAN = [5, 10, 25, 50, 100];
const weightsOf = (manifests: any[]) => one(manifests, 'VirtualService', 'canary').spec.http[0].route.map((r: any) => [r.destination.subset, r.weight]);

describe('progressive stages', () => {
  test.each([[1, 5], [2, 10], [3, 25], [4, 50], [5, 100]])('stage %i of the plan routes %i%% to the canary', async (stage, weight) => {
    const { canary, manifests } = synthCanary(baseProps({ canaryWeight: undefined, stages: PLAN, stage }));
    expect(weightsOf(manifests)).toEqual([['v1', 100 - weight], ['v2', weight]]);
    expect(canary.weights).toEqual({ v1: 100 - weight, v2: weight });
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('without a stage, the plan starts at its first stage', () => {
    expect(synthCanary(baseProps({ canaryWeight: undefined, stages: PLAN })).canary.canaryWeight).toBe(5);
  });

  test('CI selects the stage and phase through the construct context', () => {
    // GIVEN an app whose CI passes the stage (strings, as from the environment)
    const app = Testing.app();
    app.node.setContext('istio-canary:canary:stage', '3');
    const chart = new Chart(app, 'test');
    // WHEN
    const canary = new IstioCanary(chart, 'canary', baseProps({ canaryWeight: undefined, stages: PLAN }));
    // THEN
    expect(canary.canaryWeight).toBe(25);

    const app2 = Testing.app();
    app2.node.setContext('istio-canary:canary:phase', 'rolled-back');
    expect(new IstioCanary(new Chart(app2, 'test'), 'canary', baseProps()).canaryWeight).toBe(0);
  });

  test('the prop wins over the context', () => {
    const app = Testing.app();
    app.node.setContext('istio-canary:canary:stage', 3);
    const canary = new IstioCanary(new Chart(app, 'test'), 'canary', baseProps({ canaryWeight: undefined, stages: PLAN, stage: 4 }));
    expect(canary.canaryWeight).toBe(50);
  });
});

describe('promote and rollback', () => {
  test('promoted: all traffic to the canary, stable scaled as asked', async () => {
    const { canary, manifests } = synthCanary(baseProps({
      phase: CanaryPhase.PROMOTED,
      promotedStableReplicas: 0,
      stable: { version: 'v1', image: 'img:1', replicas: 3 },
    }));
    expect(weightsOf(manifests)).toEqual([['v1', 0], ['v2', 100]]);
    expect(one(manifests, 'Deployment', 'canary-v1').spec.replicas).toBe(0);
    expect(canary.phase).toBe(CanaryPhase.PROMOTED);
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('promoted without promotedStableReplicas keeps stable running for an instant rollback', () => {
    const { manifests } = synthCanary(baseProps({ phase: CanaryPhase.PROMOTED, stable: { version: 'v1', image: 'img:1', replicas: 3 } }));
    expect(one(manifests, 'Deployment', 'canary-v1').spec.replicas).toBe(3);
  });

  test('rolled back: all traffic to stable, whatever the plan says', () => {
    const { manifests } = synthCanary(baseProps({ canaryWeight: undefined, stages: PLAN, stage: 4, phase: CanaryPhase.ROLLED_BACK }));
    expect(weightsOf(manifests)).toEqual([['v1', 100], ['v2', 0]]);
  });
});

describe('more than two versions', () => {
  test('weights spread across N subsets and sum to 100', async () => {
    // GIVEN stable, two fixed candidates and the canary
    const { canary, manifests } = synthCanary(baseProps({
      canaryWeight: 10,
      additionalVersions: [
        { version: 'v3', image: 'img:3', weight: 20 },
        { version: 'v4', image: 'img:4', weight: 5, replicas: 2 },
      ],
    }));
    // THEN
    expect(weightsOf(manifests)).toEqual([['v1', 65], ['v3', 20], ['v4', 5], ['v2', 10]]);
    expect(canary.weights).toEqual({ v1: 65, v2: 10, v3: 20, v4: 5 });
    expect(canary.additionalDeployments.map(d => d.name)).toEqual(['canary-v3', 'canary-v4']);
    expect(one(manifests, 'Deployment', 'canary-v4').spec.replicas).toBe(2);
    expect(one(manifests, 'DestinationRule', 'canary').spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v3', 'v4', 'v2']);
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('promotion sends everything to the canary, additional versions included', () => {
    const { canary } = synthCanary(baseProps({ phase: CanaryPhase.PROMOTED, additionalVersions: [{ version: 'v3', image: 'img:3', weight: 20 }] }));
    expect(canary.weights).toEqual({ v1: 0, v2: 100, v3: 0 });
  });
});

describe('bad release input is refused', () => {
  test.each<[string, Parameters<typeof baseProps>[0], string]>([
    ['neither canaryWeight nor stages', { canaryWeight: undefined }, '\'canaryWeight\' must be given, or \'stages\' instead (exactly one of the two), got undefined'],
    ['both canaryWeight and stages', { stages: PLAN }, '\'canaryWeight\' must be given, or \'stages\' instead (exactly one of the two), got 10'],
    ['a decreasing plan', { canaryWeight: undefined, stages: [10, 5, 100] }, '\'stages\' must be strictly increasing, got [10,5,100]'],
    ['a plan not ending at 100', { canaryWeight: undefined, stages: [5, 10, 50] }, '\'stages\' must end at 100, got [5,10,50]'],
    ['an empty plan', { canaryWeight: undefined, stages: [] }, '\'stages\' must hold at least one weight, got []'],
    ['a stage weight of 0', { canaryWeight: undefined, stages: [0, 100] }, '\'stages[0]\' must be an integer from 1 to 100, got 0'],
    ['a stage beyond the plan', { canaryWeight: undefined, stages: PLAN, stage: 6 }, '\'stage\' must be an integer from 1 to 5 (a position in \'stages\'), got 6'],
    ['a stage without a plan', { stage: 2 }, '\'stage\' applies only with \'stages\', got 2'],
    ['weights above 100 with additional versions', { canaryWeight: 90, additionalVersions: [{ version: 'v3', image: 'i', weight: 20 }] }, '\'canaryWeight\' must leave room for the additional versions\' weights (20)'],
    ['an additional version reusing a version', { additionalVersions: [{ version: 'v2', image: 'i', weight: 5 }] }, '\'canary.version\' must differ from \'additionalVersions[0].version\''],
    ['an additional weight out of range', { additionalVersions: [{ version: 'v3', image: 'i', weight: -5 }] }, '\'additionalVersions[0].weight\' must be an integer from 0 to 100, got -5'],
    ['negative promoted replicas', { promotedStableReplicas: -1 }, '\'promotedStableReplicas\' must be a non-negative integer, got -1'],
  ])('%s', (_case, overrides, message) => {
    expect(() => synthCanary(baseProps(overrides))).toThrow(message);
  });

  test('a context value that is not a number or phase', () => {
    const app = Testing.app();
    app.node.setContext('istio-canary:canary:stage', 'three');
    expect(() => new IstioCanary(new Chart(app, 'a'), 'canary', baseProps({ canaryWeight: undefined, stages: PLAN })))
      .toThrow('\'context \'istio-canary:canary:stage\'\' must be a number, got "three"');
    const app2 = Testing.app();
    app2.node.setContext('istio-canary:canary:phase', 'done');
    expect(() => new IstioCanary(new Chart(app2, 'a'), 'canary', baseProps()))
      .toThrow('\'context \'istio-canary:canary:phase\'\' must be one of progressing, promoted, rolled-back, got "done"');
  });
});
