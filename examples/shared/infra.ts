// Kafka and Elasticsearch for the examples: the ones KAFKA_BROKERS and ES_URL name, or else the embedded
// Kafka cluster (librdkafka's mock cluster) and the Elasticsearch emulator the tests use.
import kafkajs from "kafkajs";
import { startElasticsearch } from "../../test/harness/elasticsearch/index.js";
import { startKafkaCluster } from "../../test/harness/kafka/cluster.js";

export interface Infra {
  brokers: string;
  esUrl: string;
  /** True when KAFKA_BROKERS / ES_URL were unset and this process started its own. */
  embeddedKafka: boolean;
  embeddedElasticsearch: boolean;
  /** One line saying what runs where. */
  describe(): string;
  /** Creates a topic on the embedded cluster, or on KAFKA_BROKERS' cluster when it lacks it. */
  createTopic(name: string, partitions: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startInfra(): Promise<Infra> {
  const [kafka, es] = await Promise.all([startKafkaCluster({ brokers: 1 }), startElasticsearch()]);
  const embeddedKafka = !kafka.external;
  const embeddedElasticsearch = !es.external;
  return {
    brokers: kafka.bootstrapServers,
    esUrl: es.url,
    embeddedKafka,
    embeddedElasticsearch,
    describe: () =>
      [
        embeddedKafka
          ? `KAFKA_BROKERS is unset: started the embedded Kafka cluster at ${kafka.bootstrapServers}`
          : `Kafka at ${kafka.bootstrapServers} (KAFKA_BROKERS)`,
        embeddedElasticsearch
          ? `ES_URL is unset: started the Elasticsearch emulator at ${es.url}`
          : `Elasticsearch at ${es.url} (ES_URL)`,
      ].join("; "),
    createTopic: async (name, partitions) => {
      if (embeddedKafka) return kafka.createTopic(name, partitions);
      // A cluster of one's own: create the topic only when it is missing.
      const admin = new kafkajs.Kafka({ brokers: kafka.brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        if (!(await admin.listTopics()).includes(name)) await kafka.createTopic(name, partitions);
      } finally {
        await admin.disconnect();
      }
    },
    stop: async () => {
      await es.stop();
      await kafka.stop();
    },
  };
}
