import { App, Chart, IResolver } from 'cdk8s';

/**
 * Properties of {@link AppPerChart}.
 */
export interface AppPerChartProps {
  /**
   * The directory every app writes its manifests into.
   *
   * @default - the `CDK8S_OUTDIR` environment variable, or `dist` (as `App`)
   */
  readonly outdir?: string;

  /**
   * The file extension of the manifests.
   *
   * @default '.k8s.yaml'
   */
  readonly outputFileExtension?: string;

  /**
   * Custom resolvers of every app, as `AppProps.resolvers`.
   *
   * @default - no custom resolvers
   */
  readonly resolvers?: IResolver[];
}

/**
 * Synthesizes many independent charts in time linear in their number, by giving each chart an `App` of its own.
 *
 * In cdk8s, `App.synth()` and `App.synthYaml()` render every chart with `Chart.toJson()`, and each of those calls
 * resolves the dependencies of, and validates, every construct of the whole app before rendering its one chart.
 * With a chart per service, N charts therefore cost N × (all constructs): quadratic in N. An app holding one chart
 * pays for that chart only.
 *
 * Create each chart in `newApp()` instead of in a shared `App`; `synth()` writes the same one file per chart
 * (`<chart id><extension>`) into `outdir` that a shared `App` would, and `synthYaml()` returns the same text.
 *
 * Only for charts that do not depend on each other: a dependency between charts of different apps is not resolved
 * across apps. Charts nested in charts are not supported either.
 *
 * @example
 * const apps = new AppPerChart({ outdir: 'dist' });
 * for (const service of services) {
 *   new IstioCanaryChart(apps.newApp(), service.name, service.props);
 * }
 * apps.synth();
 */
export class AppPerChart {
  private readonly props: AppPerChartProps;
  private readonly _apps: App[] = [];

  constructor(props: AppPerChartProps = {}) {
    this.props = props;
  }

  /**
   * The apps created so far, in creation order.
   */
  public get apps(): App[] {
    return [...this._apps];
  }

  /**
   * A new, empty `App` sharing this object's output settings: the scope for exactly one chart.
   */
  public newApp(): App {
    const app = new App({
      outdir: this.props.outdir,
      outputFileExtension: this.props.outputFileExtension,
      resolvers: this.props.resolvers,
    });
    this._apps.push(app);
    return app;
  }

  /**
   * Writes one manifest file per chart into `outdir`, as `App.synth()` does for charts of one app.
   *
   * @throws if two apps hold charts of the same id, which would overwrite each other's file
   */
  public synth(): void {
    this.checkChartIds();
    for (const app of this._apps) {
      app.synth();
    }
  }

  /**
   * All objects of all charts as one YAML stream, in app creation order, as `App.synthYaml()` returns them for
   * charts of one app.
   */
  public synthYaml(): string {
    this.checkChartIds();
    return this._apps.map(app => app.synthYaml()).filter(yaml => yaml.length > 0).join('---\n');
  }

  private checkChartIds(): void {
    const seen = new Set<string>();
    for (const app of this._apps) {
      for (const child of app.node.children) {
        if (!Chart.isChart(child)) continue;
        if (seen.has(child.node.id)) {
          throw new Error(`Two apps hold a chart with the id '${child.node.id}': their manifests would overwrite each other`);
        }
        seen.add(child.node.id);
      }
    }
  }
}
