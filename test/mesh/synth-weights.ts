// Synthesizes the seed scenario (examples/seed.ts) once per canary weight, for the traffic cases of the mesh
// verification suite: `ts-node synth-weights.ts OUTDIR 0 50 100` writes OUTDIR/weight<N>.k8s.yaml.
import { App, Chart } from 'cdk8s';
import { seedProps } from '../../examples/seed';
import { IstioCanary } from '../../src';

const [outdir, ...weights] = process.argv.slice(2);
if (!outdir || weights.length === 0) {
  throw new Error('usage: synth-weights.ts OUTDIR WEIGHT...');
}

const app = new App({ outdir });
for (const weight of weights.map(Number)) {
  const chart = new Chart(app, `weight${weight}`);
  new IstioCanary(chart, 'canary', { ...seedProps(), canaryWeight: weight });
}
app.synth();
