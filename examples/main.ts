import { App } from 'cdk8s';
import { gatewayApiChart } from './gateway-api';
import { idiomaticChart } from './idiomatic';
import { productionChart } from './production';
import { progressiveChart } from './progressive';
import { seedChart } from './seed';

// `npx cdk8s synth` (see cdk8s.yaml) writes one file per chart into manifests/.
const app = new App();
// CI moves the progressive example through its plan without code changes: CANARY_STAGE=3 npx cdk8s synth
if (process.env.CANARY_STAGE) app.node.setContext('istio-canary:checkout:stage', process.env.CANARY_STAGE);
if (process.env.CANARY_PHASE) app.node.setContext('istio-canary:checkout:phase', process.env.CANARY_PHASE);
seedChart(app);
idiomaticChart(app);
progressiveChart(app);
productionChart(app);
gatewayApiChart(app);
app.synth();
