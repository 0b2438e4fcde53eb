import { App, Duration } from 'cdk8s';
import { IstioCanaryChart, RequestMatch, SidecarInjection } from '../src';

/**
 * A production-style canary: a planned progression (the stage comes from the construct context, as CI passes it),
 * testers reaching the canary with a header, shadow traffic, timeouts and retries, a sticky cookie, and a circuit
 * breaker that ejects a failing canary pod after one error.
 */
export function progressiveChart(app: App): IstioCanaryChart {
  return new IstioCanaryChart(app, 'progressive', {
    name: 'checkout',
    namespace: 'checkout',
    port: 80,
    containerPort: 8080,
    stable: { version: 'v1', image: 'registry.example.com/checkout:1.4.2', replicas: 3 },
    canary: {
      version: 'v2',
      image: 'registry.example.com/checkout:1.5.0',
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 1 } },
    },
    stages: [5, 10, 25, 50, 100],
    gateway: { hosts: ['checkout.example.com'] },
    routing: {
      matchRoutes: [{ name: 'testers', matches: [RequestMatch.header('x-canary', 'always')] }],
      mirror: { percentage: 10 },
      timeout: Duration.seconds(5),
      retries: { attempts: 2, perTryTimeout: Duration.seconds(2), retryOn: ['5xx', 'connect-failure', 'reset'] },
      stickySession: { cookieName: 'checkout-version', maxAge: Duration.hours(12) },
    },
    trafficPolicy: { outlierDetection: { consecutive5xxErrors: 5 } },
    sidecarInjection: SidecarInjection.enabled(),
  });
}
