import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as istio from '../imports/networking.istio.io';
import { IstioTraffic } from './traffic/istio-traffic';
import { CanaryGatewayOptions } from './traffic/traffic-options';
import {
  check, isDns1035Label, isDns1123Label, isIntegerIn, isLabelKey, isLabelValue, isNonBlank,
  RULE_DNS1035_LABEL, RULE_DNS1123_LABEL, RULE_LABEL_KEY, RULE_LABEL_VALUE,
} from './validation';
import { CanaryVersion } from './workloads/canary-version';
import { SidecarInjection } from './workloads/sidecar-injection';
import {
  createVersionDeployment, DEFAULT_POD_SECURITY_CONTEXT, DEFAULT_RESOURCES, DEFAULT_SECURITY_CONTEXT,
} from './workloads/version-deployment';

/**
 * Ports the Istio sidecar itself listens on; an application port among them collides with Envoy.
 *
 * @see https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio
 */
const ISTIO_RESERVED_PORTS = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

/** The Service port name: the `http` prefix is how Istio knows the protocol without sniffing. */
const PORT_NAME = 'http';

/**
 * Properties of {@link IstioCanary}.
 */
export interface IstioCanaryProps {
  /**
   * Name of the workload: the Service, the DestinationRule and the in-mesh VirtualService carry it, and it is the
   * value of the app label on every pod. Must be a DNS-1035 label, as Kubernetes requires of Service names.
   */
  readonly name: string;

  /**
   * Namespace of every object.
   *
   * @default - the chart's namespace, or `default`
   */
  readonly namespace?: string;

  /**
   * Port of the Service, named `http` so that Istio treats the traffic as HTTP.
   */
  readonly port: number;

  /**
   * Port the container listens on; the Service's `targetPort`.
   *
   * @default - the same as `port`
   */
  readonly containerPort?: number;

  /**
   * The version that serves most traffic today.
   */
  readonly stable: CanaryVersion;

  /**
   * The version being tried.
   */
  readonly canary: CanaryVersion;

  /**
   * Percentage of requests routed to the canary, an integer from 0 to 100; the stable version gets the rest.
   * Applies to ingress traffic and to calls from inside the mesh alike.
   */
  readonly canaryWeight: number;

  /**
   * An Istio ingress Gateway and a VirtualService that splits the traffic entering through it.
   *
   * @default - no Gateway: only callers inside the mesh reach the workload
   */
  readonly gateway?: CanaryGatewayOptions;

  /**
   * Label key whose value is `name` on every pod. The Service selects pods by it.
   *
   * @default 'app'
   * @see https://istio.io/latest/docs/ops/deployment/application-requirements/
   */
  readonly appLabelKey?: string;

  /**
   * Label key whose value is the version on each pod. DestinationRule subsets and Deployment selectors use it.
   *
   * @default 'version'
   */
  readonly versionLabelKey?: string;

  /**
   * Synthesizes the Namespace, labelled so that Istio injects its sidecar into the pods.
   * Without a sidecar (or a waypoint) no VirtualService applies to the pods' callers.
   *
   * @default - no Namespace object: the namespace must exist and be enrolled in the mesh already
   */
  readonly sidecarInjection?: SidecarInjection;

  /**
   * Name of the container in each pod.
   *
   * @default 'app'
   */
  readonly containerName?: string;

  /**
   * Image pull policy of the containers.
   *
   * @default kplus.ImagePullPolicy.IF_NOT_PRESENT
   */
  readonly imagePullPolicy?: kplus.ImagePullPolicy;

  /**
   * Compute resources of each container.
   *
   * @default - requests cpu 100m and memory 128Mi; limits memory 256Mi and no CPU limit
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Security context of each container.
   *
   * @default - privileged false, allowPrivilegeEscalation false; root and a writable root filesystem are allowed
   * so that stock images such as nginx start. Set ensureNonRoot and readOnlyRootFilesystem for images that allow it.
   */
  readonly securityContext?: kplus.ContainerSecurityContextProps;

  /**
   * Security context of each pod.
   *
   * @default - ensureNonRoot false (see `securityContext`)
   */
  readonly podSecurityContext?: kplus.PodSecurityContextProps;

  /**
   * Readiness probe of each container. Istio rewrites probes so that they pass through its agent.
   *
   * @default - a TCP connect to the container port
   */
  readonly readiness?: kplus.Probe;

  /**
   * Liveness probe of each container.
   *
   * @default - none: a liveness probe on the wrong path restarts healthy pods
   */
  readonly liveness?: kplus.Probe;

  /**
   * DNS domain of the cluster, used in the Service's fully-qualified host.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/**
 * An Istio canary release: a Deployment per version, one Service selecting them all, a DestinationRule with a
 * subset per version, VirtualServices splitting in-mesh (and, with `gateway`, ingress) traffic by weight, and
 * optionally the Gateway and a mesh-enrolled Namespace.
 *
 * Every object is exposed for escape hatches; the inputs are validated when the construct is created.
 */
export class IstioCanary extends Construct {
  /** Namespace of every object. */
  public readonly namespace: string;

  /** Fully-qualified host of the Service, e.g. `canary.default.svc.cluster.local`. */
  public readonly host: string;

  /** Percentage of requests routed to the stable version. */
  public readonly stableWeight: number;

  /** Percentage of requests routed to the canary version. */
  public readonly canaryWeight: number;

  /** The Namespace, when `sidecarInjection` was given. */
  public readonly namespaceResource?: kplus.Namespace;

  /** The stable version's Deployment. */
  public readonly stableDeployment: kplus.Deployment;

  /** The canary version's Deployment. */
  public readonly canaryDeployment: kplus.Deployment;

  /** The Service selecting the pods of every version. */
  public readonly service: kplus.Service;

  /** The traffic layer: DestinationRule, VirtualServices and Gateway. */
  public readonly traffic: IstioTraffic;

  /** The DestinationRule: one subset per version. */
  public readonly destinationRule: istio.DestinationRule;

  /** The VirtualService splitting calls from inside the mesh. */
  public readonly virtualService: istio.VirtualService;

  /** The VirtualService splitting ingress traffic, when `gateway` was given. */
  public readonly ingressVirtualService?: istio.VirtualService;

  /** The Gateway, when `gateway` was given. */
  public readonly gateway?: istio.Gateway;

  constructor(scope: Construct, id: string, props: IstioCanaryProps) {
    super(scope, id);

    const appKey = props.appLabelKey ?? 'app';
    const versionKey = props.versionLabelKey ?? 'version';
    const containerPort = props.containerPort ?? props.port;
    const containerName = props.containerName ?? 'app';
    const clusterDomain = props.clusterDomain ?? 'cluster.local';
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? 'default';
    validateCanary(props, { appKey, versionKey, containerPort, containerName, clusterDomain, namespace: this.namespace });

    this.host = `${props.name}.${this.namespace}.svc.${clusterDomain}`;
    this.canaryWeight = props.canaryWeight;
    this.stableWeight = 100 - props.canaryWeight;

    if (props.sidecarInjection) {
      this.namespaceResource = new kplus.Namespace(this, 'Namespace', {
        metadata: { name: this.namespace, labels: { [props.sidecarInjection.labelKey]: props.sidecarInjection.labelValue } },
      });
      if (Chart.of(this).namespace) {
        // cdk8s gives every object of a namespaced chart that namespace, cluster-scoped ones included.
        ApiObject.of(this.namespaceResource).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
      }
    }

    const deploy = (versionId: string, v: CanaryVersion) => createVersionDeployment(this, versionId, {
      name: v.deploymentName ?? `${props.name}-${v.version}`,
      namespace: this.namespace,
      selectorLabels: { [appKey]: props.name, [versionKey]: v.version },
      podLabels: v.podLabels ?? {},
      replicas: v.replicas ?? 1,
      image: v.image,
      env: v.env ?? {},
      containerName,
      containerPort,
      portName: PORT_NAME,
      imagePullPolicy: props.imagePullPolicy ?? kplus.ImagePullPolicy.IF_NOT_PRESENT,
      resources: props.resources ?? DEFAULT_RESOURCES,
      securityContext: props.securityContext ?? DEFAULT_SECURITY_CONTEXT,
      podSecurityContext: props.podSecurityContext ?? DEFAULT_POD_SECURITY_CONTEXT,
      readiness: props.readiness,
      liveness: props.liveness,
    });
    this.stableDeployment = deploy('Stable', props.stable);
    this.canaryDeployment = deploy('Canary', props.canary);

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: props.name, namespace: this.namespace, labels: { [appKey]: props.name } },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: PORT_NAME, port: props.port, targetPort: containerPort, protocol: kplus.Protocol.TCP }],
    });
    this.service.selectLabel(appKey, props.name);

    this.traffic = new IstioTraffic(this, 'Traffic', {
      name: props.name,
      namespace: this.namespace,
      host: this.host,
      versions: [
        { version: props.stable.version, labels: { [versionKey]: props.stable.version }, weight: this.stableWeight },
        { version: props.canary.version, labels: { [versionKey]: props.canary.version }, weight: this.canaryWeight },
      ],
      gateway: props.gateway,
    });
    this.destinationRule = this.traffic.destinationRule;
    this.virtualService = this.traffic.virtualService;
    this.ingressVirtualService = this.traffic.ingressVirtualService;
    this.gateway = this.traffic.gateway;

    if (this.namespaceResource) {
      // The Namespace (and its injection label) must exist before any pod is created in it.
      for (const child of [this.stableDeployment, this.canaryDeployment, this.service, this.traffic]) {
        child.node.addDependency(this.namespaceResource);
      }
    }
    // Make-before-break: a VirtualService routing to a subset the DestinationRule does not define yet fails with 503s.
    for (const vs of [this.virtualService, this.ingressVirtualService]) {
      if (vs) ApiObject.of(vs).addDependency(this.destinationRule);
    }
  }
}

interface ResolvedNames {
  readonly appKey: string;
  readonly versionKey: string;
  readonly containerPort: number;
  readonly containerName: string;
  readonly clusterDomain: string;
  readonly namespace: string;
}

function validateCanary(props: IstioCanaryProps, r: ResolvedNames): void {
  check(isDns1035Label(props.name), 'name', props.name, RULE_DNS1035_LABEL);
  check(isDns1123Label(r.namespace), 'namespace', r.namespace, RULE_DNS1123_LABEL);
  check(isIntegerIn(props.port, 1, 65535), 'port', props.port, 'must be an integer from 1 to 65535');
  check(isIntegerIn(r.containerPort, 1, 65535), 'containerPort', r.containerPort, 'must be an integer from 1 to 65535');
  check(!ISTIO_RESERVED_PORTS.includes(r.containerPort), 'containerPort', r.containerPort,
    `must not be a port the Istio sidecar listens on (${ISTIO_RESERVED_PORTS.join(', ')})`);
  check(isIntegerIn(props.canaryWeight, 0, 100), 'canaryWeight', props.canaryWeight, 'must be an integer from 0 to 100');
  check(isDns1123Label(r.containerName), 'containerName', r.containerName, RULE_DNS1123_LABEL);
  check(isNonBlank(r.clusterDomain) && !/\s/.test(r.clusterDomain), 'clusterDomain', r.clusterDomain, 'must be a DNS domain such as cluster.local');
  check(isLabelKey(r.appKey), 'appLabelKey', r.appKey, RULE_LABEL_KEY);
  check(isLabelKey(r.versionKey), 'versionLabelKey', r.versionKey, RULE_LABEL_KEY);
  check(r.appKey !== r.versionKey, 'versionLabelKey', r.versionKey, 'must differ from \'appLabelKey\'');

  for (const [prop, v] of [['stable', props.stable], ['canary', props.canary]] as const) {
    check(isDns1123Label(v.version), `${prop}.version`, v.version, RULE_DNS1123_LABEL);
    check(isNonBlank(v.image) && !/\s/.test(v.image), `${prop}.image`, v.image, 'must be a non-empty image reference without spaces');
    if (v.replicas !== undefined) {
      check(isIntegerIn(v.replicas, 0, Number.MAX_SAFE_INTEGER), `${prop}.replicas`, v.replicas, 'must be a non-negative integer');
    }
    if (v.deploymentName !== undefined) {
      check(isDns1123Label(v.deploymentName), `${prop}.deploymentName`, v.deploymentName, RULE_DNS1123_LABEL);
    }
    for (const [key, value] of Object.entries(v.podLabels ?? {})) {
      check(key !== r.appKey && key !== r.versionKey, `${prop}.podLabels`, key,
        `must not set '${r.appKey}' or '${r.versionKey}', the labels the Service, selectors and subsets rely on`);
      check(isLabelKey(key), `${prop}.podLabels`, key, RULE_LABEL_KEY);
      check(isLabelValue(value), `${prop}.podLabels.${key}`, value, RULE_LABEL_VALUE);
    }
  }
  check(props.canary.version !== props.stable.version, 'canary.version', props.canary.version,
    'must differ from \'stable.version\': each version needs its own subset and pods');
  const stableName = props.stable.deploymentName ?? `${props.name}-${props.stable.version}`;
  const canaryName = props.canary.deploymentName ?? `${props.name}-${props.canary.version}`;
  check(stableName !== canaryName, 'canary.deploymentName', canaryName, 'must differ from the stable Deployment\'s name');
}
