// Synthesizes the progressive example (examples/progressive.ts) at other stages of its plan, the way CI selects a
// stage (the construct context istio-canary:checkout:stage), for the traffic cases of the mesh verification suite:
// `ts-node synth-stages.ts OUTDIR 3` writes OUTDIR/progressive-stage3/progressive.k8s.yaml.
import * as path from 'path';
import { App } from 'cdk8s';
import { progressiveChart } from '../../examples/progressive';

const [outdir, ...stages] = process.argv.slice(2);
if (!outdir || stages.length === 0) {
  throw new Error('usage: synth-stages.ts OUTDIR STAGE...');
}

for (const stage of stages) {
  const app = new App({ outdir: path.join(outdir, `progressive-stage${stage}`) });
  app.node.setContext('istio-canary:checkout:stage', stage);
  progressiveChart(app);
  app.synth();
}
