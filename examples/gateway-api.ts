import { App, Duration } from 'cdk8s';
import { gateway_api, IstioCanaryChart, RequestMatch, SidecarInjection, TrafficApi } from '../src';

/**
 * The same canary on the Kubernetes Gateway API, in an ambient-mode namespace: a Service per version, an HTTPRoute
 * attached to the shared Service for in-mesh callers (through a waypoint) and one attached to an `istio`-class
 * Gateway for ingress. Testers reach the canary with a header; users stay on the version they first got.
 *
 * In ambient mode L7 routing happens in a waypoint, so the chart also deploys one for the namespace's Services and
 * labels the namespace to use it.
 */
export function gatewayApiChart(app: App): IstioCanaryChart {
  const chart = new IstioCanaryChart(app, 'gateway-api', {
    name: 'version-test',
    namespace: 'shop-ambient',
    port: 80,
    stable: { version: 'v1', image: 'harbor.example.com/library/version-test:v1', replicas: 3 },
    canary: { version: 'v2', image: 'harbor.example.com/library/version-test:v2' },
    canaryWeight: 10,
    trafficApi: TrafficApi.GATEWAY_API,
    gateway: { hosts: ['version-test.example.com'] },
    routing: {
      matchRoutes: [{ name: 'testers', matches: [RequestMatch.header('x-canary', 'always')] }],
      timeout: Duration.seconds(5),
      stickySession: { cookieName: 'version-test-version' },
    },
    sidecarInjection: SidecarInjection.ambient(),
  });
  // What `istioctl waypoint apply --enroll-namespace` would do, as manifests.
  const waypoint = new gateway_api.Gateway(chart, 'Waypoint', {
    metadata: { name: 'waypoint', labels: { 'istio.io/waypoint-for': 'service' } },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  });
  chart.canary.namespaceResource?.metadata.addLabel('istio.io/use-waypoint', 'waypoint');
  waypoint.node.addDependency(chart.canary.namespaceResource!);
  return chart;
}
