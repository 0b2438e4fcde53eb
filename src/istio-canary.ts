import { ApiObject, Chart, Duration, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { CanaryPhase } from './release/canary-phase';
import { contextNumber, contextPhase, resolveCanaryWeight } from './release/resolve-weights';
import { SYNC_WAVE_ANNOTATION, SYNC_WAVES } from './release/sync-waves';
import { createPeerAuthentication } from './security/peer-authentication';
import { GatewayApiTraffic } from './traffic/gateway-api-traffic';
import { IstioTraffic } from './traffic/istio-traffic';
import { RoutingOptions } from './traffic/routing';
import { TrafficApi } from './traffic/traffic-api';
import { CanaryGatewayOptions, TrafficVersion } from './traffic/traffic-options';
import { TrafficPolicy } from './traffic/traffic-policy';
import { validateCanary } from './validate-canary';
import { CanaryVersion, WeightedCanaryVersion } from './workloads/canary-version';
import { ContainerResources, ContainerSecurityOptions, ImagePullPolicy, PodSecurityOptions } from './workloads/container-options';
import { DeploymentStrategy } from './workloads/deployment-strategy';
import { Probe } from './workloads/probe';
import {
  createAutoscaler, createPodDisruptionBudget, defaultTerminationGracePeriod, planReplicas,
} from './workloads/production';
import { AutoscalingOptions, MutualTlsMode, PodDisruptionBudgetOptions } from './workloads/production-options';
import { SidecarInjection } from './workloads/sidecar-injection';
import { telemetryLabels } from './workloads/telemetry-labels';
import { createVersionDeployment, DEFAULT_RESOURCES, validateWorkloadSettings } from './workloads/version-deployment';

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
   * Applies to ingress traffic and to calls from inside the mesh alike. Give this or `stages`.
   *
   * @default - the weight of the selected stage of `stages`
   */
  readonly canaryWeight?: number;

  /**
   * A planned progression of canary weights, e.g. `[5, 10, 25, 50, 100]`: integers from 1 to 100, strictly
   * increasing, ending at 100. `stage` picks the current one. Give this or `canaryWeight`.
   *
   * @default - no plan: `canaryWeight` applies
   */
  readonly stages?: number[];

  /**
   * Position of the current stage in `stages`, from 1. CI can pass it without code changes through the construct
   * context key `istio-canary:<name>:stage` (e.g. `app.node.setContext('istio-canary:shop:stage', process.env.STAGE)`).
   *
   * @default - the context value, else 1
   */
  readonly stage?: number;

  /**
   * Phase of the release: progressing by weight, promoted (all traffic to the canary) or rolled back (all traffic
   * to stable). Also read from the construct context key `istio-canary:<name>:phase`.
   *
   * @default - the context value, else CanaryPhase.PROGRESSING
   */
  readonly phase?: CanaryPhase;

  /**
   * Replicas of the stable Deployment once the canary is promoted: 0 frees its resources, keeping them allows an
   * instant rollback.
   *
   * @default - stable.replicas, unchanged
   */
  readonly promotedStableReplicas?: number;

  /**
   * More versions with fixed weights, routed between stable and canary. Each gets a Deployment and a subset.
   *
   * @default - none: stable and canary only
   */
  readonly additionalVersions?: WeightedCanaryVersion[];

  /**
   * Match routes (header or cookie), mirroring, timeouts, retries, fault injection and sticky sessions, applied to
   * in-mesh and ingress traffic alike.
   *
   * @default - the weighted split only
   */
  readonly routing?: RoutingOptions;

  /**
   * DestinationRule traffic policy for every version: load balancing, connection pool, outlier detection, TLS.
   * Versions can override it with their own `trafficPolicy`.
   *
   * @default - Istio's defaults
   */
  readonly trafficPolicy?: TrafficPolicy;

  /**
   * The API that splits the traffic. With TrafficApi.GATEWAY_API each version also gets its own Service
   * (`<name>-<version>`), HTTPRoutes replace the VirtualServices, and `trafficPolicy` becomes a DestinationRule per
   * version Service; fault injection, retries and prefix header matches are refused.
   *
   * @default TrafficApi.ISTIO
   */
  readonly trafficApi?: TrafficApi;

  /**
   * An ingress Gateway and a route that splits the traffic entering through it: an Istio Gateway and a
   * VirtualService, or with TrafficApi.GATEWAY_API a Gateway API Gateway and an HTTPRoute.
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
   * @default ImagePullPolicy.IF_NOT_PRESENT
   */
  readonly imagePullPolicy?: ImagePullPolicy;

  /**
   * Compute resources of each container.
   *
   * @default - requests cpu 100m and memory 128Mi; limits memory 256Mi and no CPU limit
   */
  readonly resources?: ContainerResources;

  /**
   * Security context of each container. A setting left out keeps its default.
   *
   * @default - privileged false, allowPrivilegeEscalation false; root and a writable root filesystem are allowed
   * so that stock images such as nginx start. Set ensureNonRoot and readOnlyRootFilesystem for images that allow it.
   */
  readonly securityContext?: ContainerSecurityOptions;

  /**
   * Security context of each pod.
   *
   * @default - ensureNonRoot false (see `securityContext`)
   */
  readonly podSecurityContext?: PodSecurityOptions;

  /**
   * Readiness probe of each container. Istio rewrites probes so that they pass through its agent.
   *
   * @default - a TCP connect to the container port
   */
  readonly readiness?: Probe;

  /**
   * Liveness probe of each container.
   *
   * @default - none: a liveness probe on the wrong path restarts healthy pods
   */
  readonly liveness?: Probe;

  /**
   * DNS domain of the cluster, used in the Service's fully-qualified host.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;

  /**
   * A HorizontalPodAutoscaler (autoscaling/v2, CPU utilization) for each version that receives traffic. Its
   * Deployment then leaves `replicas` out so that the two do not fight. A version at weight 0 (a rolled-back canary,
   * the stable version after promotion) gets no autoscaler and keeps its fixed `replicas` (or
   * `promotedStableReplicas`): 0 frees it, more keeps it warm. Needs a CPU request in `resources` and a metrics
   * server. Incompatible with `proportionalReplicas`.
   *
   * @default - no autoscaler: fixed replicas
   * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
   */
  readonly autoscaling?: AutoscalingOptions;

  /**
   * A PodDisruptionBudget (policy/v1) per version, selecting exactly that version's pods. A version with 0 replicas
   * gets none: there are no pods to protect.
   *
   * @default - no PodDisruptionBudget
   * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/
   */
  readonly podDisruptionBudget?: PodDisruptionBudgetOptions;

  /**
   * How the Deployments replace their pods.
   *
   * @default - RollingUpdate with maxSurge 25% and maxUnavailable 0: a new pod must be ready before an old one goes
   * @see https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment
   */
  readonly deploymentStrategy?: DeploymentStrategy;

  /**
   * A preStop hook that runs `sleep <seconds>` in the app container before it receives SIGTERM, so that requests
   * routed to a terminating pod before every proxy learnt of its removal are still served. The image needs a `sleep`
   * binary (distroless and scratch images have none). Whole seconds, at least 1.
   *
   * @default - no preStop hook
   * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
   */
  readonly preStopPause?: Duration;

  /**
   * Time a terminating pod gets before it is killed, preStop pause included. Whole seconds, more than
   * `preStopPause`.
   *
   * @default - 30 seconds, plus `preStopPause` when given
   */
  readonly terminationGracePeriod?: Duration;

  /**
   * Total pods across versions, split by weight: each version gets round(total × weight / 100) pods, at least 1 when
   * its weight is above 0 and none at weight 0. Per-version `replicas` are then ignored; `promotedStableReplicas`
   * still applies to a promoted stable version. Incompatible with `autoscaling`.
   *
   * @default - per-version `replicas`
   */
  readonly proportionalReplicas?: number;

  /**
   * Argo CD sync-wave annotations that apply the objects in a safe order: the Namespace (wave -1), then the
   * workloads, Service, autoscalers, budgets and PeerAuthentication (0), then the DestinationRule (1), then the
   * VirtualServices and Gateway (2), so that no route names a subset before it exists.
   *
   * @default false
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
   */
  readonly syncWaves?: boolean;

  /**
   * A PeerAuthentication (security.istio.io/v1) named `<name>` that sets the mutual TLS mode of the workload's pods,
   * selected by the app label. The DestinationRule is left alone: Istio's auto mTLS already makes sidecar clients use
   * mutual TLS towards sidecar pods.
   *
   * @default - no PeerAuthentication: the mesh or namespace policy applies (PERMISSIVE unless configured)
   * @see https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
   */
  readonly mtls?: MutualTlsMode;
}

/**
 * An Istio canary release: a Deployment per version, one Service selecting them all, a DestinationRule with a
 * subset per version, VirtualServices splitting in-mesh (and, with `gateway`, ingress) traffic by weight, and
 * optionally the Gateway and a mesh-enrolled Namespace. With `trafficApi: TrafficApi.GATEWAY_API`, a Service per
 * version and Gateway API HTTPRoutes (and Gateway) take the place of the DestinationRule and VirtualServices.
 *
 * Every object is exposed for escape hatches; the inputs are validated when the construct is created.
 */
export class IstioCanary extends Construct {
  /** Namespace of every object. */
  public readonly namespace: string;

  /** Fully-qualified host of the Service, e.g. `canary.default.svc.cluster.local`. */
  public readonly host: string;

  /** The phase of the release. */
  public readonly phase: CanaryPhase;

  /** Percentage of requests routed to the stable version. */
  public readonly stableWeight: number;

  /** Percentage of requests routed to the canary version. */
  public readonly canaryWeight: number;

  /** Percentage of requests routed to each version, by version name. */
  public readonly weights: { [version: string]: number };

  /** The Namespace, when `sidecarInjection` was given. */
  public readonly namespaceResource?: ApiObject;

  /** The stable version's Deployment. */
  public readonly stableDeployment: ApiObject;

  /** The canary version's Deployment. */
  public readonly canaryDeployment: ApiObject;

  /** The Deployments of `additionalVersions`, in order. */
  public readonly additionalDeployments: ApiObject[];

  /** The Service selecting the pods of every version. */
  public readonly service: ApiObject;

  /** The Istio traffic layer (DestinationRule, VirtualServices and Gateway), with TrafficApi.ISTIO. */
  public readonly traffic?: IstioTraffic;

  /** The DestinationRule with one subset per version, with TrafficApi.ISTIO. */
  public readonly destinationRule?: ApiObject;

  /** The VirtualService splitting calls from inside the mesh, with TrafficApi.ISTIO. */
  public readonly virtualService?: ApiObject;

  /** The VirtualService splitting ingress traffic, with TrafficApi.ISTIO when `gateway` was given. */
  public readonly ingressVirtualService?: ApiObject;

  /** The Istio Gateway, with TrafficApi.ISTIO when `gateway` was given without `existingGateway`. */
  public readonly gateway?: ApiObject;

  /** The HorizontalPodAutoscalers, by version: one per version with traffic, when `autoscaling` was given. */
  public readonly autoscalers: { [version: string]: ApiObject };

  /** The PodDisruptionBudgets, by version: one per version with pods, when `podDisruptionBudget` was given. */
  public readonly podDisruptionBudgets: { [version: string]: ApiObject };

  /** The PeerAuthentication, when `mtls` was given. */
  public readonly peerAuthentication?: ApiObject;

  /** The Gateway API traffic layer (HTTPRoutes, Gateway, DestinationRules for policies), with TrafficApi.GATEWAY_API. */
  public readonly gatewayApiTraffic?: GatewayApiTraffic;

  /** The Services selecting one version each, stable first and the canary last; empty with TrafficApi.ISTIO. */
  public readonly versionServices: ApiObject[];

  /** The HTTPRoute attached to the Service, splitting calls from inside the mesh, with TrafficApi.GATEWAY_API. */
  public readonly httpRoute?: ApiObject;

  /** The HTTPRoute splitting ingress traffic, with TrafficApi.GATEWAY_API when `gateway` was given. */
  public readonly ingressHttpRoute?: ApiObject;

  /** The Gateway API Gateway, with TrafficApi.GATEWAY_API when `gateway` was given without `existingGateway`. */
  public readonly gatewayApiGateway?: ApiObject;

  constructor(scope: Construct, id: string, props: IstioCanaryProps) {
    super(scope, id);

    const appKey = props.appLabelKey ?? 'app';
    const versionKey = props.versionLabelKey ?? 'version';
    const containerPort = props.containerPort ?? props.port;
    const containerName = props.containerName ?? 'app';
    const clusterDomain = props.clusterDomain ?? 'cluster.local';
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? 'default';
    validateCanary(props, { appKey, versionKey, containerPort, containerName, clusterDomain, namespace: this.namespace });
    validateWorkloadSettings(props);

    this.host = `${props.name}.${this.namespace}.svc.${clusterDomain}`;

    const additional = props.additionalVersions ?? [];
    const stageKey = `istio-canary:${props.name}:stage`;
    const phaseKey = `istio-canary:${props.name}:phase`;
    this.phase = props.phase ?? contextPhase(this.node.tryGetContext(phaseKey), phaseKey) ?? CanaryPhase.PROGRESSING;
    const progressing = this.phase === CanaryPhase.PROGRESSING;
    // Promotion and rollback send everything to one version, additional versions included.
    const additionalWeights = additional.map(v => progressing ? v.weight : 0);
    const otherWeights = additionalWeights.reduce((a, b) => a + b, 0);
    this.canaryWeight = resolveCanaryWeight({
      name: props.name,
      canaryWeight: props.canaryWeight,
      stages: props.stages,
      stage: props.stage ?? contextNumber(this.node.tryGetContext(stageKey), stageKey),
      phase: this.phase,
      otherWeights,
    });
    this.stableWeight = 100 - this.canaryWeight - otherWeights;

    if (props.sidecarInjection) {
      this.namespaceResource = new ApiObject(this, 'Namespace', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: this.namespace, labels: { [props.sidecarInjection.labelKey]: props.sidecarInjection.labelValue } },
        spec: {},
      });
      if (Chart.of(this).namespace) {
        // cdk8s gives every object of a namespaced chart that namespace, cluster-scoped ones included.
        this.namespaceResource.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
      }
    }

    const trafficVersion = (v: CanaryVersion, weight: number): TrafficVersion => ({
      version: v.version, labels: { [versionKey]: v.version }, weight, trafficPolicy: v.trafficPolicy,
    });
    // Replicas per version (undefined: autoscaled), stable first, then the additional versions, then the canary.
    const plan = planReplicas(props, [
      { version: props.stable, weight: this.stableWeight, pinned: this.phase === CanaryPhase.PROMOTED ? props.promotedStableReplicas : undefined },
      ...additional.map((v, i) => ({ version: v, weight: additionalWeights[i] })),
      { version: props.canary, weight: this.canaryWeight },
    ]);
    this.autoscalers = {};
    this.podDisruptionBudgets = {};
    // Never fewer ready pods than asked for: maxUnavailable 0.
    const strategy = props.deploymentStrategy ?? DeploymentStrategy.rollingUpdate();
    const terminationGracePeriod = props.terminationGracePeriod ?? defaultTerminationGracePeriod(props.preStopPause);
    const deploy = (versionId: string, v: CanaryVersion, replicas: number | undefined) => {
      const selectorLabels = { [appKey]: props.name, [versionKey]: v.version };
      const deployment = createVersionDeployment(this, versionId, {
        name: v.deploymentName ?? `${props.name}-${v.version}`,
        namespace: this.namespace,
        selectorLabels,
        podLabels: { ...v.podLabels, ...telemetryLabels(appKey, versionKey, props.name, v.version) },
        replicas,
        strategy,
        preStopPause: props.preStopPause,
        terminationGracePeriod,
        image: v.image,
        env: v.env ?? {},
        containerName,
        containerPort,
        portName: PORT_NAME,
        imagePullPolicy: props.imagePullPolicy ?? ImagePullPolicy.IF_NOT_PRESENT,
        resources: props.resources ?? DEFAULT_RESOURCES,
        securityContext: props.securityContext ?? {},
        podSecurityContext: props.podSecurityContext ?? {},
        readiness: props.readiness,
        liveness: props.liveness,
      });
      if (props.autoscaling && replicas === undefined) {
        this.autoscalers[v.version] = createAutoscaler(this, `${versionId}Autoscaler`, deployment, selectorLabels, props.autoscaling);
      }
      if (props.podDisruptionBudget && replicas !== 0) {
        this.podDisruptionBudgets[v.version] = createPodDisruptionBudget(this, `${versionId}DisruptionBudget`, {
          name: deployment.name, namespace: this.namespace, selectorLabels, options: props.podDisruptionBudget,
        });
      }
      return deployment;
    };
    this.stableDeployment = deploy('Stable', props.stable, plan[0]);
    this.additionalDeployments = additional.map((v, i) => deploy(`Version-${v.version}`, v, plan[i + 1]));
    this.canaryDeployment = deploy('Canary', props.canary, plan[plan.length - 1]);

    // The shared Service and, with Gateway API, each version's Service expose the same named port.
    const service = (serviceId: string, name: string, selector: { [key: string]: string }) => new ApiObject(this, serviceId, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: this.namespace, labels: { ...selector } },
      spec: {
        type: 'ClusterIP',
        ports: [{ name: PORT_NAME, port: props.port, targetPort: containerPort, protocol: 'TCP' }],
        selector: { ...selector },
      },
    });
    this.service = service('Service', props.name, { [appKey]: props.name });

    if (props.mtls) {
      this.peerAuthentication = createPeerAuthentication(this, 'PeerAuthentication', {
        name: props.name, namespace: this.namespace, appLabels: { [appKey]: props.name }, mode: props.mtls,
      });
    }

    // Stable first and the canary last: match routes and mirroring default to the last version.
    const versions = [
      trafficVersion(props.stable, this.stableWeight),
      ...additional.map((v, i) => trafficVersion(v, additionalWeights[i])),
      trafficVersion(props.canary, this.canaryWeight),
    ];
    this.weights = { [props.stable.version]: this.stableWeight, [props.canary.version]: this.canaryWeight };
    additional.forEach((v, i) => this.weights[v.version] = additionalWeights[i]);

    if ((props.trafficApi ?? TrafficApi.ISTIO) === TrafficApi.GATEWAY_API) {
      // Gateway API splits between Services: one per version, beside the shared one callers use.
      const versionServiceNames: { [version: string]: string } = {};
      this.versionServices = versions.map(v => {
        const serviceName = `${props.name}-${v.version}`;
        versionServiceNames[v.version] = serviceName;
        return service(`VersionService-${v.version}`, serviceName, { [appKey]: props.name, [versionKey]: v.version });
      });
      this.gatewayApiTraffic = new GatewayApiTraffic(this, 'Traffic', {
        name: props.name,
        namespace: this.namespace,
        serviceName: props.name,
        port: props.port,
        versions,
        versionServices: versionServiceNames,
        gateway: props.gateway,
        routing: props.routing,
        trafficPolicy: props.trafficPolicy,
        clusterDomain,
      });
      this.httpRoute = this.gatewayApiTraffic.httpRoute;
      this.ingressHttpRoute = this.gatewayApiTraffic.ingressHttpRoute;
      this.gatewayApiGateway = this.gatewayApiTraffic.gateway;
      // Make-before-break: a route to a Service that does not exist yet fails its requests.
      for (const route of [this.httpRoute, this.ingressHttpRoute]) {
        for (const backend of this.versionServices) route?.addDependency(backend);
      }
    } else {
      this.versionServices = [];
      this.traffic = new IstioTraffic(this, 'Traffic', {
        name: props.name,
        namespace: this.namespace,
        host: this.host,
        versions,
        gateway: props.gateway,
        routing: props.routing,
        trafficPolicy: props.trafficPolicy,
      });
      this.destinationRule = this.traffic.destinationRule;
      this.virtualService = this.traffic.virtualService;
      this.ingressVirtualService = this.traffic.ingressVirtualService;
      this.gateway = this.traffic.gateway;
    }

    const namespace = this.namespaceResource;
    if (namespace) {
      // The Namespace (and its injection label) must exist before any pod or other object is created in it.
      for (const child of this.node.children) {
        if (child !== namespace) child.node.addDependency(namespace);
      }
    }
    if (props.syncWaves) this.addSyncWaves();
  }

  /** Argo CD sync waves: Namespace, then workloads and Service, then the DestinationRule, then the routes to it. */
  private addSyncWaves(): void {
    const wave = (metadata: { addAnnotation(key: string, value: string): void }, n: number) =>
      metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(n));
    if (this.namespaceResource) wave(this.namespaceResource.metadata, SYNC_WAVES.namespace);
    const workloads = [this.stableDeployment, ...this.additionalDeployments, this.canaryDeployment, this.service, ...this.versionServices,
      ...Object.values(this.autoscalers), ...Object.values(this.podDisruptionBudgets), ...(this.peerAuthentication ? [this.peerAuthentication] : [])];
    for (const workload of workloads) wave(workload.metadata, SYNC_WAVES.workload);
    // With Gateway API, per-version DestinationRules carry traffic policies and HTTPRoutes do the routing.
    for (const rule of [this.destinationRule, ...(this.gatewayApiTraffic?.destinationRules ?? [])]) {
      if (rule) wave(rule.metadata, SYNC_WAVES.destinationRule);
    }
    const routes = [this.virtualService, this.ingressVirtualService, this.gateway, this.httpRoute, this.ingressHttpRoute, this.gatewayApiGateway];
    for (const routing of routes) {
      if (routing) wave(routing.metadata, SYNC_WAVES.routing);
    }
  }
}
