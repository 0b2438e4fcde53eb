import { Chart, Testing } from 'cdk8s';
import { Manifest } from './manifests';
import { IstioCanary, IstioCanaryProps } from '../../src';

/** The smallest valid props; tests override what they are about. */
export function baseProps(overrides: Partial<IstioCanaryProps> = {}): IstioCanaryProps {
  return {
    name: 'canary',
    port: 80,
    stable: { version: 'v1', image: 'harbor.example.com/library/version-test:v1' },
    canary: { version: 'v2', image: 'harbor.example.com/library/version-test:v2' },
    canaryWeight: 10,
    ...overrides,
  };
}

/** GIVEN a chart, WHEN an IstioCanary is added with `props`: the construct and the synthesized objects. */
export function synthCanary(props: IstioCanaryProps, chartNamespace?: string): { canary: IstioCanary; manifests: Manifest[] } {
  const chart = new Chart(Testing.app(), 'test', { namespace: chartNamespace });
  const canary = new IstioCanary(chart, 'canary', props);
  return { canary, manifests: Testing.synth(chart) };
}
