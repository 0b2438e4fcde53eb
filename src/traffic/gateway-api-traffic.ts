import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { cookieRegex } from './cookies';
import { gatewayApiDuration } from './durations';
import { renderTrafficPolicy, WireDestinationRuleSpec } from './render-traffic-policy';
import { canaryOf, gatewayName, gatewayPort, matchRouteName, stickyCookie, stickyVersions } from './route-parts';
import { MatchType, RoutingOptions } from './routing';
import { TrafficApi } from './traffic-api';
import { CanaryGatewayOptions, TrafficVersion } from './traffic-options';
import { TrafficPolicy } from './traffic-policy';
import {
  unsupported, validateGateway, validateGatewayApiRouting, validateRouting, validateTrafficPolicy, validateVersions,
} from './validate-traffic';
import * as gwapi from '../../imports/gateway.networking.k8s.io';
import * as istio from '../../imports/networking.istio.io';
import { check, checkPort, isDns1035Label, isDns1123Label, isNonBlank, RULE_DNS1035_LABEL, RULE_DNS1123_LABEL } from '../validation';

/**
 * Inputs of the Gateway API traffic layer: the same as {@link IstioTrafficProps}, plus the Services it routes
 * between, since Gateway API splits traffic between Services rather than DestinationRule subsets.
 */
export interface GatewayApiTrafficProps {
  /**
   * Name of the in-mesh HTTPRoute; the ingress objects derive theirs from it.
   */
  readonly name: string;

  /**
   * Namespace of every object; the Services live there too.
   */
  readonly namespace: string;

  /**
   * Name of the Service that callers use, selecting the pods of every version. The in-mesh HTTPRoute attaches to it
   * (GAMMA), so calls to it are split.
   */
  readonly serviceName: string;

  /**
   * The Service port the routes attach to and forward to, the same on the shared and the per-version Services.
   */
  readonly port: number;

  /**
   * The versions and their weights, in route order. Weights sum to 100. The last one is the canary: match routes
   * and mirroring target it unless they name another version.
   */
  readonly versions: TrafficVersion[];

  /**
   * Name of the Service selecting only that version's pods, by version name: the backends of the routes.
   * Every version needs one.
   */
  readonly versionServices: { [version: string]: string };

  /**
   * An ingress Gateway (class `istio` by default) and an HTTPRoute attached to it, or an HTTPRoute attached to an
   * existing Gateway.
   *
   * @default - no Gateway: only in-mesh callers are routed
   */
  readonly gateway?: CanaryGatewayOptions;

  /**
   * Match routes, mirroring, timeouts and sticky sessions. Fault injection, retries and prefix header matches
   * cannot be expressed with Gateway API and are refused.
   *
   * @default - the weighted split only
   */
  readonly routing?: RoutingOptions;

  /**
   * Traffic policy of every version's Service (load balancing, connection pool, outlier detection, TLS), applied
   * by Istio through a DestinationRule per version Service.
   *
   * @default - Istio's defaults
   */
  readonly trafficPolicy?: TrafficPolicy;

  /**
   * DNS domain of the cluster, used in the hosts of the DestinationRules that carry traffic policies.
   *
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/**
 * The Kubernetes Gateway API traffic layer of a canary, as Istio implements it: an HTTPRoute attached to the shared
 * Service (GAMMA) that splits in-mesh traffic by weight between the per-version Services, and optionally a Gateway
 * with a second HTTPRoute that splits ingress traffic the same way. Works with sidecars and with ambient mode's
 * waypoints.
 *
 * Traffic policies become one DestinationRule per version Service host, without subsets.
 *
 * @see https://gateway-api.sigs.k8s.io/mesh/
 */
export class GatewayApiTraffic extends Construct {
  /** The HTTPRoute attached to the shared Service: splits calls from inside the mesh. */
  public readonly httpRoute: ApiObject;

  /** The Gateway, when `gateway` was given without `existingGateway`. */
  public readonly gateway?: ApiObject;

  /** The HTTPRoute attached to the Gateway, when `gateway` was given: splits ingress traffic. */
  public readonly ingressHttpRoute?: ApiObject;

  /** The DestinationRules carrying the traffic policies, one per version Service that has a policy, in version order. */
  public readonly destinationRules: ApiObject[];

  constructor(scope: Construct, id: string, props: GatewayApiTrafficProps) {
    super(scope, id);
    check(isDns1123Label(props.name), 'name', props.name, RULE_DNS1123_LABEL);
    check(isDns1123Label(props.namespace), 'namespace', props.namespace, RULE_DNS1123_LABEL);
    check(isDns1035Label(props.serviceName), 'serviceName', props.serviceName, RULE_DNS1035_LABEL);
    checkPort(props.port, 'port');
    validateVersions(props.versions);
    for (const v of props.versions) {
      const service = props.versionServices[v.version];
      check(isDns1035Label(service), `versionServices.${v.version}`, service, RULE_DNS1035_LABEL);
    }
    if (props.gateway) validateGateway(props.gateway, TrafficApi.GATEWAY_API);
    if (props.routing) {
      validateRouting(props.routing, props.versions.map(v => v.version));
      validateGatewayApiRouting(props.routing);
    }
    if (props.trafficPolicy) validateTrafficPolicy(props.trafficPolicy, 'trafficPolicy');
    const clusterDomain = props.clusterDomain ?? 'cluster.local';
    check(isNonBlank(clusterDomain) && !/\s/.test(clusterDomain), 'clusterDomain', clusterDomain, 'must be a DNS domain such as cluster.local');

    const namespace = props.namespace;
    const rules = renderRules(props.versions, props.versionServices, props.port, props.routing ?? {});

    // Plain ApiObjects holding the wire form, typed by the generated specs: the generated classes would convert every
    // object again at synthesis, which costs as much as the rest of it (see the README, "Performance").
    this.httpRoute = new ApiObject(this, 'HttpRoute', {
      ...gwapi.HttpRoute.GVK,
      metadata: { name: props.name, namespace },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: props.serviceName, port: props.port }],
        rules,
      } satisfies gwapi.HttpRouteSpec,
    });

    if (props.gateway) {
      const existing = props.gateway.existingGateway;
      const boundGateway = gatewayName(props.name, props.gateway);
      const hosts = props.gateway.hosts;
      const anyHost = hosts.includes('*');
      if (!existing) {
        const port = gatewayPort(props.gateway);
        this.gateway = new ApiObject(this, 'Gateway', {
          ...gwapi.Gateway.GVK,
          metadata: { name: boundGateway, namespace },
          spec: {
            gatewayClassName: props.gateway.gatewayClassName ?? 'istio',
            // A listener per host; Gateway API writes "any host" as a listener without hostname.
            listeners: hosts.map((h, i) => ({
              name: hosts.length === 1 ? 'http' : `http-${i}`,
              port,
              protocol: 'HTTP',
              hostname: h === '*' ? undefined : h,
            })),
          } satisfies gwapi.GatewaySpec,
        });
      }
      this.ingressHttpRoute = new ApiObject(this, 'IngressHttpRoute', {
        ...gwapi.HttpRoute.GVK,
        metadata: { name: `${props.name}-ingress`, namespace },
        spec: {
          parentRefs: [{
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: boundGateway,
            namespace: existing?.namespace,
            sectionName: existing?.sectionName,
          }],
          // No hostnames: the route matches every host its Gateway admits.
          hostnames: anyHost ? undefined : [...hosts],
          rules,
        } satisfies gwapi.HttpRouteSpec,
      });
      if (this.gateway) this.ingressHttpRoute.addDependency(this.gateway);
    }

    this.destinationRules = [];
    for (const v of props.versions) {
      const policy = mergePolicies(props.trafficPolicy, v.trafficPolicy);
      if (!policy) continue;
      const service = props.versionServices[v.version];
      this.destinationRules.push(new ApiObject(this, `DestinationRule-${v.version}`, {
        ...istio.DestinationRule.GVK,
        metadata: { name: service, namespace },
        spec: { host: `${service}.${namespace}.svc.${clusterDomain}`, trafficPolicy: renderTrafficPolicy(policy) } satisfies WireDestinationRuleSpec,
      }));
    }
  }
}

/** A version's policy overrides the host-wide one field by field, as a DestinationRule subset's policy does. */
function mergePolicies(hostWide?: TrafficPolicy, own?: TrafficPolicy): TrafficPolicy | undefined {
  if (!hostWide && !own) return undefined;
  const merged: { [key: string]: unknown } = { ...hostWide };
  for (const [key, value] of Object.entries(own ?? {})) {
    if (value !== undefined) merged[key] = value;
  }
  return Object.values(merged).some(x => x !== undefined) ? merged as TrafficPolicy : undefined;
}

/**
 * The HTTPRoute rules: match routes, sticky-session routes, then the weighted split. Gateway API picks the rule by
 * precedence (more header matches win) rather than by position, and keeps the list order among equals, so match
 * routes and sticky routes, which test at least one header, win over the weighted rule, which tests none.
 */
function renderRules(
  versions: TrafficVersion[], services: { [version: string]: string }, port: number, routing: RoutingOptions,
): gwapi.HttpRouteSpecRules[] {
  const canary = canaryOf(versions);
  const backend = (version: string) => ({ name: services[version], port });
  const timeouts = routing.timeout && { request: gatewayApiDuration(routing.timeout) };

  const rules: gwapi.HttpRouteSpecRules[] = [];
  (routing.matchRoutes ?? []).forEach((m, i) => {
    rules.push({
      name: matchRouteName(m, i),
      matches: [{
        headers: m.matches.map(c => ({
          type: c.type === MatchType.REGEX
            ? gwapi.HttpRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION
            : gwapi.HttpRouteSpecRulesMatchesHeadersType.EXACT,
          name: c.headerName,
          value: c.value,
        })),
      }],
      backendRefs: [backend(m.version ?? canary)],
      timeouts,
    });
  });

  const sticky = routing.stickySession;
  if (sticky) {
    for (const v of stickyVersions(versions)) {
      rules.push({
        name: `sticky-${v.version}`,
        matches: [{
          headers: [{
            type: gwapi.HttpRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION,
            name: 'cookie',
            value: cookieRegex(sticky.cookieName, v.version),
          }],
        }],
        backendRefs: [backend(v.version)],
        timeouts,
      });
    }
  }

  const mirror = routing.mirror;
  rules.push({
    name: 'weighted',
    backendRefs: versions.map(v => ({
      ...backend(v.version),
      weight: v.weight,
      filters: sticky && [{
        type: gwapi.HttpRouteSpecRulesBackendRefsFiltersType.RESPONSE_HEADER_MODIFIER,
        responseHeaderModifier: {
          add: [{ name: 'Set-Cookie', value: stickyCookie(sticky, v.version) }],
        },
      }],
    })),
    filters: mirror && [{
      type: gwapi.HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
      requestMirror: { backendRef: backend(mirror.version ?? canary), ...mirrorShare(mirror.percentage) },
    }],
    timeouts,
  });
  return rules;
}

/** A whole percentage as `percent`; a fraction of one (e.g. 0.5) as `fraction` with a power-of-ten denominator. */
function mirrorShare(percentage: number): Pick<gwapi.HttpRouteSpecRulesFiltersRequestMirror, 'percent' | 'fraction'> {
  if (Number.isInteger(percentage)) return { percent: percentage };
  let scale = 1;
  while (!Number.isInteger(Number((percentage * scale).toFixed(6))) && scale < 1e6) scale *= 10;
  check(scale < 1e6, 'routing.mirror.percentage', percentage,
    `${unsupported(TrafficApi.GATEWAY_API)} with more than 5 decimals: Gateway API mirrors an integer fraction`);
  return { fraction: { numerator: Math.round(percentage * scale), denominator: 100 * scale } };
}
