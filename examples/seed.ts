import { App, Chart } from 'cdk8s';
import { IstioCanary, IstioCanaryProps, SidecarInjection } from '../src';

/**
 * The tutorial scenario: nginx-based v1 and v2 in the `default` namespace, 90% of requests to v1 and 10% to v2,
 * reached through the ingress gateway on any host. It keeps the tutorial's own labelling: `apply: canary` on every
 * pod (the Service selects it) and `app: v1` / `app: v2` per version (the subsets select it), and its names.
 */
export function seedProps(): IstioCanaryProps {
  return {
    name: 'canary',
    namespace: 'default',
    port: 80,
    appLabelKey: 'apply',
    versionLabelKey: 'app',
    containerName: 'nginx',
    stable: { version: 'v1', image: 'harbor.example.com/library/version-test:v1', deploymentName: 'appv1' },
    canary: { version: 'v2', image: 'harbor.example.com/library/version-test:v2', deploymentName: 'appv2' },
    canaryWeight: 10,
    gateway: { hosts: ['*'], name: 'canary-gateway' },
    // `kubectl label namespace default istio-injection=enabled`, as a manifest.
    sidecarInjection: SidecarInjection.enabled(),
  };
}

export function seedChart(app: App): Chart {
  const chart = new Chart(app, 'seed');
  new IstioCanary(chart, 'canary', seedProps());
  return chart;
}
