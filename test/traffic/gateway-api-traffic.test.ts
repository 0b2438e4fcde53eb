import { Chart, Duration, Testing } from 'cdk8s';
import { gatewayApiChart } from '../../examples/gateway-api';
import {
  GatewayApiTraffic, GatewayApiTrafficProps, IstioCanaryProps, LoadBalancerAlgorithm, MatchType, RequestMatch, SidecarInjection, TlsMode, TrafficApi,
} from '../../src';
import { gatewayApiDuration } from '../../src/traffic/durations';
import { coherenceViolations } from '../support/coherence';
import { baseProps, synthCanary } from '../support/fixtures';
import { Manifest, one, ofKind } from '../support/manifests';
import { validateAgainstUpstreamSchemas } from '../support/schemas';

const GATEWAY_API = { trafficApi: TrafficApi.GATEWAY_API };
const synthGatewayApi = (overrides: Partial<IstioCanaryProps> = {}) => synthCanary(baseProps({ ...GATEWAY_API, ...overrides }));
const rulesOf = (manifests: Manifest[], name = 'canary') => one(manifests, 'HTTPRoute', name).spec.rules;
const kinds = (manifests: Manifest[]) => manifests.map(m => `${m.kind}/${m.metadata.name}`);

function synthTraffic(props: Partial<GatewayApiTrafficProps>) {
  const chart = new Chart(Testing.app(), 'test');
  const traffic = new GatewayApiTraffic(chart, 'traffic', {
    name: 'shop',
    namespace: 'default',
    serviceName: 'shop',
    port: 80,
    versions: [
      { version: 'v1', labels: { version: 'v1' }, weight: 90 },
      { version: 'v2', labels: { version: 'v2' }, weight: 10 },
    ],
    versionServices: { v1: 'shop-v1', v2: 'shop-v2' },
    ...props,
  });
  return { traffic, manifests: Testing.synth(chart) };
}

describe('GatewayApiTraffic', () => {
  test('splits across more than two versions in route order, in the mesh and at ingress', () => {
    // GIVEN three versions and an ingress host
    const { traffic, manifests } = synthTraffic({
      versions: [
        { version: 'v1', labels: { version: 'v1' }, weight: 60 },
        { version: 'v2', labels: { version: 'v2' }, weight: 30 },
        { version: 'v3', labels: { version: 'v3' }, weight: 10 },
      ],
      versionServices: { v1: 'shop-v1', v2: 'shop-v2', v3: 'shop-v3' },
      gateway: { hosts: ['shop.example.com'], port: 8080 },
    });
    // THEN both HTTPRoutes carry the same weighted backends, attached to the Service and to the new Gateway
    expect(manifests).toMatchSnapshot();
    expect(kinds(manifests)).toEqual(['HTTPRoute/shop', 'Gateway/shop-gateway', 'HTTPRoute/shop-ingress']);
    for (const name of ['shop', 'shop-ingress']) {
      expect(rulesOf(manifests, name)).toEqual([{
        name: 'weighted',
        backendRefs: [
          { name: 'shop-v1', port: 80, weight: 60 },
          { name: 'shop-v2', port: 80, weight: 30 },
          { name: 'shop-v3', port: 80, weight: 10 },
        ],
      }]);
    }
    expect(one(manifests, 'HTTPRoute', 'shop').spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'shop', port: 80 }]);
    expect(one(manifests, 'HTTPRoute', 'shop').spec.hostnames).toBeUndefined();
    const ingress = one(manifests, 'HTTPRoute', 'shop-ingress');
    expect(ingress.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shop-gateway' }]);
    expect(ingress.spec.hostnames).toEqual(['shop.example.com']);
    expect(one(manifests, 'Gateway', 'shop-gateway')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'shop-gateway', namespace: 'default' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 8080, protocol: 'HTTP', hostname: 'shop.example.com' }] },
    });
    expect(traffic.destinationRules).toEqual([]);
  });

  test('has no ingress objects without a gateway', () => {
    const { traffic, manifests } = synthTraffic({});
    expect(kinds(manifests)).toEqual(['HTTPRoute/shop']);
    expect(traffic.gateway).toBeUndefined();
    expect(traffic.ingressHttpRoute).toBeUndefined();
  });

  test('maps the wildcard host to a listener without hostname and a route without hostnames', () => {
    // GIVEN any host, and one named host, on a Gateway of another class
    const { manifests } = synthTraffic({ gateway: { hosts: ['*', '*.shop.example.com'], name: 'edge', gatewayClassName: 'istio-east' } });
    // THEN
    expect(one(manifests, 'Gateway', 'edge').spec).toEqual({
      gatewayClassName: 'istio-east',
      listeners: [
        { name: 'http-0', port: 80, protocol: 'HTTP' },
        { name: 'http-1', port: 80, protocol: 'HTTP', hostname: '*.shop.example.com' },
      ],
    });
    expect(one(manifests, 'HTTPRoute', 'shop-ingress').spec.hostnames).toBeUndefined();
  });

  test('attaches to an existing Gateway in another namespace and listener instead of creating one', async () => {
    // GIVEN a shared Gateway managed elsewhere
    const { traffic, manifests } = synthTraffic({
      gateway: { hosts: ['shop.example.com'], existingGateway: { name: 'public', namespace: 'gateways', sectionName: 'http' } },
    });
    // THEN only the routes are synthesized, and the ingress route names the Gateway and its listener
    expect(manifests).toMatchSnapshot();
    expect(kinds(manifests)).toEqual(['HTTPRoute/shop', 'HTTPRoute/shop-ingress']);
    expect(traffic.gateway).toBeUndefined();
    expect(one(manifests, 'HTTPRoute', 'shop-ingress').spec.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateways', sectionName: 'http' },
    ]);
    await validateAgainstUpstreamSchemas(manifests);
  });

  test.each<[string, Partial<GatewayApiTrafficProps>, string]>([
    ['a version without a Service', { versionServices: { v1: 'shop-v1' } }, '\'versionServices.v2\' must be a DNS-1035 label, as Kubernetes requires of Service names (lowercase letters, digits and \'-\', starting with a letter, ending alphanumeric, at most 63 characters), got undefined'],
    ['an invalid Service name', { serviceName: 'Shop' }, '\'serviceName\' must be a DNS-1035 label'],
    ['a port out of range', { port: 0 }, '\'port\' must be an integer from 1 to 65535, got 0'],
    ['weights not summing to 100', { versions: [{ version: 'v1', labels: { version: 'v1' }, weight: 50 }, { version: 'v2', labels: { version: 'v2' }, weight: 40 }] }, '\'versions\' must have weights that sum to 100, got [50,40]'],
  ])('refuses %s', (_case, props, message) => {
    expect(() => synthTraffic(props)).toThrow(message);
  });
});

describe('IstioCanary with TrafficApi.GATEWAY_API', () => {
  // GIVEN the base canary with an ingress host, on Gateway API
  const { canary, manifests } = synthGatewayApi({ gateway: { hosts: ['shop.example.com'] } });

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('creates a Service per version beside the shared one, and HTTPRoutes instead of Istio objects', () => {
    expect(kinds(manifests)).toEqual([
      'Deployment/canary-v1',
      'Deployment/canary-v2',
      'Service/canary',
      'Service/canary-v1',
      'Service/canary-v2',
      'HTTPRoute/canary',
      'Gateway/canary-gateway',
      'HTTPRoute/canary-ingress',
    ]);
    expect(one(manifests, 'Service', 'canary').spec.selector).toEqual({ app: 'canary' });
    for (const version of ['v1', 'v2']) {
      const service = one(manifests, 'Service', `canary-${version}`);
      expect(service.metadata.labels).toEqual({ app: 'canary', version });
      expect(service.spec.selector).toEqual({ app: 'canary', version });
      expect(service.spec.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }]);
    }
    expect(rulesOf(manifests)).toEqual([{
      name: 'weighted',
      backendRefs: [{ name: 'canary-v1', port: 80, weight: 90 }, { name: 'canary-v2', port: 80, weight: 10 }],
    }]);
  });

  test('exposes the Gateway API objects, and no Istio ones', () => {
    expect(canary.gatewayApiTraffic).toBeDefined();
    expect(canary.httpRoute).toBe(canary.gatewayApiTraffic?.httpRoute);
    expect(canary.ingressHttpRoute).toBe(canary.gatewayApiTraffic?.ingressHttpRoute);
    expect(canary.gatewayApiGateway).toBe(canary.gatewayApiTraffic?.gateway);
    expect(canary.versionServices.map(s => s.name)).toEqual(['canary-v1', 'canary-v2']);
    for (const istioObject of [canary.traffic, canary.destinationRule, canary.virtualService, canary.ingressVirtualService, canary.gateway]) {
      expect(istioObject).toBeUndefined();
    }
  });

  test('is coherent and schema-valid', async () => {
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('keeps the Istio backend the default, without version Services', () => {
    const istio = synthCanary(baseProps());
    expect(istio.canary.versionServices).toEqual([]);
    expect(istio.canary.httpRoute).toBeUndefined();
    expect(ofKind(istio.manifests, 'HTTPRoute')).toEqual([]);
    expect(ofKind(istio.manifests, 'Service').map(s => s.metadata.name)).toEqual(['canary']);
  });

  test('routes additional versions with their fixed weights', async () => {
    const { manifests: three } = synthGatewayApi({ additionalVersions: [{ version: 'v1-patch', image: 'harbor.example.com/library/version-test:v1.1', weight: 20 }] });
    expect(rulesOf(three)[0].backendRefs.map((b: any) => [b.name, b.weight])).toEqual([['canary-v1', 70], ['canary-v1-patch', 20], ['canary-v2', 10]]);
    expect(coherenceViolations(three)).toEqual([]);
    await validateAgainstUpstreamSchemas(three);
  });

  test('enrolls the namespace in ambient mode, before its workloads and routes', () => {
    const { manifests: ambient } = synthGatewayApi({ namespace: 'shop', sidecarInjection: SidecarInjection.ambient() });
    expect(ambient[0]).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient' } }, spec: {} });
  });
});

describe('routing with TrafficApi.GATEWAY_API', () => {
  // GIVEN testers reach the canary by header, a cohort reaches stable by cookie and a regex, users stick to a version,
  // 0.5% of requests are mirrored and requests time out after 1.5s
  const { manifests } = synthGatewayApi({
    gateway: { hosts: ['*'] },
    routing: {
      matchRoutes: [
        { matches: [RequestMatch.header('X-Canary', 'always')] },
        { name: 'cohort-a', matches: [RequestMatch.cookie('cohort', 'a'), RequestMatch.header('user-agent', 'Mozilla/.*', MatchType.REGEX)], version: 'v1' },
      ],
      stickySession: { cookieName: 'version', maxAge: Duration.hours(1) },
      mirror: { percentage: 0.5 },
      timeout: Duration.millis(1500),
    },
  });
  const timeouts = { request: '1s500ms' };

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('puts match routes, then sticky routes, then the weighted split, in both HTTPRoutes', () => {
    for (const route of ofKind(manifests, 'HTTPRoute')) {
      expect(route.spec.rules.map((r: any) => r.name)).toEqual(['match-0', 'cohort-a', 'sticky-v1', 'sticky-v2', 'weighted']);
    }
  });

  test('sends header and cookie matches to one version', () => {
    const [header, cohort] = rulesOf(manifests);
    expect(header).toEqual({
      name: 'match-0',
      matches: [{ headers: [{ type: 'Exact', name: 'x-canary', value: 'always' }] }],
      backendRefs: [{ name: 'canary-v2', port: 80 }],
      timeouts,
    });
    expect(cohort.matches).toEqual([{
      headers: [
        { type: 'RegularExpression', name: 'cookie', value: '^(.*?;\\s*)?(cohort=a)(;.*)?$' },
        { type: 'RegularExpression', name: 'user-agent', value: 'Mozilla/.*' },
      ],
    }]);
    expect(cohort.backendRefs).toEqual([{ name: 'canary-v1', port: 80 }]);
  });

  test('sets the version cookie on each weighted backend and routes it back', () => {
    const rules = rulesOf(manifests);
    expect(rules[2]).toEqual({
      name: 'sticky-v1',
      matches: [{ headers: [{ type: 'RegularExpression', name: 'cookie', value: '^(.*?;\\s*)?(version=v1)(;.*)?$' }] }],
      backendRefs: [{ name: 'canary-v1', port: 80 }],
      timeouts,
    });
    expect(rules[4].backendRefs[1]).toEqual({
      name: 'canary-v2',
      port: 80,
      weight: 10,
      filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value: 'version=v2; Max-Age=3600; Path=/' }] } }],
    });
  });

  test('mirrors a fraction of the weighted traffic to the canary, with the timeout on every rule', () => {
    const weighted = rulesOf(manifests)[4];
    expect(weighted.filters).toEqual([{
      type: 'RequestMirror',
      requestMirror: { backendRef: { name: 'canary-v2', port: 80 }, fraction: { numerator: 5, denominator: 1000 } },
    }]);
    expect(rulesOf(manifests).every((r: any) => r.timeouts?.request === '1s500ms')).toBe(true);
  });

  test('mirrors a whole percentage with percent, to the version named', () => {
    const { manifests: whole } = synthGatewayApi({ routing: { mirror: { percentage: 20, version: 'v1' } } });
    expect(rulesOf(whole)[0].filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'canary-v1', port: 80 }, percent: 20 } }]);
  });

  test('leaves versions without traffic out of the sticky routes', () => {
    const { manifests: rolledBack } = synthGatewayApi({ canaryWeight: 0, routing: { stickySession: { cookieName: 'version' } } });
    expect(rulesOf(rolledBack).map((r: any) => r.name)).toEqual(['sticky-v1', 'weighted']);
  });

  test('is coherent and schema-valid', async () => {
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });

  test.each<[number, string]>([[5000, '5s'], [500, '500ms'], [90000, '1m30s'], [3600000, '1h'], [3723004, '1h2m3s4ms']])(
    'writes %ims as the Gateway API duration %s', (ms, text) => {
      expect(gatewayApiDuration(Duration.millis(ms))).toBe(text);
    });
});

describe('traffic policies with TrafficApi.GATEWAY_API', () => {
  // GIVEN a host-wide policy, overridden for the canary's load balancing
  const { canary, manifests } = synthGatewayApi({
    trafficPolicy: { loadBalancer: LoadBalancerAlgorithm.LEAST_REQUEST, tls: TlsMode.ISTIO_MUTUAL },
    canary: { version: 'v2', image: 'harbor.example.com/library/version-test:v2', trafficPolicy: { loadBalancer: LoadBalancerAlgorithm.RANDOM } },
  });

  test('become one DestinationRule per version Service, without subsets', async () => {
    expect(manifests).toMatchSnapshot();
    expect(one(manifests, 'DestinationRule', 'canary-v1').spec).toEqual({
      host: 'canary-v1.default.svc.cluster.local',
      trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' }, tls: { mode: 'ISTIO_MUTUAL' } },
    });
    expect(one(manifests, 'DestinationRule', 'canary-v2').spec).toEqual({
      host: 'canary-v2.default.svc.cluster.local',
      trafficPolicy: { loadBalancer: { simple: 'RANDOM' }, tls: { mode: 'ISTIO_MUTUAL' } },
    });
    expect(canary.gatewayApiTraffic?.destinationRules.map(d => d.name)).toEqual(['canary-v1', 'canary-v2']);
    expect(canary.destinationRule).toBeUndefined();
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('apply only to the versions that have one', () => {
    const { manifests: one_ } = synthGatewayApi({ stable: { version: 'v1', image: 'harbor.example.com/library/version-test:v1', trafficPolicy: { tls: TlsMode.DISABLE } } });
    expect(ofKind(one_, 'DestinationRule').map(d => d.metadata.name)).toEqual(['canary-v1']);
    expect(ofKind(one_, 'DestinationRule')[0].spec.trafficPolicy).toEqual({ tls: { mode: 'DISABLE' } });
  });

  test('name the version Service hosts in the cluster domain', () => {
    const { manifests: corp } = synthGatewayApi({ clusterDomain: 'corp.local', trafficPolicy: { tls: TlsMode.ISTIO_MUTUAL } });
    expect(ofKind(corp, 'DestinationRule').map(d => d.spec.host)).toEqual(['canary-v1.default.svc.corp.local', 'canary-v2.default.svc.corp.local']);
    expect(coherenceViolations(corp, 'corp.local')).toEqual([]);
  });
});

describe('existing Gateways', () => {
  test('bind the Istio ingress VirtualService without creating a Gateway', () => {
    // GIVEN TrafficApi.ISTIO and a shared Istio Gateway
    const { canary, manifests } = synthCanary(baseProps({ gateway: { hosts: ['shop.example.com'], existingGateway: { name: 'public', namespace: 'istio-ingress' } } }));
    // THEN
    expect(ofKind(manifests, 'Gateway')).toEqual([]);
    expect(canary.gateway).toBeUndefined();
    expect(one(manifests, 'VirtualService', 'canary-ingress').spec.gateways).toEqual(['istio-ingress/public']);
    expect(coherenceViolations(manifests, 'cluster.local', ['istio-ingress/public'])).toEqual([]);
  });

  test('bind the Gateway API ingress HTTPRoute, in the canary\'s namespace by default', () => {
    const { manifests } = synthGatewayApi({ gateway: { hosts: ['shop.example.com'], existingGateway: { name: 'public' } } });
    expect(ofKind(manifests, 'Gateway')).toEqual([]);
    expect(one(manifests, 'HTTPRoute', 'canary-ingress').spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }]);
    expect(coherenceViolations(manifests)).toEqual(['HTTPRoute canary-ingress: parent Gateway default/public is not in the set']);
    expect(coherenceViolations(manifests, 'cluster.local', ['default/public'])).toEqual([]);
  });
});

describe('what Gateway API cannot express', () => {
  const canaryImage = 'harbor.example.com/library/version-test:v2';
  test.each<[string, Partial<IstioCanaryProps>, string]>([
    ['fault injection', { routing: { fault: { abortHttpStatus: 503, abortPercentage: 10 } } },
      '\'routing.fault\' is not supported by TrafficApi.GATEWAY_API: HTTPRoute has no fault injection; use TrafficApi.ISTIO for fault tests, got {"abortHttpStatus":503,"abortPercentage":10}'],
    ['retries', { routing: { retries: { attempts: 3 } } },
      '\'routing.retries\' is not supported by TrafficApi.GATEWAY_API: HTTPRoute retries are only in the experimental channel of Gateway API v1.6.1, not in the standard one, got {"attempts":3}'],
    ['a prefix header match', { routing: { matchRoutes: [{ matches: [RequestMatch.header('user-agent', 'Mozilla', MatchType.PREFIX)] }] } },
      '\'routing.matchRoutes[0].matches[0]\' is not supported by TrafficApi.GATEWAY_API: MatchType.PREFIX has no HTTPRoute header match (only Exact and RegularExpression); use MatchType.REGEX with a \'prefix.*\' pattern, got "header \'user-agent\'"'],
    ['a mirror share with more than five decimals', { routing: { mirror: { percentage: 0.1234567 } } },
      '\'routing.mirror.percentage\' is not supported by TrafficApi.GATEWAY_API with more than 5 decimals: Gateway API mirrors an integer fraction, got 0.1234567'],
    ['a gateway selector', { gateway: { hosts: ['*'], selector: { istio: 'ingressgateway' } } },
      '\'gateway.selector\' is not supported by TrafficApi.GATEWAY_API: Istio deploys a gateway for each Gateway API Gateway; choose its class with \'gateway.gatewayClassName\', got {"istio":"ingressgateway"}'],
    ['a host with a namespace', { gateway: { hosts: ['shop/shop.example.com'] } }, '\'gateway.hosts[0]\' is not supported by TrafficApi.GATEWAY_API: a Gateway API hostname is "*" (any host) or a lowercase DNS name'],
    ['a host with an inner wildcard', { gateway: { hosts: ['shop.*.example.com'] } }, '\'gateway.hosts[0]\' is not supported by TrafficApi.GATEWAY_API'],
    ['a host with a port', { gateway: { hosts: ['shop.example.com:80'] } }, '\'gateway.hosts[0]\' is not supported by TrafficApi.GATEWAY_API'],
    ['an IP address', { gateway: { hosts: ['10.0.0.1'] } }, '\'gateway.hosts[0]\' is not supported by TrafficApi.GATEWAY_API'],
    ['an uppercase host', { gateway: { hosts: ['Shop.example.com'] } }, '\'gateway.hosts[0]\' is not supported by TrafficApi.GATEWAY_API'],
    ['a repeated host', { gateway: { hosts: ['shop.example.com', 'shop.example.com'] } }, '\'gateway.hosts[1]\' must differ from the other hosts: each gets its own Gateway listener, got "shop.example.com"'],
    ['more than 16 hosts', { gateway: { hosts: Array.from({ length: 17 }, (_, i) => `h${i}.example.com`) } }, '\'gateway.hosts\' is not supported by TrafficApi.GATEWAY_API with more than 16 hosts, the most an HTTPRoute holds, got 17'],
    ['a version Service name longer than 63 characters', { canary: { version: `v${'2'.repeat(60)}`, image: canaryImage } },
      `'canary.version' must leave 'canary-v${'2'.repeat(60)}', the name of the version's Service with TrafficApi.GATEWAY_API, a DNS-1035 label of at most 63 characters`],
  ])('refuses %s', (_case, props, message) => {
    expect(() => synthGatewayApi(props)).toThrow(message);
  });
});

describe('gateway options that fit one backend only', () => {
  test.each<[string, Partial<IstioCanaryProps>, string]>([
    ['a Gateway class with TrafficApi.ISTIO', { gateway: { hosts: ['*'], gatewayClassName: 'istio' } },
      '\'gateway.gatewayClassName\' is not supported by TrafficApi.ISTIO: an Istio Gateway selects its gateway pods with \'gateway.selector\', got "istio"'],
    ['a listener of an existing Gateway with TrafficApi.ISTIO', { gateway: { hosts: ['*'], existingGateway: { name: 'public', sectionName: 'http' } } },
      '\'gateway.existingGateway.sectionName\' is not supported by TrafficApi.ISTIO: a VirtualService binds to a whole Istio Gateway, got "http"'],
    ['an existing Gateway with a name for a new one', { gateway: { hosts: ['*'], name: 'edge', existingGateway: { name: 'public' } } },
      '\'gateway.name\' describes the Gateway to create and cannot be combined with \'gateway.existingGateway\', got "edge"'],
    ['an existing Gateway with a port', { gateway: { hosts: ['*'], port: 8080, existingGateway: { name: 'public' } } },
      '\'gateway.port\' describes the Gateway to create and cannot be combined with \'gateway.existingGateway\', got 8080'],
    ['an invalid existing Gateway namespace', { gateway: { hosts: ['*'], existingGateway: { name: 'public', namespace: 'Ingress' } } },
      '\'gateway.existingGateway.namespace\' must be a DNS-1123 label'],
    ['an invalid existing Gateway name', { gateway: { hosts: ['*'], existingGateway: { name: 'Public' } } },
      '\'gateway.existingGateway.name\' must be a DNS-1123 subdomain'],
    ['an invalid Gateway class', { ...GATEWAY_API, gateway: { hosts: ['*'], gatewayClassName: 'Istio' } },
      '\'gateway.gatewayClassName\' must be a DNS-1123 subdomain'],
  ])('refuses %s', (_case, props, message) => {
    expect(() => synthCanary(baseProps(props))).toThrow(message);
  });
});

describe('the Gateway API example', () => {
  // GIVEN the example chart  WHEN synthesized
  const manifests: Manifest[] = Testing.synth(gatewayApiChart(Testing.app()));

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('enrolls its namespace in ambient mode with a waypoint', () => {
    expect(one(manifests, 'Namespace', 'shop-ambient').metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
    expect(one(manifests, 'Gateway', 'waypoint').spec.gatewayClassName).toBe('istio-waypoint');
  });

  test('is coherent and schema-valid', async () => {
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });
});

describe('the HTTPRoute coherence checks used by the tests', () => {
  // GIVEN a coherent Gateway API set, THEN each broken variant is caught: the checks can fail.
  const { manifests } = synthGatewayApi({ gateway: { hosts: ['*'] } });
  const coherent = () => JSON.parse(JSON.stringify(manifests)) as Manifest[];
  const find = (m: Manifest[], kind: string, name: string) => m.find(x => x.kind === kind && x.metadata.name === name) as any;

  test('pass on the coherent set', () => {
    expect(coherenceViolations(coherent())).toEqual([]);
  });

  test.each<[string, (m: Manifest[]) => void, string]>([
    ['a backend that is no Service', m => { find(m, 'HTTPRoute', 'canary').spec.rules[0].backendRefs[1].name = 'canary-v9'; }, 'HTTPRoute canary: rule weighted backend canary-v9 is no Service of the set'],
    ['a backend port the Service lacks', m => { find(m, 'HTTPRoute', 'canary').spec.rules[0].backendRefs[0].port = 8080; }, 'rule weighted backend canary-v1 has no port 8080'],
    ['weights not summing to 100', m => { find(m, 'HTTPRoute', 'canary').spec.rules[0].backendRefs[0].weight = 80; }, 'HTTPRoute canary: rule weighted weights sum to 90'],
    ['a backend selecting every version', m => { find(m, 'Service', 'canary-v1').spec.selector = { app: 'canary' }; }, 'Service canary-v1: a route backend, selects the pods of 2 Deployments'],
    ['a parent Service missing', m => { find(m, 'HTTPRoute', 'canary').spec.parentRefs[0].name = 'other'; }, 'HTTPRoute canary: parent Service other is not in the set'],
    ['a parent Service port missing', m => { find(m, 'HTTPRoute', 'canary').spec.parentRefs[0].port = 81; }, 'parent Service canary has no port 81'],
    ['a parent Gateway missing', m => { find(m, 'HTTPRoute', 'canary-ingress').spec.parentRefs[0].name = 'edge'; }, 'HTTPRoute canary-ingress: parent Gateway default/edge is not in the set'],
    ['a parent listener missing', m => { find(m, 'HTTPRoute', 'canary-ingress').spec.parentRefs[0].sectionName = 'https'; }, 'parent Gateway canary-gateway has no listener https'],
  ])('catch %s', (_case, breakIt, violation) => {
    const broken = coherent();
    breakIt(broken);
    expect(coherenceViolations(broken).join('\n')).toContain(violation);
  });
});
