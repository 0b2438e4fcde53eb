import { App, Duration } from 'cdk8s';
import { IstioCanaryChart, MutualTlsMode, SidecarInjection } from '../src';

/**
 * The idiomatic canary with the production settings: an autoscaler and a disruption budget per version, a preStop
 * pause, strict mutual TLS and Argo CD sync waves.
 */
export function productionChart(app: App): IstioCanaryChart {
  return new IstioCanaryChart(app, 'production', {
    name: 'checkout',
    namespace: 'checkout',
    port: 80,
    containerPort: 8080,
    stable: { version: 'v1', image: 'harbor.example.com/library/checkout:v1' },
    canary: { version: 'v2', image: 'harbor.example.com/library/checkout:v2' },
    canaryWeight: 10,
    gateway: { hosts: ['checkout.example.com'] },
    sidecarInjection: SidecarInjection.enabled(),
    autoscaling: { minReplicas: 2, maxReplicas: 10 },
    podDisruptionBudget: { maxUnavailable: 1 },
    preStopPause: Duration.seconds(5),
    syncWaves: true,
    mtls: MutualTlsMode.STRICT,
  });
}
