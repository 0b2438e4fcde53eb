package example;

import io.github.cdk8sistiocanary.CanaryGatewayOptions;
import io.github.cdk8sistiocanary.CanaryVersion;
import io.github.cdk8sistiocanary.IstioCanary;
import io.github.cdk8sistiocanary.SidecarInjection;
import java.util.List;
import org.cdk8s.App;
import org.cdk8s.AppProps;
import org.cdk8s.Chart;

/** The seed example (examples/seed.ts) in Java: writes seed.k8s.yaml into the folder given as argument. */
public final class Seed {
  private Seed() {}

  public static Chart seedChart(final App app) {
    Chart chart = new Chart(app, "seed");
    IstioCanary.Builder.create(chart, "canary")
        .name("canary")
        .namespace("default")
        .port(80)
        .appLabelKey("apply")
        .versionLabelKey("app")
        .containerName("nginx")
        .stable(CanaryVersion.builder()
            .version("v1")
            .image("harbor.example.com/library/version-test:v1")
            .deploymentName("appv1")
            .build())
        .canary(CanaryVersion.builder()
            .version("v2")
            .image("harbor.example.com/library/version-test:v2")
            .deploymentName("appv2")
            .build())
        .canaryWeight(10)
        .gateway(CanaryGatewayOptions.builder().hosts(List.of("*")).name("canary-gateway").build())
        // `kubectl label namespace default istio-injection=enabled`, as a manifest.
        .sidecarInjection(SidecarInjection.enabled())
        .build();
    return chart;
  }

  public static void main(final String[] args) {
    App app = new App(AppProps.builder().outdir(args.length > 0 ? args[0] : "dist").build());
    seedChart(app);
    app.synth();
  }
}
