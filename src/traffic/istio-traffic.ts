import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { cookieRegex } from './cookies';
import { istioDuration } from './durations';
import { renderTrafficPolicy, WireDestinationRuleSpec } from './render-traffic-policy';
import { canaryOf, gatewayName, gatewayPort, matchRouteName, stickyCookie, stickyVersions } from './route-parts';
import { RoutingOptions } from './routing';
import { TrafficApi } from './traffic-api';
import { CanaryGatewayOptions, TrafficVersion } from './traffic-options';
import { TrafficPolicy } from './traffic-policy';
import { validateGateway, validateRouting, validateTrafficPolicy, validateVersions } from './validate-traffic';
import * as istio from '../../imports/networking.istio.io';
import { check, isDns1123Label, RULE_DNS1123_LABEL } from '../validation';

/**
 * Inputs of the Istio traffic layer: what to split, where it lives, and the weights.
 */
export interface IstioTrafficProps {
  /**
   * Name of the DestinationRule and of the in-mesh VirtualService; the ingress objects derive theirs from it.
   */
  readonly name: string;

  /**
   * Namespace of every object.
   */
  readonly namespace: string;

  /**
   * Fully-qualified host of the Service being split, e.g. `canary.default.svc.cluster.local`.
   */
  readonly host: string;

  /**
   * The versions and their weights, in route order. Weights sum to 100. The last one is the canary: match routes
   * and mirroring target it unless they name another version.
   */
  readonly versions: TrafficVersion[];

  /**
   * An ingress Gateway and a VirtualService bound to it.
   *
   * @default - no Gateway: only in-mesh callers are routed
   */
  readonly gateway?: CanaryGatewayOptions;

  /**
   * Match routes, mirroring, timeouts, retries, fault injection and sticky sessions.
   *
   * @default - the weighted split only
   */
  readonly routing?: RoutingOptions;

  /**
   * Traffic policy of the whole host: load balancing, connection pool, outlier detection, TLS.
   *
   * @default - Istio's defaults
   */
  readonly trafficPolicy?: TrafficPolicy;
}

/**
 * The Istio traffic layer of a canary: a DestinationRule with one subset per version, a VirtualService that splits
 * in-mesh traffic by weight, and optionally a Gateway with a second VirtualService that splits ingress traffic the
 * same way.
 *
 * Two VirtualServices, because the ingress one usually matches the wildcard host `*`, which Istio rejects on a
 * VirtualService bound to the `mesh` gateway; the in-mesh one names the Service's fully-qualified host, which covers
 * callers using the short name too.
 */
export class IstioTraffic extends Construct {
  /** The DestinationRule: one subset per version. */
  public readonly destinationRule: ApiObject;

  /** The VirtualService bound to the `mesh` gateway: splits calls from inside the mesh. */
  public readonly virtualService: ApiObject;

  /** The Gateway, when `gateway` was given without `existingGateway`. */
  public readonly gateway?: ApiObject;

  /** The VirtualService bound to the Gateway, when `gateway` was given: splits ingress traffic. */
  public readonly ingressVirtualService?: ApiObject;

  constructor(scope: Construct, id: string, props: IstioTrafficProps) {
    super(scope, id);
    check(isDns1123Label(props.name), 'name', props.name, RULE_DNS1123_LABEL);
    check(isDns1123Label(props.namespace), 'namespace', props.namespace, RULE_DNS1123_LABEL);
    validateVersions(props.versions);
    if (props.gateway) validateGateway(props.gateway, TrafficApi.ISTIO);
    if (props.routing) validateRouting(props.routing, props.versions.map(v => v.version));
    if (props.trafficPolicy) validateTrafficPolicy(props.trafficPolicy, 'trafficPolicy');

    const namespace = props.namespace;
    const http = renderHttpRoutes(props.host, props.versions, props.routing ?? {});

    // Plain ApiObjects holding the wire form, typed by the generated specs: the generated classes would convert every
    // object again at synthesis, which costs as much as the rest of it (see the README, "Performance").
    this.destinationRule = new ApiObject(this, 'DestinationRule', {
      ...istio.DestinationRule.GVK,
      metadata: { name: props.name, namespace },
      spec: {
        host: props.host,
        trafficPolicy: props.trafficPolicy && renderTrafficPolicy(props.trafficPolicy),
        subsets: props.versions.map(v => ({
          name: v.version,
          labels: { ...v.labels },
          // The subset policy has the same schema under other generated type names.
          trafficPolicy: v.trafficPolicy && renderTrafficPolicy(v.trafficPolicy),
        })),
      } satisfies WireDestinationRuleSpec,
    });

    this.virtualService = new ApiObject(this, 'VirtualService', {
      ...istio.VirtualService.GVK,
      metadata: { name: props.name, namespace },
      spec: { hosts: [props.host], gateways: ['mesh'], http } satisfies istio.VirtualServiceSpec,
    });

    if (props.gateway) {
      const existing = props.gateway.existingGateway;
      const boundGateway = gatewayName(props.name, props.gateway);
      if (!existing) {
        this.gateway = new ApiObject(this, 'Gateway', {
          ...istio.Gateway.GVK,
          metadata: { name: boundGateway, namespace },
          spec: {
            selector: props.gateway.selector ?? { istio: 'ingressgateway' },
            servers: [{
              port: { number: gatewayPort(props.gateway), name: 'http', protocol: 'HTTP' },
              hosts: [...props.gateway.hosts],
            }],
          } satisfies istio.GatewaySpec,
        });
      }
      this.ingressVirtualService = new ApiObject(this, 'IngressVirtualService', {
        ...istio.VirtualService.GVK,
        metadata: { name: `${props.name}-ingress`, namespace },
        spec: { hosts: [...props.gateway.hosts], gateways: [`${existing?.namespace ?? namespace}/${boundGateway}`], http } satisfies istio.VirtualServiceSpec,
      });
    }

    // Make-before-break: a VirtualService routing to a subset the DestinationRule does not define yet fails with 503s.
    for (const route of [this.virtualService, this.ingressVirtualService]) route?.addDependency(this.destinationRule);
  }
}

/**
 * The HTTP routes, in the order Istio evaluates them (first match wins): match routes, then sticky-session routes,
 * then the weighted split.
 */
function renderHttpRoutes(host: string, versions: TrafficVersion[], routing: RoutingOptions): istio.VirtualServiceSpecHttp[] {
  const canary = canaryOf(versions);
  const destination = (subset: string) => ({ host, subset });
  // Timeouts, retries and faults apply to every route, so a tester's request behaves like everyone else's.
  const common: Partial<istio.VirtualServiceSpecHttp> = {
    timeout: routing.timeout && istioDuration(routing.timeout),
    retries: routing.retries && {
      attempts: routing.retries.attempts,
      perTryTimeout: routing.retries.perTryTimeout && istioDuration(routing.retries.perTryTimeout),
      retryOn: routing.retries.retryOn?.join(','),
    },
    fault: routing.fault && {
      delay: routing.fault.delay && {
        fixedDelay: istioDuration(routing.fault.delay),
        percentage: { value: routing.fault.delayPercentage ?? 100 },
      },
      abort: routing.fault.abortHttpStatus !== undefined ? {
        httpStatus: routing.fault.abortHttpStatus,
        percentage: { value: routing.fault.abortPercentage ?? 100 },
      } : undefined,
    },
  };

  const routes: istio.VirtualServiceSpecHttp[] = [];
  (routing.matchRoutes ?? []).forEach((m, i) => {
    const headers: { [name: string]: istio.VirtualServiceSpecHttpMatchHeaders } = {};
    for (const condition of m.matches) headers[condition.headerName] = { [condition.type]: condition.value };
    routes.push({
      name: matchRouteName(m, i),
      match: [{ headers }],
      route: [{ destination: destination(m.version ?? canary) }],
      ...common,
    });
  });

  const sticky = routing.stickySession;
  if (sticky) {
    for (const v of stickyVersions(versions)) {
      routes.push({
        name: `sticky-${v.version}`,
        match: [{ headers: { cookie: { regex: cookieRegex(sticky.cookieName, v.version) } } }],
        route: [{ destination: destination(v.version) }],
        ...common,
      });
    }
  }

  routes.push({
    name: 'weighted',
    route: versions.map(v => ({
      destination: destination(v.version),
      weight: v.weight,
      headers: sticky && {
        response: { add: { 'set-cookie': stickyCookie(sticky, v.version) } },
      },
    })),
    mirror: routing.mirror && destination(routing.mirror.version ?? canary),
    mirrorPercentage: routing.mirror && { value: routing.mirror.percentage },
    ...common,
  });
  return routes;
}
