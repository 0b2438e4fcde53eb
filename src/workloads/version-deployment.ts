import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/**
 * Container security defaults. cdk8s-plus-27 defaults to `runAsNonRoot: true` and a read-only root filesystem,
 * which stop stock images such as nginx (root, writes to /var/cache and /var/run) from starting; a canary that
 * never becomes ready is worse than no canary. Privilege escalation stays off.
 */
export const DEFAULT_SECURITY_CONTEXT: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: false,
  readOnlyRootFilesystem: false,
  privileged: false,
  allowPrivilegeEscalation: false,
};

/** Pod-level counterpart of {@link DEFAULT_SECURITY_CONTEXT}. */
export const DEFAULT_POD_SECURITY_CONTEXT: kplus.PodSecurityContextProps = {
  ensureNonRoot: false,
};

/**
 * Requests small enough for a canary of one replica to schedule anywhere. No CPU limit: CFS throttling adds
 * latency to exactly the requests a canary is judged by. A memory limit, because memory is not compressible.
 */
export const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
};

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
  readonly imagePullPolicy: kplus.ImagePullPolicy;
  readonly resources: kplus.ContainerResources;
  readonly securityContext: kplus.ContainerSecurityContextProps;
  readonly podSecurityContext: kplus.PodSecurityContextProps;
  readonly readiness?: kplus.Probe;
  readonly liveness?: kplus.Probe;
  readonly strategy: kplus.DeploymentStrategy;
  /** Pause of the preStop hook: `sleep <seconds>` in the app container. */
  readonly preStopPause?: Duration;
  readonly terminationGracePeriod: Duration;
}

/**
 * A cdk8s-plus-27 Deployment for one version, selecting its pods by the app and version labels only
 * (not cdk8s-plus's generated address label), so that the selector a reader sees is the one subsets rely on.
 *
 * Not part of the public API: reach the result through `IstioCanary`.
 */
export function createVersionDeployment(scope: Construct, id: string, props: VersionDeploymentProps): kplus.Deployment {
  const envVariables: { [name: string]: kplus.EnvValue } = {};
  for (const [key, value] of Object.entries(props.env)) {
    envVariables[key] = kplus.EnvValue.fromValue(value);
  }
  const deployment = new kplus.Deployment(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.selectorLabels },
    replicas: props.replicas,
    strategy: props.strategy,
    terminationGracePeriod: props.terminationGracePeriod,
    select: false,
    podMetadata: { labels: { ...props.podLabels, ...props.selectorLabels } },
    securityContext: props.podSecurityContext,
    containers: [{
      name: props.containerName,
      image: props.image,
      imagePullPolicy: props.imagePullPolicy,
      ports: [{ number: props.containerPort, name: props.portName }],
      envVariables,
      resources: props.resources,
      securityContext: props.securityContext,
      readiness: props.readiness ?? kplus.Probe.fromTcpSocket({ port: props.containerPort }),
      liveness: props.liveness,
      // The endpoint removal reaches every sidecar and gateway a moment after the pod starts terminating; until then
      // they still send it requests. Pausing before SIGTERM lets those requests be served.
      lifecycle: props.preStopPause
        ? { preStop: kplus.Handler.fromCommand(['sleep', String(props.preStopPause.toSeconds())]) }
        : undefined,
    }],
  });
  deployment.select(kplus.LabelSelector.of({ labels: props.selectorLabels }));
  return deployment;
}
