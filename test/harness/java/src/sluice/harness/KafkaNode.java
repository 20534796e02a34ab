package sluice.harness;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;

/**
 * One Apache Kafka node (KRaft): formats its storage on first start, as kafka-storage.sh does, then runs
 * Kafka's own main class, as kafka-server-start.sh does. Usage: KafkaNode SERVER_PROPERTIES CLUSTER_ID
 * [format options, e.g. --add-scram 'SCRAM-SHA-256=[name=u,password=p]'].
 */
public final class KafkaNode {
  private KafkaNode() {}

  public static void main(String[] args) throws Exception {
    ParentWatch.start();
    String config = args[0];
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(config))) {
      properties.load(in);
    }
    Path logDir = Path.of(properties.getProperty("log.dirs"));
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      String[] format = {"format", "--config", config, "--cluster-id", args[1]};
      String[] extra = Arrays.copyOfRange(args, 2, args.length);
      String[] all = Arrays.copyOf(format, format.length + extra.length);
      System.arraycopy(extra, 0, all, format.length, extra.length);
      int status = kafka.tools.StorageTool.execute(all, System.out);
      if (status != 0) System.exit(status);
    }
    kafka.Kafka.main(new String[] {config});
  }
}
