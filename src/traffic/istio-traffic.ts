import { Construct } from 'constructs';
import { CanaryGatewayOptions, TrafficVersion } from './traffic-options';
import * as istio from '../../imports/networking.istio.io';
import { check, isDns1123Label, isIntegerIn, isLabelKey, isLabelValue, isNonBlank, RULE_DNS1123_LABEL } from '../validation';

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
   * The versions and their weights, in route order. Weights sum to 100.
   */
  readonly versions: TrafficVersion[];

  /**
   * An ingress Gateway and a VirtualService bound to it.
   *
   * @default - no Gateway: only in-mesh callers are routed
   */
  readonly gateway?: CanaryGatewayOptions;
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
  public readonly destinationRule: istio.DestinationRule;

  /** The VirtualService bound to the `mesh` gateway: splits calls from inside the mesh. */
  public readonly virtualService: istio.VirtualService;

  /** The Gateway, when `gateway` was given. */
  public readonly gateway?: istio.Gateway;

  /** The VirtualService bound to the Gateway, when `gateway` was given: splits ingress traffic. */
  public readonly ingressVirtualService?: istio.VirtualService;

  constructor(scope: Construct, id: string, props: IstioTrafficProps) {
    super(scope, id);
    validateTraffic(props);

    const namespace = props.namespace;
    const route = props.versions.map(v => ({
      destination: { host: props.host, subset: v.version },
      weight: v.weight,
    }));
    // Route names show up in Envoy's stats and access logs, which is where a canary is judged.
    const http = [{ name: 'weighted', route }];

    this.destinationRule = new istio.DestinationRule(this, 'DestinationRule', {
      metadata: { name: props.name, namespace },
      spec: {
        host: props.host,
        subsets: props.versions.map(v => ({ name: v.version, labels: { ...v.labels } })),
      },
    });

    this.virtualService = new istio.VirtualService(this, 'VirtualService', {
      metadata: { name: props.name, namespace },
      spec: { hosts: [props.host], gateways: ['mesh'], http },
    });

    if (props.gateway) {
      const gatewayName = props.gateway.name ?? `${props.name}-gateway`;
      this.gateway = new istio.Gateway(this, 'Gateway', {
        metadata: { name: gatewayName, namespace },
        spec: {
          selector: props.gateway.selector ?? { istio: 'ingressgateway' },
          servers: [{
            port: { number: props.gateway.port ?? 80, name: 'http', protocol: 'HTTP' },
            hosts: [...props.gateway.hosts],
          }],
        },
      });
      this.ingressVirtualService = new istio.VirtualService(this, 'IngressVirtualService', {
        metadata: { name: `${props.name}-ingress`, namespace },
        spec: { hosts: [...props.gateway.hosts], gateways: [`${namespace}/${gatewayName}`], http },
      });
    }
  }
}

function validateTraffic(props: IstioTrafficProps): void {
  check(isDns1123Label(props.name), 'name', props.name, RULE_DNS1123_LABEL);
  check(isDns1123Label(props.namespace), 'namespace', props.namespace, RULE_DNS1123_LABEL);
  check(props.versions.length >= 1, 'versions', props.versions.length, 'must name at least one version');
  const seen = new Set<string>();
  props.versions.forEach((v, i) => {
    check(isDns1123Label(v.version), `versions[${i}].version`, v.version, RULE_DNS1123_LABEL);
    check(!seen.has(v.version), `versions[${i}].version`, v.version, 'must differ from every other version');
    seen.add(v.version);
    check(isIntegerIn(v.weight, 0, 100), `versions[${i}].weight`, v.weight, 'must be an integer from 0 to 100');
    check(Object.keys(v.labels).length > 0, `versions[${i}].labels`, v.labels, 'must select pods by at least one label');
    for (const [key, value] of Object.entries(v.labels)) {
      check(isLabelKey(key) && isLabelValue(value), `versions[${i}].labels`, v.labels, 'must hold valid Kubernetes label keys and values');
    }
  });
  const total = props.versions.reduce((sum, v) => sum + v.weight, 0);
  check(total === 100, 'versions', props.versions.map(v => v.weight), 'must have weights that sum to 100');
  if (props.gateway) {
    const hosts = props.gateway.hosts;
    check(hosts.length > 0, 'gateway.hosts', hosts, 'must name at least one host (use "*" for any)');
    hosts.forEach((h, i) => check(isNonBlank(h) && !/\s/.test(h), `gateway.hosts[${i}]`, h, 'must be a host name or wildcard without spaces'));
    if (props.gateway.name !== undefined) {
      check(isDns1123Label(props.gateway.name), 'gateway.name', props.gateway.name, RULE_DNS1123_LABEL);
    }
    if (props.gateway.port !== undefined) {
      check(isIntegerIn(props.gateway.port, 1, 65535), 'gateway.port', props.gateway.port, 'must be an integer from 1 to 65535');
    }
    const selector = props.gateway.selector;
    if (selector !== undefined) {
      check(Object.keys(selector).length > 0, 'gateway.selector', selector, 'must select the gateway pods by at least one label');
    }
  }
}
