import { Duration } from 'cdk8s';
import { LoadBalancerAlgorithm, MatchType, RequestMatch, TlsMode } from '../../src';
import { coherenceViolations } from '../support/coherence';
import { baseProps, synthCanary } from '../support/fixtures';
import { Manifest, one, ofKind } from '../support/manifests';
import { validateAgainstUpstreamSchemas } from '../support/schemas';

const HOST = 'canary.default.svc.cluster.local';
const routesOf = (manifests: Manifest[], name = 'canary') => one(manifests, 'VirtualService', name).spec.http;

describe('match routes', () => {
  // GIVEN testers reach the canary with a header, and an A/B cohort reaches stable by cookie
  const { manifests } = synthCanary(baseProps({
    gateway: { hosts: ['*'] },
    routing: {
      matchRoutes: [
        { matches: [RequestMatch.header('X-Canary', 'always')] },
        { name: 'cohort-a', matches: [RequestMatch.cookie('cohort', 'a'), RequestMatch.header('user-agent', 'Mozilla', MatchType.PREFIX)], version: 'v1' },
      ],
    },
  }));

  test('come before the weighted route, in both VirtualServices', () => {
    for (const vs of ofKind(manifests, 'VirtualService')) {
      expect(vs.spec.http.map((r: any) => r.name)).toEqual(['match-0', 'cohort-a', 'weighted']);
    }
  });

  test('send matching requests to one version', () => {
    const [header, cohort] = routesOf(manifests);
    expect(header).toEqual({
      name: 'match-0',
      match: [{ headers: { 'x-canary': { exact: 'always' } } }],
      route: [{ destination: { host: HOST, subset: 'v2' } }],
    });
    expect(cohort.match).toEqual([{ headers: { 'cookie': { regex: '^(.*?;\\s*)?(cohort=a)(;.*)?$' }, 'user-agent': { prefix: 'Mozilla' } } }]);
    expect(cohort.route).toEqual([{ destination: { host: HOST, subset: 'v1' } }]);
  });

  test('the cookie expression finds the cookie anywhere in the header, and only that cookie', () => {
    const re = new RegExp(routesOf(manifests)[1].match[0].headers.cookie.regex);
    expect(['cohort=a', 'x=1; cohort=a', 'x=1; cohort=a; y=2', 'cohort=a;y=2'].every(c => re.test(c))).toBe(true);
    expect(['cohort=ab', 'xcohort=a', 'cohort=b; x=cohort=a'].some(c => re.test(c))).toBe(false);
  });

  test('are coherent and schema-valid', async () => {
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });
});

describe('mirroring, timeouts, retries and faults', () => {
  test('mirror copies a share of the weighted traffic to the canary', async () => {
    // GIVEN a shadow launch: no live traffic to the canary, 20% mirrored
    const { manifests } = synthCanary(baseProps({ canaryWeight: 0, routing: { mirror: { percentage: 20 } } }));
    const weighted = routesOf(manifests)[0];
    expect(weighted.mirror).toEqual({ host: HOST, subset: 'v2' });
    expect(weighted.mirrorPercentage).toEqual({ value: 20 });
    expect(weighted.route.map((r: any) => r.weight)).toEqual([100, 0]);
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('a regex header match and a mirror to another version reach the VirtualService', async () => {
    // GIVEN a regex match route and copies sent to the stable version
    const { manifests } = synthCanary(baseProps({
      routing: {
        matchRoutes: [{ matches: [RequestMatch.header('x-tenant', 'beta-.*', MatchType.REGEX)] }],
        mirror: { percentage: 5, version: 'v1' },
      },
    }));
    const [match, weighted] = routesOf(manifests);
    expect(match.match).toEqual([{ headers: { 'x-tenant': { regex: 'beta-.*' } } }]);
    expect(weighted.mirror).toEqual({ host: HOST, subset: 'v1' });
    expect(weighted.mirrorPercentage).toEqual({ value: 5 });
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('timeout and retries apply to every route', async () => {
    const { manifests } = synthCanary(baseProps({
      routing: {
        matchRoutes: [{ matches: [RequestMatch.header('x-canary', 'always')] }],
        timeout: Duration.seconds(5),
        retries: { attempts: 3, perTryTimeout: Duration.millis(1500), retryOn: ['5xx', 'connect-failure'] },
      },
    }));
    for (const route of routesOf(manifests)) {
      expect(route.timeout).toBe('5s');
      expect(route.retries).toEqual({ attempts: 3, perTryTimeout: '1.5s', retryOn: '5xx,connect-failure' });
    }
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('fault injection delays and aborts', async () => {
    const { manifests } = synthCanary(baseProps({
      routing: { fault: { delay: Duration.seconds(2), delayPercentage: 10, abortHttpStatus: 503, abortPercentage: 5 } },
    }));
    expect(routesOf(manifests)[0].fault).toEqual({
      delay: { fixedDelay: '2s', percentage: { value: 10 } },
      abort: { httpStatus: 503, percentage: { value: 5 } },
    });
    await validateAgainstUpstreamSchemas(manifests);
  });
});

describe('sticky sessions', () => {
  // GIVEN session affinity by cookie
  const { manifests } = synthCanary(baseProps({ routing: { stickySession: { cookieName: 'canary-version', maxAge: Duration.hours(1) } } }));
  const routes = routesOf(manifests);

  test('each weighted destination sets a cookie naming its version', () => {
    const weighted = routes[routes.length - 1];
    expect(weighted.route.map((r: any) => r.headers)).toEqual([
      { response: { add: { 'set-cookie': 'canary-version=v1; Max-Age=3600; Path=/' } } },
      { response: { add: { 'set-cookie': 'canary-version=v2; Max-Age=3600; Path=/' } } },
    ]);
  });

  test('requests carrying the cookie return to that version, before the weighted split', () => {
    expect(routes.map((r: any) => r.name)).toEqual(['sticky-v1', 'sticky-v2', 'weighted']);
    for (const [i, version] of ['v1', 'v2'].entries()) {
      const re = new RegExp(routes[i].match[0].headers.cookie.regex);
      expect(re.test(`a=b; canary-version=${version}`)).toBe(true);
      expect(routes[i].route).toEqual([{ destination: { host: HOST, subset: version } }]);
    }
  });

  test('a rolled-back canary (weight 0) keeps no sticky route, so old cookies cannot hold users on it', () => {
    const rolledBack = synthCanary(baseProps({ canaryWeight: 0, routing: { stickySession: { cookieName: 'canary-version' } } })).manifests;
    expect(routesOf(rolledBack).map((r: any) => r.name)).toEqual(['sticky-v1', 'weighted']);
  });

  test('is coherent and schema-valid', async () => {
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });
});

describe('traffic policies', () => {
  test('apply to the host and, overridden, to one version\'s subset', async () => {
    const { manifests } = synthCanary(baseProps({
      trafficPolicy: {
        loadBalancer: LoadBalancerAlgorithm.ROUND_ROBIN,
        connectionPool: { maxConnections: 100, connectTimeout: Duration.millis(250), http1MaxPendingRequests: 10, maxRetries: 3 },
        outlierDetection: { consecutive5xxErrors: 3 },
        tls: TlsMode.ISTIO_MUTUAL,
      },
      canary: { version: 'v2', image: 'img:2', trafficPolicy: { outlierDetection: { consecutive5xxErrors: 1, maxEjectionPercent: 50 } } },
    }));
    const dr = one(manifests, 'DestinationRule', 'canary');
    expect(dr.spec.trafficPolicy).toEqual({
      loadBalancer: { simple: 'ROUND_ROBIN' },
      connectionPool: { tcp: { maxConnections: 100, connectTimeout: '0.25s' }, http: { http1MaxPendingRequests: 10, maxRetries: 3 } },
      outlierDetection: { consecutive5xxErrors: 3, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 100 },
      tls: { mode: 'ISTIO_MUTUAL' },
    });
    expect(dr.spec.subsets[0].trafficPolicy).toBeUndefined();
    expect(dr.spec.subsets[1].trafficPolicy).toEqual({
      outlierDetection: { consecutive5xxErrors: 1, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
    });
    await validateAgainstUpstreamSchemas(manifests);
  });
});

describe('traffic policy fields', () => {
  test('every connection-pool and outlier-detection field reaches the DestinationRule', async () => {
    // GIVEN every field set to a non-default value
    const { manifests } = synthCanary(baseProps({
      trafficPolicy: {
        connectionPool: { http2MaxRequests: 200, maxRequestsPerConnection: 1 },
        outlierDetection: { interval: Duration.seconds(5), baseEjectionTime: Duration.minutes(2), consecutive5xxErrors: 2 },
        loadBalancer: LoadBalancerAlgorithm.RANDOM,
      },
    }));
    // THEN only the HTTP pool is written, with the given values
    expect(one(manifests, 'DestinationRule', 'canary').spec.trafficPolicy).toEqual({
      loadBalancer: { simple: 'RANDOM' },
      connectionPool: { http: { http2MaxRequests: 200, maxRequestsPerConnection: 1 } },
      outlierDetection: { consecutive5xxErrors: 2, interval: '5s', baseEjectionTime: '120s', maxEjectionPercent: 100 },
    });
    await validateAgainstUpstreamSchemas(manifests);
  });
});

describe('bad routing input is refused', () => {
  test.each<[string, Parameters<typeof baseProps>[0], string]>([
    ['a match route without conditions', { routing: { matchRoutes: [{ matches: [] }] } }, '\'routing.matchRoutes[0].matches\' must hold at least one condition, got 0'],
    ['a header match without a name', { routing: { matchRoutes: [{ matches: [RequestMatch.header('', 'x')] }] } }, '\'routing.matchRoutes[0].matches[0]\' must name a header: a non-empty HTTP token, got ""'],
    ['a header match without a value', { routing: { matchRoutes: [{ matches: [RequestMatch.header('x-canary', '')] }] } }, '\'routing.matchRoutes[0].matches[0]\' must give header \'x-canary\' a non-empty value'],
    ['two cookies in one route', { routing: { matchRoutes: [{ matches: [RequestMatch.cookie('a', '1'), RequestMatch.cookie('b', '2')] }] } }, '\'routing.matchRoutes[0].matches[1]\' must not test a header (or a second cookie)'],
    ['a match route to an unknown version', { routing: { matchRoutes: [{ matches: [RequestMatch.header('x', 'y')], version: 'v3' }] } }, '\'routing.matchRoutes[0].version\' must be one of the versions (v1, v2), got "v3"'],
    ['a reserved route name', { routing: { matchRoutes: [{ name: 'weighted', matches: [RequestMatch.header('x', 'y')] }] } }, '\'routing.matchRoutes[0].name\' must be a DNS-1123 label'],
    ['duplicate route names', { routing: { matchRoutes: [{ name: 'a', matches: [RequestMatch.header('x', 'y')] }, { name: 'a', matches: [RequestMatch.header('x', 'z')] }] } }, '\'routing.matchRoutes[1].name\' must differ from the names of the other match routes, got "a"'],
    ['a mirror percentage above 100', { routing: { mirror: { percentage: 120 } } }, '\'routing.mirror.percentage\' must be a percentage greater than 0 and at most 100, got 120'],
    ['a mirror percentage of 0', { routing: { mirror: { percentage: 0 } } }, '\'routing.mirror.percentage\' must be a percentage greater than 0 and at most 100, got 0'],
    ['a mirror to an unknown version', { routing: { mirror: { percentage: 5, version: 'v9' } } }, '\'routing.mirror.version\' must be one of the versions (v1, v2), got "v9"'],
    ['a zero timeout', { routing: { timeout: Duration.millis(0) } }, '\'routing.timeout\' must be a duration of at least 1ms, in whole milliseconds, got "0ms"'],
    ['too many retries', { routing: { retries: { attempts: 11 } } }, '\'routing.retries.attempts\' must be an integer from 0 to 10, got 11'],
    ['a retry condition list in one string', { routing: { retries: { attempts: 2, retryOn: ['5xx,reset'] } } }, '\'routing.retries.retryOn[0]\' must be one retry condition'],
    ['an empty fault', { routing: { fault: {} } }, '\'routing.fault\' must set a delay, an abort status, or both'],
    ['a fault with retries', { routing: { fault: { abortHttpStatus: 503 }, retries: { attempts: 2 } } }, '\'routing.fault\' cannot be combined with \'routing.timeout\' or \'routing.retries\': Istio disables timeouts and retries on routes with faults'],
    ['an abort status out of range', { routing: { fault: { abortHttpStatus: 99 } } }, '\'routing.fault.abortHttpStatus\' must be an HTTP status from 200 to 599, got 99'],
    ['a fault percentage out of range', { routing: { fault: { abortHttpStatus: 503, abortPercentage: 101 } } }, '\'routing.fault.abortPercentage\' must be a percentage from 0 to 100, got 101'],
    ['an invalid cookie name', { routing: { stickySession: { cookieName: 'my cookie' } } }, '\'routing.stickySession.cookieName\' must be a cookie name'],
    ['a sub-second cookie lifetime', { routing: { stickySession: { cookieName: 'v', maxAge: Duration.millis(500) } } }, '\'routing.stickySession.maxAge\' must be a whole number of seconds, at least 1, got "500ms"'],
    ['a zero connection limit', { trafficPolicy: { connectionPool: { maxConnections: 0 } } }, '\'trafficPolicy.connectionPool.maxConnections\' must be a positive integer, got 0'],
    ['an ejection percentage above 100', { canary: { version: 'v2', image: 'i', trafficPolicy: { outlierDetection: { maxEjectionPercent: 101 } } } }, '\'canary.trafficPolicy.outlierDetection.maxEjectionPercent\' must be an integer from 0 to 100, got 101'],
  ])('%s', (_case, overrides, message) => {
    expect(() => synthCanary(baseProps(overrides))).toThrow(message);
  });
});
