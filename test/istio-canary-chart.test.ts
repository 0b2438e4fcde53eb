import { Testing } from 'cdk8s';
import { IstioCanaryChart } from '../src';
import { baseProps } from './support/fixtures';

describe('IstioCanaryChart', () => {
  test('holds one canary in the canary\'s namespace, with chart labels on every object', () => {
    // GIVEN an app  WHEN a chart per service is added
    const app = Testing.app();
    const chart = new IstioCanaryChart(app, 'shop', { ...baseProps({ namespace: 'shop' }), labels: { team: 'shop' } });
    const manifests = Testing.synth(chart);
    // THEN
    expect(chart.namespace).toBe('shop');
    expect(chart.canary.namespace).toBe('shop');
    expect(chart.canary.host).toBe('canary.shop.svc.cluster.local');
    expect(manifests.map(m => m.kind)).toEqual(['Deployment', 'Deployment', 'Service', 'DestinationRule', 'VirtualService']);
    expect(manifests.every(m => m.metadata.namespace === 'shop' && m.metadata.labels?.team === 'shop')).toBe(true);
  });

  test('without a namespace, the canary uses default', () => {
    const chart = new IstioCanaryChart(Testing.app(), 'shop', baseProps());
    expect(chart.canary.namespace).toBe('default');
  });
});
