import { App } from 'cdk8s';
import { idiomaticChart } from './idiomatic';
import { productionChart } from './production';
import { seedChart } from './seed';

// `npx cdk8s synth` (see cdk8s.yaml) writes one file per chart into manifests/.
const app = new App();
seedChart(app);
idiomaticChart(app);
productionChart(app);
app.synth();
