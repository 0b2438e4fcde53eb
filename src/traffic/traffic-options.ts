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
 * An Istio ingress Gateway for the canary, and a VirtualService that binds the split to it.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/
 */
export interface CanaryGatewayOptions {
  /**
   * Hosts the Gateway admits and the ingress VirtualService matches, e.g. `['*']` or `['shop.example.com']`.
   */
  readonly hosts: string[];

  /**
   * Name of the Gateway.
   *
   * @default `<name>-gateway`
   */
  readonly name?: string;

  /**
   * Labels of the ingress gateway pods that serve this Gateway.
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
}
