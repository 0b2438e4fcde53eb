import { App } from 'cdk8s';
import { IstioCanaryChart, SidecarInjection } from '../src';

/**
 * The same canary with the library's defaults: Istio's `app` / `version` labels, its own namespace enrolled with a
 * revisioned control plane, and a Gateway for one host.
 */
export function idiomaticChart(app: App): IstioCanaryChart {
  return new IstioCanaryChart(app, 'idiomatic', {
    name: 'version-test',
    namespace: 'shop',
    port: 80,
    stable: { version: 'v1', image: 'harbor.example.com/library/version-test:v1', replicas: 3 },
    canary: { version: 'v2', image: 'harbor.example.com/library/version-test:v2' },
    canaryWeight: 10,
    gateway: { hosts: ['version-test.example.com'] },
    sidecarInjection: SidecarInjection.revision('stable'),
  });
}
