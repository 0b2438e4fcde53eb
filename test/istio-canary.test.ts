import { ApiObject, Chart, JsonPatch, Size, Testing } from 'cdk8s';
import { idiomaticChart } from '../examples/idiomatic';
import { progressiveChart } from '../examples/progressive';
import { seedChart } from '../examples/seed';
import { Cpu, ImagePullPolicy, IstioCanary, Probe, SidecarInjection } from '../src';
import { coherenceViolations } from './support/coherence';
import { baseProps, synthCanary } from './support/fixtures';
import { Manifest, one, ofKind } from './support/manifests';
import { validateAgainstUpstreamSchemas } from './support/schemas';

const synthSeed = (): Manifest[] => Testing.synth(seedChart(Testing.app()));

describe('the seed example', () => {
  // GIVEN the tutorial's scenario  WHEN synthesized
  const manifests = synthSeed();

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('has the tutorial\'s objects, in apply order', () => {
    // THEN the Namespace comes first and the DestinationRule before the VirtualServices routing to its subsets
    expect(manifests.map(m => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Namespace/default',
      'Deployment/appv1',
      'Deployment/appv2',
      'Service/canary',
      'DestinationRule/canary',
      'VirtualService/canary',
      'Gateway/canary-gateway',
      'VirtualService/canary-ingress',
    ]);
  });

  test('labels pods as the tutorial does', () => {
    expect(one(manifests, 'Deployment', 'appv1').spec.selector.matchLabels).toEqual({ apply: 'canary', app: 'v1' });
    expect(one(manifests, 'Deployment', 'appv2').spec.template.metadata.labels).toMatchObject({ apply: 'canary', app: 'v2' });
    expect(one(manifests, 'Service', 'canary').spec.selector).toEqual({ apply: 'canary' });
    expect(one(manifests, 'DestinationRule', 'canary').spec.subsets).toEqual([
      { name: 'v1', labels: { app: 'v1' } },
      { name: 'v2', labels: { app: 'v2' } },
    ]);
  });

  test('names the workload for Istio telemetry, since its own labels do not follow Istio\'s keys', () => {
    // `app: v1` would otherwise make Istio report a service called "v1"
    expect(one(manifests, 'Deployment', 'appv1').spec.template.metadata.labels).toMatchObject({
      'service.istio.io/canonical-name': 'canary', 'service.istio.io/canonical-revision': 'v1',
    });
    expect(one(manifests, 'Deployment', 'appv1').spec.selector.matchLabels).toEqual({ apply: 'canary', app: 'v1' });
  });

  test('splits ingress and in-mesh traffic 90/10', () => {
    for (const name of ['canary', 'canary-ingress']) {
      expect(one(manifests, 'VirtualService', name).spec.http).toEqual([{
        name: 'weighted',
        route: [
          { destination: { host: 'canary.default.svc.cluster.local', subset: 'v1' }, weight: 90 },
          { destination: { host: 'canary.default.svc.cluster.local', subset: 'v2' }, weight: 10 },
        ],
      }]);
    }
  });

  test('is coherent across objects', () => {
    expect(coherenceViolations(manifests)).toEqual([]);
  });

  test('validates against the upstream schemas', async () => {
    await validateAgainstUpstreamSchemas(manifests);
  });
});

describe('the idiomatic example', () => {
  const manifests = Testing.synth(idiomaticChart(Testing.app()));

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('is coherent and schema-valid', async () => {
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('keeps the cluster-scoped Namespace free of the chart namespace', () => {
    expect(one(manifests, 'Namespace', 'shop').metadata).toEqual({ name: 'shop', labels: { 'istio.io/rev': 'stable' } });
    expect(manifests.filter(m => m.kind !== 'Namespace').every(m => m.metadata.namespace === 'shop')).toBe(true);
  });
});

describe('the progressive example', () => {
  const manifests = Testing.synth(progressiveChart(Testing.app()));

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('starts its plan at the first stage, with testers, sticky and weighted routes in both VirtualServices', () => {
    for (const name of ['checkout', 'checkout-ingress']) {
      const http = one(manifests, 'VirtualService', name).spec.http;
      expect(http.map((r: any) => r.name)).toEqual(['testers', 'sticky-v1', 'sticky-v2', 'weighted']);
      expect(http[3].route.map((r: any) => r.weight)).toEqual([95, 5]);
    }
  });

  test('is coherent and schema-valid', async () => {
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });
});

describe('defaults', () => {
  // GIVEN only the required props  WHEN synthesized
  const { canary, manifests } = synthCanary(baseProps());
  const stable = one(manifests, 'Deployment', 'canary-v1');
  const container = stable.spec.template.spec.containers[0];

  test('use Istio\'s app and version labels', () => {
    expect(stable.spec.selector.matchLabels).toEqual({ app: 'canary', version: 'v1' });
    // Istio derives the canonical service and revision from these: no canonical labels needed
    expect(Object.keys(stable.spec.template.metadata.labels).filter(k => k.startsWith('service.istio.io/'))).toEqual([]);
    expect(one(manifests, 'Service', 'canary').spec.selector).toEqual({ app: 'canary' });
    expect(one(manifests, 'DestinationRule', 'canary').spec.subsets.map((s: any) => s.labels)).toEqual([{ version: 'v1' }, { version: 'v2' }]);
  });

  test('place everything in the default namespace, named explicitly so hosts and objects agree', () => {
    expect(canary.namespace).toBe('default');
    expect(manifests.every(m => m.metadata.namespace === 'default')).toBe(true);
    expect(canary.host).toBe('canary.default.svc.cluster.local');
    expect(one(manifests, 'DestinationRule', 'canary').spec.host).toBe(canary.host);
  });

  test('name the Service port http and target the container port', () => {
    expect(one(manifests, 'Service', 'canary').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }]);
    expect(container.ports).toEqual([{ containerPort: 80, name: 'http' }]);
  });

  test('let a root image such as nginx start, without privilege escalation', () => {
    expect(container.securityContext).toEqual({
      runAsNonRoot: false, readOnlyRootFilesystem: false, privileged: false, allowPrivilegeEscalation: false,
    });
    expect(stable.spec.template.spec.securityContext.runAsNonRoot).toBe(false);
  });

  test('request small resources, limit memory, and leave CPU unthrottled', () => {
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
  });

  test('probe readiness by TCP on the container port and set no liveness probe', () => {
    expect(container.readinessProbe.tcpSocket).toEqual({ port: 80 });
    expect(container.livenessProbe).toBeUndefined();
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.name).toBe('app');
  });

  test('route in-mesh callers by the Service FQDN on the mesh gateway, and create no ingress objects', () => {
    expect(one(manifests, 'VirtualService', 'canary').spec.gateways).toEqual(['mesh']);
    expect(one(manifests, 'VirtualService', 'canary').spec.hosts).toEqual(['canary.default.svc.cluster.local']);
    expect(ofKind(manifests, 'Gateway')).toEqual([]);
    expect(ofKind(manifests, 'Namespace')).toEqual([]);
    expect(canary.gateway).toBeUndefined();
    expect(canary.ingressVirtualService).toBeUndefined();
    expect(canary.namespaceResource).toBeUndefined();
  });

  test('resolve the weights', () => {
    expect([canary.stableWeight, canary.canaryWeight]).toEqual([90, 10]);
  });

  test('are coherent and schema-valid', async () => {
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });
});

describe('options', () => {
  test('the namespace comes from the chart when not given', () => {
    const { canary, manifests } = synthCanary(baseProps(), 'shop');
    expect(canary.host).toBe('canary.shop.svc.cluster.local');
    expect(manifests.every(m => m.metadata.namespace === 'shop')).toBe(true);
  });

  test('a distinct container port becomes the Service targetPort', () => {
    const { manifests } = synthCanary(baseProps({ port: 80, containerPort: 8080 }));
    expect(one(manifests, 'Service', 'canary').spec.ports[0]).toMatchObject({ port: 80, targetPort: 8080 });
    expect(one(manifests, 'Deployment', 'canary-v2').spec.template.spec.containers[0].ports[0].containerPort).toBe(8080);
    expect(coherenceViolations(manifests)).toEqual([]);
  });

  test('a gateway gets its own VirtualService bound to it, with the gateway hosts', () => {
    // GIVEN a gateway for one host on port 8080 served by custom gateway pods
    const { canary, manifests } = synthCanary(baseProps({
      gateway: { hosts: ['shop.example.com'], port: 8080, selector: { app: 'edge' } },
    }));
    // THEN
    const gateway = one(manifests, 'Gateway', 'canary-gateway');
    expect(gateway.spec).toEqual({
      selector: { app: 'edge' },
      servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] }],
    });
    const ingress = one(manifests, 'VirtualService', 'canary-ingress');
    expect(ingress.spec.gateways).toEqual(['default/canary-gateway']);
    expect(ingress.spec.hosts).toEqual(['shop.example.com']);
    expect(canary.ingressVirtualService).toBeDefined();
    expect(canary.ingressVirtualService).toBe(canary.traffic?.ingressVirtualService);
    expect(coherenceViolations(manifests)).toEqual([]);
  });

  test.each([
    [SidecarInjection.enabled(), { 'istio-injection': 'enabled' }],
    [SidecarInjection.revision('1-32-0'), { 'istio.io/rev': '1-32-0' }],
  ])('sidecar injection labels the synthesized Namespace with exactly one label (%#)', (injection, labels) => {
    const { canary, manifests } = synthCanary(baseProps({ namespace: 'shop', sidecarInjection: injection }));
    const ns = one(manifests, 'Namespace', 'shop');
    expect(ns.metadata.labels).toEqual(labels);
    expect(manifests[0]).toBe(ns);
    expect(canary.namespaceResource).toBeDefined();
  });

  test('replicas, env and extra pod labels apply per version', () => {
    const { manifests } = synthCanary(baseProps({
      stable: { version: 'v1', image: 'img:1', replicas: 3, env: { MODE: 'stable' }, podLabels: { team: 'shop' } },
      canary: { version: 'v2', image: 'img:2', replicas: 0 },
    }));
    const stable = one(manifests, 'Deployment', 'canary-v1');
    expect(stable.spec.replicas).toBe(3);
    expect(stable.spec.template.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'stable' }]);
    expect(stable.spec.template.metadata.labels).toMatchObject({ team: 'shop', app: 'canary', version: 'v1' });
    expect(one(manifests, 'Deployment', 'canary-v2').spec.replicas).toBe(0);
  });

  test('workload settings override the defaults', () => {
    const { manifests } = synthCanary(baseProps({
      containerName: 'web',
      imagePullPolicy: ImagePullPolicy.ALWAYS,
      securityContext: { ensureNonRoot: true, readOnlyRootFilesystem: true, user: 101 },
      podSecurityContext: { ensureNonRoot: true },
      readiness: Probe.httpGet('/healthz'),
      liveness: Probe.httpGet('/livez'),
      clusterDomain: 'corp.internal',
    }));
    const container = one(manifests, 'Deployment', 'canary-v1').spec.template.spec.containers[0];
    expect(container.name).toBe('web');
    expect(container.imagePullPolicy).toBe('Always');
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, runAsUser: 101 });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/healthz', port: 80 });
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/livez', port: 80 });
    expect(one(manifests, 'DestinationRule', 'canary').spec.host).toBe('canary.default.svc.corp.internal');
    expect(coherenceViolations(manifests, 'corp.internal')).toEqual([]);
  });

  test('resources replace the defaults', () => {
    const { manifests } = synthCanary(baseProps({
      resources: { cpu: { request: Cpu.millis(250), limit: Cpu.units(1) }, memory: { request: Size.mebibytes(512) } },
    }));
    expect(one(manifests, 'Deployment', 'canary-v2').spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1' },
    });
  });

  test.each([0, 50, 100])('canaryWeight %i is honoured everywhere and still routes to both subsets', (weight) => {
    const { canary, manifests } = synthCanary(baseProps({ canaryWeight: weight, gateway: { hosts: ['*'] } }));
    for (const vs of ofKind(manifests, 'VirtualService')) {
      expect(vs.spec.http[0].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['v1', 100 - weight], ['v2', weight]]);
    }
    expect(canary.canaryWeight + canary.stableWeight).toBe(100);
    expect(coherenceViolations(manifests)).toEqual([]);
  });
});

describe('bad input is refused with the property, the value and the rule', () => {
  test.each<[string, Parameters<typeof baseProps>[0], string]>([
    ['canaryWeight above 100', { canaryWeight: 120 }, '\'canaryWeight\' must be an integer from 0 to 100, got 120'],
    ['canaryWeight negative', { canaryWeight: -1 }, '\'canaryWeight\' must be an integer from 0 to 100, got -1'],
    ['canaryWeight fractional', { canaryWeight: 12.5 }, '\'canaryWeight\' must be an integer from 0 to 100, got 12.5'],
    ['empty image', { canary: { version: 'v2', image: ' ' } }, '\'canary.image\' must be a non-empty image reference without spaces, got " "'],
    ['name not a DNS label', { name: 'My_App' }, '\'name\' must be a DNS-1035 label'],
    ['name starting with a digit', { name: '1canary' }, '\'name\' must be a DNS-1035 label'],
    ['name too long', { name: 'a'.repeat(64) }, '\'name\' must be a DNS-1035 label'],
    ['same version twice', { canary: { version: 'v1', image: 'img:2' } }, '\'canary.version\' must differ from \'stable.version\''],
    ['version not a DNS label', { stable: { version: 'V1.0', image: 'img:1' } }, '\'stable.version\' must be a DNS-1123 label'],
    ['port 0', { port: 0 }, '\'port\' must be an integer from 1 to 65535, got 0'],
    ['port above 65535', { port: 70000 }, '\'port\' must be an integer from 1 to 65535, got 70000'],
    ['containerPort out of range', { containerPort: 65536 }, '\'containerPort\' must be an integer from 1 to 65535, got 65536'],
    ['containerPort taken by the sidecar', { containerPort: 15001 }, '\'containerPort\' must not be a port the Istio sidecar listens on'],
    ['negative replicas', { stable: { version: 'v1', image: 'img:1', replicas: -1 } }, '\'stable.replicas\' must be a non-negative integer, got -1'],
    ['pod label colliding with the app label', { canary: { version: 'v2', image: 'img:2', podLabels: { app: 'other' } } }, '\'canary.podLabels\' must not set \'app\' or \'version\''],
    ['pod label colliding with the version label', { stable: { version: 'v1', image: 'img:1', podLabels: { version: 'v9' } } }, '\'stable.podLabels\' must not set \'app\' or \'version\''],
    ['pod label colliding with a custom key', { appLabelKey: 'apply', stable: { version: 'v1', image: 'img:1', podLabels: { apply: 'x' } } }, '\'stable.podLabels\' must not set \'apply\' or \'version\''],
    ['pod label colliding with a canonical label the construct sets', { appLabelKey: 'apply', stable: { version: 'v1', image: 'img:1', podLabels: { 'service.istio.io/canonical-name': 'x' } } }, '\'stable.podLabels\' must not set \'service.istio.io/canonical-name\': with custom label keys the construct sets Istio\'s canonical service labels itself'],
    ['invalid pod label value', { stable: { version: 'v1', image: 'img:1', podLabels: { team: 'a b' } } }, '\'stable.podLabels.team\' must be a Kubernetes label value'],
    ['same key for app and version', { appLabelKey: 'app', versionLabelKey: 'app' }, '\'versionLabelKey\' must differ from \'appLabelKey\', got "app"'],
    ['invalid label key', { appLabelKey: 'not a key' }, '\'appLabelKey\' must be a Kubernetes label key'],
    ['invalid namespace', { namespace: 'Shop' }, '\'namespace\' must be a DNS-1123 label'],
    ['same Deployment name twice', { stable: { version: 'v1', image: 'img:1', deploymentName: 'app' }, canary: { version: 'v2', image: 'img:2', deploymentName: 'app' } }, '\'canary.deploymentName\' must differ from the stable Deployment\'s name, got "app"'],
    ['invalid container name', { containerName: 'Web' }, '\'containerName\' must be a DNS-1123 label'],
    ['empty gateway hosts', { gateway: { hosts: [] } }, '\'gateway.hosts\' must name at least one host'],
    ['blank gateway host', { gateway: { hosts: ['*', ''] } }, '\'gateway.hosts[1]\' must be a host name or wildcard without spaces, got ""'],
    ['gateway port out of range', { gateway: { hosts: ['*'], port: 0 } }, '\'gateway.port\' must be an integer from 1 to 65535, got 0'],
    ['empty gateway selector', { gateway: { hosts: ['*'], selector: {} } }, '\'gateway.selector\' must select the gateway pods by at least one label'],
  ])('%s', (_case, overrides, message) => {
    // GIVEN props broken in one way  WHEN the construct is created  THEN it throws before anything is synthesized
    expect(() => synthCanary(baseProps(overrides))).toThrow(message);
  });
});

describe('escape hatches', () => {
  test('every object is an ApiObject that labels, annotations and JSON patches reach', async () => {
    // GIVEN a canary with a gateway
    const chart = new Chart(Testing.app(), 'test');
    const canary = new IstioCanary(chart, 'canary', baseProps({ gateway: { hosts: ['*'] } }));
    // WHEN the user annotates the Service, patches the DestinationRule and spreads the Deployments across zones
    canary.service.metadata.addAnnotation('prometheus.io/scrape', 'true');
    ApiObject.of(canary.destinationRule!).addJsonPatch(JsonPatch.add('/spec/exportTo', ['.']));
    for (const deployment of [canary.stableDeployment, canary.canaryDeployment]) {
      deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [{
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { app: 'canary', version: deployment.metadata.getLabel('version')! } },
      }]));
    }
    const manifests = Testing.synth(chart);
    // THEN the synthesized objects carry the changes, and stay coherent and schema-valid
    expect(one(manifests, 'Service', 'canary').metadata).toMatchObject({ annotations: { 'prometheus.io/scrape': 'true' } });
    expect(one(manifests, 'DestinationRule', 'canary').spec.exportTo).toEqual(['.']);
    expect(one(manifests, 'Deployment', 'canary-v2').spec.template.spec.topologySpreadConstraints[0].labelSelector)
      .toEqual({ matchLabels: { app: 'canary', version: 'v2' } });
    expect([canary.stableDeployment, canary.service, canary.virtualService, canary.ingressVirtualService, canary.gateway]
      .map(o => o instanceof ApiObject)).toEqual([true, true, true, true, true]);
    expect(coherenceViolations(manifests)).toEqual([]);
    await validateAgainstUpstreamSchemas(manifests);
  });
});
