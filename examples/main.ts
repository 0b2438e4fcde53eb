import { App } from 'cdk8s';
import { gatewayApiChart } from './gateway-api';
import { idiomaticChart } from './idiomatic';
import { seedChart } from './seed';

// `npx cdk8s synth` (see cdk8s.yaml) writes one file per chart into manifests/.
const app = new App();
seedChart(app);
idiomaticChart(app);
gatewayApiChart(app);
app.synth();
