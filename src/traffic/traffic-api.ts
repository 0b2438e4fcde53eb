/**
 * The API that splits the canary's traffic. Everything else (versions, weights, routing, gateway) stays the same.
 */
export enum TrafficApi {
  /**
   * Istio's own API: a DestinationRule with a subset per version and VirtualServices splitting between the subsets.
   */
  ISTIO = 'istio',

  /**
   * The Kubernetes Gateway API, as Istio implements it (also in ambient mode, through a waypoint): a Service per
   * version and HTTPRoutes splitting between them, attached to the shared Service (in-mesh, GAMMA) and to a Gateway
   * (ingress). Fault injection and retries cannot be expressed with its standard channel and are refused.
   *
   * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/
   */
  GATEWAY_API = 'gateway-api',
}
