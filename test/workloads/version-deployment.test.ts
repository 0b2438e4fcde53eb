import { Duration, Size } from 'cdk8s';
import {
  Cpu, DeploymentStrategy, ImagePullPolicy, PercentOrAbsolute, Probe, ProbeScheme,
} from '../../src';
import { baseProps, synthCanary } from '../support/fixtures';
import { Manifest, one } from '../support/manifests';
import { validateAgainstUpstreamSchemas } from '../support/schemas';

const container = (manifests: Manifest[], name = 'canary-v1') => one(manifests, 'Deployment', name).spec.template.spec.containers[0];
const podSpec = (manifests: Manifest[], name = 'canary-v1') => one(manifests, 'Deployment', name).spec.template.spec;

describe('probes', () => {
  test('an HTTP GET probe targets the container port over HTTP unless told otherwise, with the given timing', async () => {
    // GIVEN an HTTP readiness probe with timing and an HTTPS liveness probe on another port
    const { manifests } = synthCanary(baseProps({
      containerPort: 8080,
      readiness: Probe.httpGet('/ready', {
        initialDelay: Duration.seconds(2), period: Duration.seconds(5), timeout: Duration.seconds(3), failureThreshold: 2, successThreshold: 2,
      }),
      liveness: Probe.httpGet('/live', { port: 9090, scheme: ProbeScheme.HTTPS }),
    }));
    // THEN both render as Kubernetes probes, with 3 failures by default
    expect(container(manifests).readinessProbe).toEqual({
      httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' },
      initialDelaySeconds: 2,
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 2,
      successThreshold: 2,
    });
    expect(container(manifests).livenessProbe).toEqual({ httpGet: { path: '/live', port: 9090, scheme: 'HTTPS' }, failureThreshold: 3 });
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('a TCP probe can target another port, and a command probe runs without a shell', async () => {
    const { manifests } = synthCanary(baseProps({
      readiness: Probe.tcpSocket({ port: 9000 }),
      liveness: Probe.command(['cat', '/tmp/healthy'], { period: Duration.seconds(20) }),
    }));
    expect(container(manifests).readinessProbe).toEqual({ tcpSocket: { port: 9000 }, failureThreshold: 3 });
    expect(container(manifests).livenessProbe).toEqual({ exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 20, failureThreshold: 3 });
    await validateAgainstUpstreamSchemas(manifests);
  });
});

describe('resources, security contexts and pull policy', () => {
  test('resources render as Kubernetes quantities, and only the parts given', () => {
    const { manifests } = synthCanary(baseProps({
      resources: { cpu: { request: Cpu.units(0.5), limit: Cpu.units(1.1) }, memory: { limit: Size.gibibytes(1) } },
    }));
    expect(container(manifests).resources).toEqual({ requests: { cpu: '0.5' }, limits: { cpu: '1.1', memory: '1024Mi' } });
  });

  test('empty resources leave the field out', () => {
    const { manifests } = synthCanary(baseProps({ resources: {} }));
    expect(container(manifests).resources).toBeUndefined();
  });

  test('each security setting left out keeps the library default, not Kubernetes\'', () => {
    // GIVEN only a user id for the container and an fsGroup for the pod
    const { manifests } = synthCanary(baseProps({ securityContext: { user: 101 }, podSecurityContext: { fsGroup: 2000, group: 3000 } }));
    // THEN the other settings stay at the defaults: no privilege, no escalation, root allowed, writable root
    expect(container(manifests).securityContext).toEqual({
      runAsUser: 101, runAsNonRoot: false, readOnlyRootFilesystem: false, privileged: false, allowPrivilegeEscalation: false,
    });
    expect(podSpec(manifests).securityContext).toEqual({ runAsNonRoot: false, fsGroup: 2000, runAsGroup: 3000, fsGroupChangePolicy: 'Always' });
  });

  test('every security setting given reaches the manifest', () => {
    const { manifests } = synthCanary(baseProps({
      securityContext: {
        ensureNonRoot: true, readOnlyRootFilesystem: true, privileged: true, allowPrivilegeEscalation: true, user: 1000, group: 1001,
      },
      podSecurityContext: { ensureNonRoot: true, user: 2000, group: 2001, fsGroup: 2002 },
    }));
    expect(container(manifests).securityContext).toEqual({
      runAsNonRoot: true, readOnlyRootFilesystem: true, privileged: true, allowPrivilegeEscalation: true, runAsUser: 1000, runAsGroup: 1001,
    });
    expect(podSpec(manifests, 'canary-v2').securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 2000, runAsGroup: 2001, fsGroup: 2002, fsGroupChangePolicy: 'Always',
    });
  });

  test('the pull policy applies to every version', () => {
    const { manifests } = synthCanary(baseProps({ imagePullPolicy: ImagePullPolicy.NEVER }));
    expect(['canary-v1', 'canary-v2'].map(n => container(manifests, n).imagePullPolicy)).toEqual(['Never', 'Never']);
  });

  test('env variables keep their order and are left out when there are none', () => {
    const { manifests } = synthCanary(baseProps({ stable: { version: 'v1', image: 'img:1', env: { B: '2', A: '1' } } }));
    expect(container(manifests).env).toEqual([{ name: 'B', value: '2' }, { name: 'A', value: '1' }]);
    expect(container(manifests, 'canary-v2').env).toBeUndefined();
  });
});

describe('deployment strategy', () => {
  test('a rolling update takes the given budgets, and the unspecified one keeps its default', () => {
    const { manifests } = synthCanary(baseProps({
      deploymentStrategy: DeploymentStrategy.rollingUpdate({ maxSurge: PercentOrAbsolute.absolute(1) }),
    }));
    expect(one(manifests, 'Deployment', 'canary-v1').spec.strategy).toEqual({
      type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
  });

  test('percentages render as strings', () => {
    const { manifests } = synthCanary(baseProps({
      deploymentStrategy: DeploymentStrategy.rollingUpdate({ maxSurge: PercentOrAbsolute.percent(0), maxUnavailable: PercentOrAbsolute.percent(10) }),
    }));
    expect(one(manifests, 'Deployment', 'canary-v2').spec.strategy.rollingUpdate).toEqual({ maxSurge: '0%', maxUnavailable: '10%' });
  });
});

describe('bad workload settings are refused with the property, the value and the rule', () => {
  test.each<[string, Parameters<typeof baseProps>[0], string]>([
    ['fractional millicores', { resources: { cpu: { request: Cpu.millis(0.5) } } }, '\'resources.cpu.request\' must be a positive whole number of millicores, got "0.5m"'],
    ['zero CPUs', { resources: { cpu: { limit: Cpu.units(0) } } }, '\'resources.cpu.limit\' must be a positive number of CPUs, with at most 3 decimals, got "0"'],
    ['too fine CPUs', { resources: { cpu: { limit: Cpu.units(0.0001) } } }, '\'resources.cpu.limit\' must be a positive number of CPUs, with at most 3 decimals, got "0.0001"'],
    ['CPU limit below request', { resources: { cpu: { request: Cpu.millis(500), limit: Cpu.millis(200) } } }, '\'resources.cpu.limit\' must be at least \'resources.cpu.request\' (500m), got "200m"'],
    ['memory in kibibytes', { resources: { memory: { request: Size.kibibytes(1536) } } }, '\'resources.memory.request\' must be a positive whole number of mebibytes, got "1.5Mi"'],
    ['memory limit below request', { resources: { memory: { request: Size.mebibytes(512), limit: Size.mebibytes(256) } } }, '\'resources.memory.limit\' must be at least \'resources.memory.request\' (512Mi), got "256Mi"'],
    ['negative user', { securityContext: { user: -1 } }, '\'securityContext.user\' must be a whole number from 0 to 2147483647, got -1'],
    ['fractional group', { securityContext: { group: 0.5 } }, '\'securityContext.group\' must be a whole number from 0 to 2147483647, got 0.5'],
    ['pod user too large', { podSecurityContext: { user: 2 ** 31 } }, '\'podSecurityContext.user\' must be a whole number from 0 to 2147483647, got 2147483648'],
    ['negative pod group', { podSecurityContext: { group: -5 } }, '\'podSecurityContext.group\' must be a whole number from 0 to 2147483647, got -5'],
    ['fractional fsGroup', { podSecurityContext: { fsGroup: 1.5 } }, '\'podSecurityContext.fsGroup\' must be a whole number from 0 to 2147483647, got 1.5'],
    ['relative probe path', { readiness: Probe.httpGet('healthz') }, '\'readiness.path\' must start with \'/\', got "healthz"'],
    ['empty probe command', { liveness: Probe.command([]) }, '\'liveness.command\' must not be empty, got []'],
    ['probe port 0', { readiness: Probe.tcpSocket({ port: 0 }) }, '\'readiness.port\' must be an integer from 1 to 65535, got 0'],
    ['failure threshold 0', { readiness: Probe.tcpSocket({ failureThreshold: 0 }) }, '\'readiness.failureThreshold\' must be an integer of at least 1, got 0'],
    ['success threshold 0', { readiness: Probe.tcpSocket({ successThreshold: 0 }) }, '\'readiness.successThreshold\' must be an integer of at least 1, got 0'],
    ['fractional initial delay', { liveness: Probe.tcpSocket({ initialDelay: Duration.millis(500) }) }, '\'liveness.initialDelay\' must be a whole number of seconds, at least 0, got "500 millis"'],
    ['zero timeout', { readiness: Probe.httpGet('/ready', { timeout: Duration.seconds(0) }) }, '\'readiness.timeout\' must be a whole number of seconds, at least 1, got'],
    ['fractional memory limit', { resources: { memory: { limit: Size.kibibytes(512) } } }, '\'resources.memory.limit\' must be a positive whole number of mebibytes, got "0.5Mi"'],
    ['fractional period', { readiness: Probe.tcpSocket({ period: Duration.millis(1500) }) }, '\'readiness.period\' must be a whole number of seconds, at least 1, got "1 second 500 millis"'],
    ['liveness success threshold 2', { liveness: Probe.httpGet('/live', { successThreshold: 2 }) }, '\'liveness.successThreshold\' must be 1: Kubernetes requires it of liveness probes, got 2'],
    ['both budgets 0', { deploymentStrategy: DeploymentStrategy.rollingUpdate({ maxSurge: PercentOrAbsolute.percent(0) }) }, '\'deploymentStrategy\' must let a rolling update either add or remove a pod: maxSurge and maxUnavailable cannot both be 0'],
    ['percentage above 100', { deploymentStrategy: DeploymentStrategy.rollingUpdate({ maxUnavailable: PercentOrAbsolute.percent(150) }) }, '\'deploymentStrategy.maxUnavailable\' must be a whole percentage from 0 to 100, got "150%"'],
    ['negative surge', { deploymentStrategy: DeploymentStrategy.rollingUpdate({ maxSurge: PercentOrAbsolute.absolute(-1) }) }, '\'deploymentStrategy.maxSurge\' must be a whole number of pods, at least 0, got -1'],
  ])('%s', (_name, overrides, message) => {
    expect(() => synthCanary(baseProps(overrides))).toThrow(message);
  });
});
