import { ApiObject, Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { Construct } from 'constructs';
import { ContainerResources, ContainerSecurityOptions, Cpu, ImagePullPolicy, PodSecurityOptions } from './container-options';
import { DeploymentStrategy, PercentOrAbsolute } from './deployment-strategy';
import { Probe } from './probe';
import { check, checkPort, isIntegerIn } from '../validation';

/**
 * Requests small enough for a canary of one replica to schedule anywhere. No CPU limit: CFS throttling adds
 * latency to exactly the requests a canary is judged by. A memory limit, because memory is not compressible.
 */
export const DEFAULT_RESOURCES: ContainerResources = {
  cpu: { request: Cpu.millis(100) },
  memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
};

/** The workload settings shared by every version, as `IstioCanaryProps` holds them. */
export interface WorkloadSettings {
  readonly resources?: ContainerResources;
  readonly securityContext?: ContainerSecurityOptions;
  readonly podSecurityContext?: PodSecurityOptions;
  readonly readiness?: Probe;
  readonly liveness?: Probe;
  readonly deploymentStrategy?: DeploymentStrategy;
}

/** Resolved inputs of {@link createVersionDeployment}; not part of the public API. */
export interface VersionDeploymentProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels that select exactly this version's pods: the Deployment selector. */
  readonly selectorLabels: { [key: string]: string };
  readonly podLabels: { [key: string]: string };
  /** Fixed replicas; undefined when an autoscaler owns them, so the Deployment leaves `replicas` out. */
  readonly replicas?: number;
  readonly image: string;
  readonly env: { [name: string]: string };
  readonly containerName: string;
  readonly containerPort: number;
  readonly portName: string;
  readonly imagePullPolicy: ImagePullPolicy;
  readonly resources: ContainerResources;
  readonly securityContext: ContainerSecurityOptions;
  readonly podSecurityContext: PodSecurityOptions;
  readonly readiness?: Probe;
  readonly liveness?: Probe;
  readonly strategy: DeploymentStrategy;
  /** Pause of the preStop hook: `sleep <seconds>` in the app container. */
  readonly preStopPause?: Duration;
  readonly terminationGracePeriod: Duration;
}

/**
 * An apps/v1 Deployment for one version, selecting its pods by the app and version labels only, so that the
 * selector a reader sees is the one the subsets rely on.
 *
 * Written as a plain `ApiObject` from a literal spec: synthesis then costs what the same object declared by hand
 * costs (see the README, "Performance"). The explicit fields Kubernetes would default anyway (dnsPolicy,
 * restartPolicy, progressDeadlineSeconds...) keep the manifest readable as the whole truth of the pod.
 *
 * Not part of the public API: reach the result through `IstioCanary`.
 */
export function createVersionDeployment(scope: Construct, id: string, props: VersionDeploymentProps): ApiObject {
  const port = props.containerPort;
  const envVars = Object.entries(props.env).map(([name, value]) => ({ name, value }));
  const container = {
    name: props.containerName,
    image: props.image,
    imagePullPolicy: props.imagePullPolicy,
    ports: [{ containerPort: port, name: props.portName }],
    env: envVars.length > 0 ? envVars : undefined,
    resources: renderResources(props.resources),
    securityContext: renderSecurityContext(props.securityContext),
    readinessProbe: renderProbe(props.readiness ?? Probe.tcpSocket(), port),
    livenessProbe: props.liveness && renderProbe(props.liveness, port),
    // The endpoint removal reaches every sidecar and gateway a moment after the pod starts terminating; until then
    // they still send it requests. Pausing before SIGTERM lets those requests be served.
    lifecycle: props.preStopPause
      ? { preStop: { exec: { command: ['sleep', String(props.preStopPause.toSeconds())] } } }
      : undefined,
  };
  const pod = props.podSecurityContext;
  return new ApiObject(scope, id, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: props.name, namespace: props.namespace, labels: { ...props.selectorLabels } },
    spec: {
      replicas: props.replicas,
      minReadySeconds: 0,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { ...props.selectorLabels } },
      strategy: renderStrategy(props.strategy),
      template: {
        metadata: { labels: { ...props.podLabels, ...props.selectorLabels } },
        spec: {
          // The app needs no Kubernetes API credentials; a pod that does can patch this back on.
          automountServiceAccountToken: false,
          containers: [container],
          dnsPolicy: 'ClusterFirst',
          hostNetwork: false,
          restartPolicy: 'Always',
          securityContext: {
            runAsNonRoot: pod.ensureNonRoot ?? false,
            runAsUser: pod.user,
            runAsGroup: pod.group,
            fsGroup: pod.fsGroup,
            fsGroupChangePolicy: 'Always',
          },
          setHostnameAsFQDN: false,
          terminationGracePeriodSeconds: props.terminationGracePeriod.toSeconds(),
        },
      },
    },
  });
}

function renderResources(r: ContainerResources): { requests?: object; limits?: object } | undefined {
  const mebibytes = (s: Size) => `${s.toMebibytes()}Mi`;
  const requests = { cpu: r.cpu?.request?.amount, memory: r.memory?.request && mebibytes(r.memory.request) };
  const limits = { cpu: r.cpu?.limit?.amount, memory: r.memory?.limit && mebibytes(r.memory.limit) };
  const some = (o: object) => Object.values(o).some(v => v !== undefined) ? o : undefined;
  const rendered = { requests: some(requests), limits: some(limits) };
  return some(rendered);
}

function renderSecurityContext(s: ContainerSecurityOptions) {
  return {
    runAsNonRoot: s.ensureNonRoot ?? false,
    readOnlyRootFilesystem: s.readOnlyRootFilesystem ?? false,
    privileged: s.privileged ?? false,
    allowPrivilegeEscalation: s.allowPrivilegeEscalation ?? false,
    runAsUser: s.user,
    runAsGroup: s.group,
  };
}

function renderProbe(probe: Probe, containerPort: number) {
  const o = probe._options;
  const port = probe._port ?? containerPort;
  return {
    failureThreshold: o.failureThreshold ?? 3,
    successThreshold: o.successThreshold,
    initialDelaySeconds: o.initialDelay?.toSeconds(),
    periodSeconds: o.period?.toSeconds(),
    timeoutSeconds: o.timeout?.toSeconds(),
    httpGet: probe._handler === 'httpGet' ? { path: probe._path, port, scheme: probe._scheme } : undefined,
    tcpSocket: probe._handler === 'tcpSocket' ? { port } : undefined,
    exec: probe._handler === 'exec' ? { command: probe._command } : undefined,
  };
}

function renderStrategy(s: DeploymentStrategy) {
  if (s.type !== 'RollingUpdate') return { type: s.type };
  return { type: s.type, rollingUpdate: { maxSurge: s._maxSurge!.value, maxUnavailable: s._maxUnavailable!.value } };
}

/**
 * Validates the workload settings, naming the property as the user wrote it: Kubernetes would reject these
 * (or, for a fractional quantity, round them) only when the manifest is applied.
 */
export function validateWorkloadSettings(s: WorkloadSettings): void {
  const cpu = (c: Cpu | undefined, prop: string) => {
    if (c) check(Number.isInteger(c._millis) && c._millis > 0, prop, c.amount, c._rule);
  };
  const memory = (m: Size | undefined, prop: string) => {
    if (!m) return;
    const mib = m.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    check(Number.isInteger(mib) && mib > 0, prop, `${mib}Mi`, 'must be a positive whole number of mebibytes');
  };
  cpu(s.resources?.cpu?.request, 'resources.cpu.request');
  cpu(s.resources?.cpu?.limit, 'resources.cpu.limit');
  memory(s.resources?.memory?.request, 'resources.memory.request');
  memory(s.resources?.memory?.limit, 'resources.memory.limit');
  const requested = s.resources?.cpu?.request?._millis;
  const limited = s.resources?.cpu?.limit?._millis;
  if (requested !== undefined && limited !== undefined) {
    check(limited >= requested, 'resources.cpu.limit', s.resources!.cpu!.limit!.amount,
      `must be at least 'resources.cpu.request' (${s.resources!.cpu!.request!.amount})`);
  }
  const mreq = s.resources?.memory?.request?.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  const mlim = s.resources?.memory?.limit?.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  if (mreq !== undefined && mlim !== undefined) {
    check(mlim >= mreq, 'resources.memory.limit', `${mlim}Mi`, `must be at least 'resources.memory.request' (${mreq}Mi)`);
  }

  for (const [prop, id] of [['securityContext.user', s.securityContext?.user], ['securityContext.group', s.securityContext?.group],
    ['podSecurityContext.user', s.podSecurityContext?.user], ['podSecurityContext.group', s.podSecurityContext?.group],
    ['podSecurityContext.fsGroup', s.podSecurityContext?.fsGroup]] as Array<[string, number | undefined]>) {
    if (id !== undefined) check(isIntegerIn(id, 0, 2 ** 31 - 1), prop, id, 'must be a whole number from 0 to 2147483647');
  }

  if (s.readiness) validateProbe(s.readiness, 'readiness');
  if (s.liveness) {
    validateProbe(s.liveness, 'liveness');
    const success = s.liveness._options.successThreshold;
    check(success === undefined || success === 1, 'liveness.successThreshold', success, 'must be 1: Kubernetes requires it of liveness probes');
  }

  const strategy = s.deploymentStrategy;
  if (strategy?.type === 'RollingUpdate') {
    const surge = strategy._maxSurge!;
    const unavailable = strategy._maxUnavailable!;
    validateBudget(surge, 'deploymentStrategy.maxSurge');
    validateBudget(unavailable, 'deploymentStrategy.maxUnavailable');
    check(surge._number > 0 || unavailable._number > 0, 'deploymentStrategy', 'maxSurge 0, maxUnavailable 0',
      'must let a rolling update either add or remove a pod: maxSurge and maxUnavailable cannot both be 0');
  }
}

function validateProbe(p: Probe, prop: string): void {
  const o = p._options;
  if (p._handler === 'httpGet') check(typeof p._path === 'string' && p._path.startsWith('/'), `${prop}.path`, p._path, 'must start with \'/\'');
  if (p._handler === 'exec') check((p._command ?? []).length > 0, `${prop}.command`, p._command, 'must not be empty');
  if (p._port !== undefined) checkPort(p._port, `${prop}.port`);
  for (const [name, n] of [['failureThreshold', o.failureThreshold], ['successThreshold', o.successThreshold]] as Array<[string, number | undefined]>) {
    if (n !== undefined) check(isIntegerIn(n, 1, Number.MAX_SAFE_INTEGER), `${prop}.${name}`, n, 'must be an integer of at least 1');
  }
  for (const [name, d, min] of [['initialDelay', o.initialDelay, 0], ['period', o.period, 1], ['timeout', o.timeout, 1]] as Array<[string, Duration | undefined, number]>) {
    if (!d) continue;
    const ms = d.toMilliseconds();
    check(ms % 1000 === 0 && ms / 1000 >= min, `${prop}.${name}`, d.toHumanString(),
      `must be a whole number of seconds, at least ${min}`);
  }
}

function validateBudget(b: PercentOrAbsolute, prop: string): void {
  const max = typeof b.value === 'string' ? 100 : Number.MAX_SAFE_INTEGER;
  check(isIntegerIn(b._number, 0, max), prop, b.value, b._rule);
}
