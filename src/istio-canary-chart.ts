import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IstioCanary, IstioCanaryProps } from './istio-canary';

/**
 * Properties of {@link IstioCanaryChart}.
 */
export interface IstioCanaryChartProps extends IstioCanaryProps {
  /**
   * Labels applied to every object of the chart.
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/**
 * A chart holding one {@link IstioCanary}, for apps that synthesize one manifest file per service.
 * The chart's namespace is the canary's.
 */
export class IstioCanaryChart extends Chart {
  /** The canary of this chart. */
  public readonly canary: IstioCanary;

  constructor(scope: Construct, id: string, props: IstioCanaryChartProps) {
    super(scope, id, { namespace: props.namespace, labels: props.labels });
    this.canary = new IstioCanary(this, 'Canary', props);
  }
}
