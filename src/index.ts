export * from './istio-canary';
export * from './istio-canary-chart';
export * from './app-per-chart';
export * from './workloads/canary-version';
export * from './workloads/sidecar-injection';
export * from './traffic/traffic-options';
export * from './traffic/istio-traffic';
export * as istio_networking from '../imports/networking.istio.io';
export * as istio_security from '../imports/security.istio.io';
