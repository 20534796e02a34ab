package sluice.harness;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.PluginsLoader;

/**
 * One Elasticsearch node: Elasticsearch's own Node, with the modules under path.home/modules, started
 * as the distribution's bootstrap would start it, minus the CLI and the security manager. Usage:
 * ElasticsearchNode CONFIG_DIR key=value... (settings, path.home among them). Prints "READY host:port"
 * once HTTP is bound.
 */
public final class ElasticsearchNode {
  private ElasticsearchNode() {}

  public static void main(String[] args) throws Exception {
    ParentWatch.start();
    Settings.Builder builder = Settings.builder();
    for (int i = 1; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      builder.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    Settings settings = builder.build();
    Path home = Path.of(settings.get("path.home"));
    LogConfigurator.registerErrorListener();
    LogConfigurator.setNodeName(settings.get("node.name"));
    LogConfigurator.configureESLogging();
    LogConfigurator.configureWithoutConfig(settings);
    Environment environment = new Environment(settings, Path.of(args[0]));
    PluginsLoader plugins =
        PluginsLoader.createPluginsLoader(
            PluginsLoader.loadModulesBundles(home.resolve("modules")),
            PluginsLoader.loadPluginsBundles(home.resolve("plugins")),
            Map.of());
    Node node = new Node(environment, plugins);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    node.close();
                    node.awaitClose(10, TimeUnit.SECONDS);
                  } catch (Exception ignored) {
                    // shutting down anyway
                  }
                }));
    node.start();
    HttpServerTransport http = node.injector().getInstance(HttpServerTransport.class);
    // The bound address, not the publish one: with port 0 only the former is the port the OS picked.
    System.out.println("READY " + http.boundAddress().boundAddresses()[0]);
    // Elasticsearch's threads are daemons: the distribution's bootstrap keeps the JVM up with a thread of
    // its own, and so does this one, until a signal or the parent watch ends it.
    new CountDownLatch(1).await();
  }
}
