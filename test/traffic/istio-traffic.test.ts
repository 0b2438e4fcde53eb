import { Chart, Testing } from 'cdk8s';
import { IstioTraffic, IstioTrafficProps } from '../../src';
import { coherenceViolations } from '../support/coherence';
import { one } from '../support/manifests';
import { validateAgainstUpstreamSchemas } from '../support/schemas';

const HOST = 'shop.default.svc.cluster.local';

function synthTraffic(props: Partial<IstioTrafficProps>) {
  const chart = new Chart(Testing.app(), 'test');
  const traffic = new IstioTraffic(chart, 'traffic', {
    name: 'shop',
    namespace: 'default',
    host: HOST,
    versions: [
      { version: 'v1', labels: { version: 'v1' }, weight: 90 },
      { version: 'v2', labels: { version: 'v2' }, weight: 10 },
    ],
    ...props,
  });
  return { traffic, manifests: Testing.synth(chart) };
}

describe('IstioTraffic', () => {
  test('splits across more than two versions in route order', async () => {
    // GIVEN three versions
    const { manifests } = synthTraffic({
      versions: [
        { version: 'v1', labels: { version: 'v1' }, weight: 60 },
        { version: 'v2', labels: { version: 'v2' }, weight: 30 },
        { version: 'v3', labels: { version: 'v3', track: 'canary' }, weight: 10 },
      ],
      gateway: { hosts: ['shop.example.com'] },
    });
    // THEN every subset exists and both VirtualServices carry the same weights
    expect(manifests).toMatchSnapshot();
    expect(one(manifests, 'DestinationRule', 'shop').spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2', 'v3']);
    for (const name of ['shop', 'shop-ingress']) {
      expect(one(manifests, 'VirtualService', name).spec.http[0].route.map((r: any) => r.weight)).toEqual([60, 30, 10]);
    }
    await validateAgainstUpstreamSchemas(manifests);
  });

  test('has no ingress objects without a gateway', () => {
    const { traffic, manifests } = synthTraffic({});
    expect(manifests.map(m => `${m.kind}/${m.metadata.name}`)).toEqual(['DestinationRule/shop', 'VirtualService/shop']);
    expect(traffic.gateway).toBeUndefined();
  });

  test('on its own, makes both VirtualServices wait for the DestinationRule (make-before-break)', () => {
    // GIVEN the traffic layer without IstioCanary around it
    const { traffic } = synthTraffic({ gateway: { hosts: ['*'] } });
    // THEN a route never reaches the cluster before the subsets it names
    expect(traffic.virtualService.node.dependencies).toContain(traffic.destinationRule);
    expect(traffic.ingressVirtualService!.node.dependencies).toContain(traffic.destinationRule);
  });

  test('binds the ingress VirtualService to the named gateway in its namespace', () => {
    const { manifests } = synthTraffic({ gateway: { hosts: ['*'], name: 'edge' } });
    expect(one(manifests, 'VirtualService', 'shop-ingress').spec.gateways).toEqual(['default/edge']);
    expect(one(manifests, 'Gateway', 'edge').spec.selector).toEqual({ istio: 'ingressgateway' });
  });

  test.each<[string, Partial<IstioTrafficProps>, string]>([
    ['weights not summing to 100', { versions: [{ version: 'v1', labels: { version: 'v1' }, weight: 50 }, { version: 'v2', labels: { version: 'v2' }, weight: 40 }] }, '\'versions\' must have weights that sum to 100, got [50,40]'],
    ['a weight out of range', { versions: [{ version: 'v1', labels: { version: 'v1' }, weight: 101 }] }, '\'versions[0].weight\' must be an integer from 0 to 100, got 101'],
    ['no version', { versions: [] }, '\'versions\' must name at least one version, got 0'],
    ['a duplicate version', { versions: [{ version: 'v1', labels: { version: 'v1' }, weight: 50 }, { version: 'v1', labels: { version: 'v1' }, weight: 50 }] }, '\'versions[1].version\' must differ from every other version, got "v1"'],
    ['a subset without labels', { versions: [{ version: 'v1', labels: {}, weight: 100 }] }, '\'versions[0].labels\' must select pods by at least one label'],
    ['an invalid gateway name', { gateway: { hosts: ['*'], name: 'Edge' } }, '\'gateway.name\' must be a DNS-1123 label'],
  ])('refuses %s', (_case, props, message) => {
    expect(() => synthTraffic(props)).toThrow(message);
  });
});

describe('the coherence checks used by the tests', () => {
  // GIVEN a coherent set, THEN each broken variant is caught: the checks can fail.
  const { manifests } = synthTraffic({});
  const deployment = (version: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `shop-${version}`, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'shop', version } },
      template: { metadata: { labels: { app: 'shop', version } }, spec: { containers: [{ ports: [{ containerPort: 8080 }] }] } },
    },
  });
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop', namespace: 'default' }, spec: { selector: { app: 'shop' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } };
  const coherent = () => JSON.parse(JSON.stringify([deployment('v1'), deployment('v2'), service, ...manifests]));

  test('pass on the coherent set', () => {
    expect(coherenceViolations(coherent())).toEqual([]);
  });

  test.each<[string, (m: any[]) => void, string]>([
    ['a subset the DestinationRule lacks', m => { m[3].spec.subsets.pop(); }, 'subset v2 is not defined by DestinationRule shop'],
    ['a subset selecting no pods', m => { m[3].spec.subsets[0].labels = { version: 'v9' }; }, 'subset v1 selects the pods of 0 Deployments'],
    ['a selector matching another template', m => { m[0].spec.selector.matchLabels = { app: 'shop' }; }, 'selector also matches the pods of Deployment shop-v2'],
    ['a targetPort no container opens', m => { m[2].spec.ports[0].targetPort = 9090; }, 'targetPort 9090 is not a container port'],
    ['an unnamed Service port', m => { delete m[2].spec.ports[0].name; }, 'has no HTTP name or appProtocol'],
    ['weights not summing to 100', m => { m[4].spec.http[0].route[0].weight = 80; }, 'weights sum to 90'],
    ['a Service missing a version', m => { m[1].spec.template.metadata.labels.app = 'other'; m[1].spec.selector.matchLabels.app = 'other'; }, 'selects 1 of 2 Deployments'],
  ])('catch %s', (_case, breakIt, violation) => {
    const broken = coherent();
    breakIt(broken);
    expect(coherenceViolations(broken).join('\n')).toContain(violation);
  });
});
