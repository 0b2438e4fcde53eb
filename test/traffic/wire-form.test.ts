import { Duration, Testing } from 'cdk8s';
import { gatewayApiChart } from '../../examples/gateway-api';
import { idiomaticChart } from '../../examples/idiomatic';
import { productionChart } from '../../examples/production';
import { progressiveChart } from '../../examples/progressive';
import { seedChart } from '../../examples/seed';
import {
  gateway_api as gwapi, istio_networking as istio, istio_security as security,
  LoadBalancerAlgorithm, MutualTlsMode, RequestMatch, TlsMode, TrafficApi,
} from '../../src';
import { baseProps, synthCanary } from '../support/fixtures';
import { Manifest } from '../support/manifests';

// The library writes Istio and Gateway API objects as plain ApiObjects in their wire form, skipping the generated
// classes' conversion at synthesis. These tests hold it to what those classes, generated from the CRD schemas, write
// for the same content: a field name they do not know (a typo, or a name the generated types spell differently)
// is dropped by their conversion and shows up here as a difference.

/** Generated classes by apiVersion/kind; `manifest()` converts props from their TypeScript names to the wire. */
const GENERATED: Record<string, { manifest(props: any): any }> = {
  'networking.istio.io/v1/DestinationRule': istio.DestinationRule,
  'networking.istio.io/v1/VirtualService': istio.VirtualService,
  'networking.istio.io/v1/Gateway': istio.Gateway,
  'security.istio.io/v1/PeerAuthentication': security.PeerAuthentication,
  'gateway.networking.k8s.io/v1/HTTPRoute': gwapi.HttpRoute,
  'gateway.networking.k8s.io/v1/Gateway': gwapi.Gateway,
};

/** The CRD fields whose generated TypeScript name differs from the wire name (see imports/). */
const TYPESCRIPT_NAMES: Record<string, string> = { consecutive5xxErrors: 'consecutive5XxErrors' };

function toTypeScriptNames(value: any): any {
  if (Array.isArray(value)) return value.map(toTypeScriptNames);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [TYPESCRIPT_NAMES[k] ?? k, toTypeScriptNames(v)]));
}

function generatedForm(m: Manifest): any {
  const cls = GENERATED[`${m.apiVersion}/${m.kind}`];
  return cls.manifest({ metadata: m.metadata, spec: toTypeScriptNames(m.spec) });
}

const traffic = (trafficApi: TrafficApi) => synthCanary(baseProps({
  trafficApi,
  gateway: { hosts: ['shop.example.com'] },
  routing: {
    matchRoutes: [{ matches: [RequestMatch.header('x-tester', 'yes'), RequestMatch.cookie('beta', 'on')], version: 'v2' }],
    timeout: Duration.seconds(3),
    mirror: { percentage: 5, version: 'v2' },
    stickySession: { cookieName: 'shop-version' },
    // Retries exist only in Gateway API's experimental channel; faults not at all.
    retries: trafficApi === TrafficApi.ISTIO ? { attempts: 2, perTryTimeout: Duration.seconds(1), retryOn: ['5xx'] } : undefined,
  },
  trafficPolicy: {
    loadBalancer: LoadBalancerAlgorithm.LEAST_REQUEST,
    connectionPool: {
      maxConnections: 10,
      connectTimeout: Duration.millis(500),
      http1MaxPendingRequests: 5,
      http2MaxRequests: 50,
      maxRequestsPerConnection: 2,
      maxRetries: 1,
    },
    outlierDetection: { consecutive5xxErrors: 2, interval: Duration.seconds(5), baseEjectionTime: Duration.minutes(1), maxEjectionPercent: 50 },
    tls: TlsMode.ISTIO_MUTUAL,
  },
  canary: { version: 'v2', image: 'img:2', trafficPolicy: { outlierDetection: { consecutive5xxErrors: 1 } } },
  mtls: MutualTlsMode.STRICT,
})).manifests;

const scenarios: Array<[string, () => Manifest[]]> = [
  ['seed', () => Testing.synth(seedChart(Testing.app()))],
  ['idiomatic', () => Testing.synth(idiomaticChart(Testing.app()))],
  ['progressive', () => Testing.synth(progressiveChart(Testing.app()))],
  ['production', () => Testing.synth(productionChart(Testing.app()))],
  ['gateway-api', () => Testing.synth(gatewayApiChart(Testing.app()))],
  ['every routing and policy field, Istio API', () => traffic(TrafficApi.ISTIO)],
  ['every routing and policy field, Gateway API', () => traffic(TrafficApi.GATEWAY_API)],
];

describe.each(scenarios)('the %s objects', (_name, synth) => {
  const custom = synth().filter(m => GENERATED[`${m.apiVersion}/${m.kind}`]);

  test('include custom resources', () => {
    expect(custom.length).toBeGreaterThan(0);
  });

  test('are written exactly as the generated classes would write them', () => {
    for (const m of custom) {
      expect({ kind: m.kind, name: m.metadata.name, object: m }).toEqual({ kind: m.kind, name: m.metadata.name, object: generatedForm(m) });
    }
  });
});

test('a field unknown to the generated classes would be caught', () => {
  // GIVEN an object carrying a misspelled field  THEN its generated form differs
  const m: Manifest = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'x' },
    spec: { host: 'x', trafficPolicy: { outlierDetection: { consecutive5xErrors: 1 } } },
  };
  expect(generatedForm(m)).not.toEqual(m);
});
