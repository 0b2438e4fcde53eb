import { TrafficPolicy } from './traffic-policy';

/**
 * One destination of the traffic split: a version, the pod labels that select it, and its share of requests.
 */
export interface TrafficVersion {
  /**
   * Name of the version; the DestinationRule subset carries this name.
   */
  readonly version: string;

  /**
   * Pod labels that select this version's pods (and no other version's) among the Service's endpoints.
   */
  readonly labels: { [key: string]: string };

  /**
   * Percentage of requests routed to this version, an integer from 0 to 100. The weights of all versions sum to 100.
   */
  readonly weight: number;

  /**
   * Traffic policy of this version's subset, overriding the host-wide one field by field.
   *
   * @default - the host-wide policy
   */
  readonly trafficPolicy?: TrafficPolicy;
}

/**
 * An ingress Gateway for the canary, and the route that binds the split to it: with TrafficApi.ISTIO an Istio
 * Gateway and a VirtualService, with TrafficApi.GATEWAY_API a Gateway API Gateway (class `istio`) and an HTTPRoute.
 * Either can attach to an existing Gateway instead (`existingGateway`).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/
 * @see https://gateway-api.sigs.k8s.io/reference/spec/#gateway
 */
export interface CanaryGatewayOptions {
  /**
   * Hosts the Gateway admits and the ingress route matches, e.g. `['*']` or `['shop.example.com']`.
   * With TrafficApi.GATEWAY_API each is `*` (any host) or a DNS name, optionally with a leading `*.` label.
   */
  readonly hosts: string[];

  /**
   * Name of the Gateway.
   *
   * @default `<name>-gateway`
   */
  readonly name?: string;

  /**
   * Labels of the ingress gateway pods that serve this Gateway. TrafficApi.ISTIO only: with TrafficApi.GATEWAY_API,
   * Istio deploys a gateway for each Gateway of class `gatewayClassName`.
   *
   * @default { istio: 'ingressgateway' } (the gateway installed by Istio's default profile)
   */
  readonly selector?: { [key: string]: string };

  /**
   * Port the ingress gateway listens on, with protocol HTTP.
   *
   * @default 80
   */
  readonly port?: number;

  /**
   * GatewayClass of the Gateway API Gateway. TrafficApi.GATEWAY_API only.
   *
   * @default 'istio'
   */
  readonly gatewayClassName?: string;

  /**
   * A Gateway that already exists (for example a shared one, managed by a platform team) to attach the ingress
   * route to, instead of creating one: an Istio Gateway with TrafficApi.ISTIO, a Gateway API Gateway with
   * TrafficApi.GATEWAY_API. `name`, `selector`, `port` and `gatewayClassName` describe a created Gateway and
   * cannot be combined with it.
   *
   * @default - a Gateway is created
   */
  readonly existingGateway?: GatewayReference;
}

/**
 * A Gateway the canary does not create, by name.
 */
export interface GatewayReference {
  /**
   * Name of the Gateway.
   */
  readonly name: string;

  /**
   * Namespace of the Gateway. A Gateway API Gateway in another namespace must allow routes from the canary's
   * namespace (`listeners[].allowedRoutes.namespaces`).
   *
   * @default - the canary's namespace
   */
  readonly namespace?: string;

  /**
   * The listener of a Gateway API Gateway to attach to (the route's `parentRefs[].sectionName`).
   * TrafficApi.GATEWAY_API only: an Istio VirtualService binds to the whole Gateway.
   *
   * @default - every listener that accepts the route
   */
  readonly sectionName?: string;
}
