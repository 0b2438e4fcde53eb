// Synthesizes the seed scenario (examples/seed.ts) once per canary weight, for the traffic cases of the mesh
// verification suite: `ts-node synth-weights.ts OUTDIR 0 50 100` writes OUTDIR/weight<N>.k8s.yaml.
import { App, Chart } from 'cdk8s';
import { IstioCanary, SidecarInjection } from '../../src';

const [outdir, ...weights] = process.argv.slice(2);
if (!outdir || weights.length === 0) {
  throw new Error('usage: synth-weights.ts OUTDIR WEIGHT...');
}

const app = new App({ outdir });
for (const weight of weights.map(Number)) {
  const chart = new Chart(app, `weight${weight}`);
  new IstioCanary(chart, 'canary', {
    name: 'canary',
    namespace: 'default',
    port: 80,
    appLabelKey: 'apply',
    versionLabelKey: 'app',
    containerName: 'nginx',
    stable: { version: 'v1', image: 'harbor.example.com/library/version-test:v1', deploymentName: 'appv1' },
    canary: { version: 'v2', image: 'harbor.example.com/library/version-test:v2', deploymentName: 'appv2' },
    canaryWeight: weight,
    gateway: { hosts: ['*'], name: 'canary-gateway' },
    sidecarInjection: SidecarInjection.enabled(),
  });
}
app.synth();
