import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { CanaryVersion } from './canary-version';
import { ContainerResources } from './container-options';
import { AutoscalingOptions, PodDisruptionBudgetOptions } from './production-options';
import { check, isIntegerIn } from '../validation';

/** Default grace period: Kubernetes' 30 seconds, after the preStop pause when there is one. */
export function defaultTerminationGracePeriod(preStopPause?: Duration): Duration {
  return Duration.seconds(30 + (preStopPause ? preStopPause.toSeconds() : 0));
}

/**
 * Pods of each version when `proportionalReplicas` is given: the total split by weight, rounded, at least one pod
 * for a version with traffic and none for a version without.
 */
function proportionalReplicas(total: number, weight: number): number {
  if (weight <= 0) return 0;
  return Math.max(1, Math.round(total * weight / 100));
}

/** One version's inputs to {@link planReplicas}. */
export interface ReplicaPlanEntry {
  readonly version: CanaryVersion;
  readonly weight: number;
  /** Replicas that win over every other rule (`promotedStableReplicas`). */
  readonly pinned?: number;
}

/**
 * Validates the production settings and returns the replicas of each version, in order: undefined when an
 * autoscaler owns them (autoscaling on, and the version has traffic); else the pinned replicas, the proportional
 * share, or the version's own `replicas` (default 1).
 */
export function planReplicas(s: ProductionSettings, entries: ReplicaPlanEntry[]): Array<number | undefined> {
  const plan = entries.map(e => {
    if (s.autoscaling && e.weight > 0) return undefined;
    if (e.pinned !== undefined) return e.pinned;
    if (s.proportionalReplicas !== undefined) return proportionalReplicas(s.proportionalReplicas, e.weight);
    return e.version.replicas ?? 1;
  });
  validateProductionSettings(s, entries.flatMap((e, i): Array<[string, number]> => plan[i] === undefined ? [] : [[e.version.version, plan[i]!]]));
  return plan;
}

/** The production settings, as `IstioCanaryProps` holds them. */
export interface ProductionSettings {
  readonly autoscaling?: AutoscalingOptions;
  readonly podDisruptionBudget?: PodDisruptionBudgetOptions;
  readonly preStopPause?: Duration;
  readonly terminationGracePeriod?: Duration;
  readonly proportionalReplicas?: number;
  readonly resources?: ContainerResources;
}

function wholeSeconds(d: Duration): number | undefined {
  const ms = d.toMilliseconds();
  return Number.isInteger(ms) && ms % 1000 === 0 ? ms / 1000 : undefined;
}

/**
 * Validates the production settings; `fixedReplicas` are the replicas of the versions that are not autoscaled, by
 * version, for the rules that compare against them.
 */
function validateProductionSettings(s: ProductionSettings, fixedReplicas: Array<[string, number]>): void {
  const a = s.autoscaling;
  const min = a ? a.minReplicas ?? 1 : undefined;
  if (a && min !== undefined) {
    check(isIntegerIn(min, 1, Number.MAX_SAFE_INTEGER), 'autoscaling.minReplicas', a.minReplicas, 'must be an integer of at least 1');
    check(isIntegerIn(a.maxReplicas, 1, Number.MAX_SAFE_INTEGER), 'autoscaling.maxReplicas', a.maxReplicas, 'must be an integer of at least 1');
    check(a.maxReplicas >= min, 'autoscaling.maxReplicas', a.maxReplicas, `must be at least 'autoscaling.minReplicas' (${min})`);
    if (a.cpuTargetUtilization !== undefined) {
      check(isIntegerIn(a.cpuTargetUtilization, 1, 100), 'autoscaling.cpuTargetUtilization', a.cpuTargetUtilization, 'must be an integer percentage from 1 to 100');
    }
    check(s.resources === undefined || s.resources.cpu?.request !== undefined, 'resources.cpu.request', undefined,
      'must be set with \'autoscaling\': CPU utilization is measured against the request');
    check(s.proportionalReplicas === undefined, 'proportionalReplicas', s.proportionalReplicas,
      'must not be set with \'autoscaling\': the autoscaler owns the replicas of every version with traffic');
  }
  if (s.proportionalReplicas !== undefined) {
    check(isIntegerIn(s.proportionalReplicas, 1, Number.MAX_SAFE_INTEGER), 'proportionalReplicas', s.proportionalReplicas, 'must be an integer of at least 1');
  }
  const pdb = s.podDisruptionBudget;
  if (pdb) {
    check(pdb.maxUnavailable === undefined || pdb.minAvailable === undefined, 'podDisruptionBudget', pdb,
      'must give \'maxUnavailable\' or \'minAvailable\', not both');
    if (pdb.maxUnavailable !== undefined) {
      check(isIntegerIn(pdb.maxUnavailable, 1, Number.MAX_SAFE_INTEGER), 'podDisruptionBudget.maxUnavailable', pdb.maxUnavailable,
        'must be an integer of at least 1 (0 would block every node drain)');
    }
    if (pdb.minAvailable !== undefined) {
      check(isIntegerIn(pdb.minAvailable, 1, Number.MAX_SAFE_INTEGER), 'podDisruptionBudget.minAvailable', pdb.minAvailable, 'must be an integer of at least 1');
      if (min !== undefined) {
        check(pdb.minAvailable < min, 'podDisruptionBudget.minAvailable', pdb.minAvailable,
          `must be below 'autoscaling.minReplicas' (${min}), else a version at its minimum blocks every node drain`);
      }
      for (const [version, replicas] of fixedReplicas) {
        if (replicas === 0) continue;
        check(pdb.minAvailable < replicas, 'podDisruptionBudget.minAvailable', pdb.minAvailable,
          `must be below the replicas of version ${version} (${replicas}), else that version blocks every node drain`);
      }
    }
  }
  if (s.preStopPause !== undefined) {
    const pause = wholeSeconds(s.preStopPause);
    check(pause !== undefined && pause >= 1, 'preStopPause', s.preStopPause.toHumanString(), 'must be a whole number of seconds, at least 1');
  }
  if (s.terminationGracePeriod !== undefined) {
    const grace = wholeSeconds(s.terminationGracePeriod);
    check(grace !== undefined, 'terminationGracePeriod', s.terminationGracePeriod.toHumanString(), 'must be a whole number of seconds');
    if (s.preStopPause !== undefined) {
      check(grace! > s.preStopPause.toSeconds(), 'terminationGracePeriod', s.terminationGracePeriod.toHumanString(),
        `must exceed 'preStopPause' (${s.preStopPause.toHumanString()}): the pause counts against it, and the app needs time to shut down after it`);
    }
  }
}

/**
 * Creates the autoscaling/v2 HorizontalPodAutoscaler of one version's Deployment, which must have been created
 * without `replicas`. The scaling behavior is explicit: up by 4 pods or 200% a minute, whichever is more, so that a
 * canary taking more traffic catches up within a minute or two; down by `minReplicas` pods every 5 minutes after a
 * 5-minute stabilization window, so that a short lull does not leave a version short of pods when traffic returns.
 */
export function createAutoscaler(scope: Construct, id: string, deployment: ApiObject, labels: { [key: string]: string },
  a: AutoscalingOptions): ApiObject {
  const minReplicas = a.minReplicas ?? 1;
  return new ApiObject(scope, id, {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: deployment.name, namespace: deployment.metadata.namespace, labels: { ...labels } },
    spec: {
      scaleTargetRef: { apiVersion: deployment.apiVersion, kind: deployment.kind, name: deployment.name },
      minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [{
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.cpuTargetUtilization ?? 70 } },
      }],
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 0,
          selectPolicy: 'Max',
          policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }, { type: 'Percent', value: 200, periodSeconds: 60 }],
        },
        scaleDown: {
          stabilizationWindowSeconds: 300,
          selectPolicy: 'Max',
          policies: [{ type: 'Pods', value: minReplicas, periodSeconds: 300 }],
        },
      },
    },
  });
}

/** The policy/v1 PodDisruptionBudget fields this library writes. */
interface PodDisruptionBudgetSpec {
  readonly selector: { readonly matchLabels: { [key: string]: string } };
  readonly maxUnavailable?: number;
  readonly minAvailable?: number;
}

/**
 * A policy/v1 PodDisruptionBudget selecting exactly one version's pods, with the Deployment's selector labels.
 */
export function createPodDisruptionBudget(scope: Construct, id: string, props: {
  readonly name: string;
  readonly namespace: string;
  readonly selectorLabels: { [key: string]: string };
  readonly options: PodDisruptionBudgetOptions;
}): ApiObject {
  const spec: PodDisruptionBudgetSpec = {
    selector: { matchLabels: { ...props.selectorLabels } },
    ...(props.options.minAvailable !== undefined
      ? { minAvailable: props.options.minAvailable }
      : { maxUnavailable: props.options.maxUnavailable ?? 1 }),
  };
  return new ApiObject(scope, id, {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: props.name, namespace: props.namespace, labels: { ...props.selectorLabels } },
    spec,
  });
}
