// Kafka and Elasticsearch for the examples: the ones KAFKA_BROKERS and ES_URL name, or else a real Apache
// Kafka node and a real Elasticsearch node started here, as the tests start them (SLUICE_TEST_KAFKA=mock
// and SLUICE_TEST_ES=emulator take the stand-ins instead).
import kafkajs from "kafkajs";
import { elasticsearchNames, kafkaNames } from "../../test/harness/backends.js";
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
  const embeddedKafka = kafka.kind !== "external";
  const embeddedElasticsearch = es.kind !== "external";
  return {
    brokers: kafka.bootstrapServers,
    esUrl: es.url,
    embeddedKafka,
    embeddedElasticsearch,
    describe: () =>
      [
        embeddedKafka
          ? `KAFKA_BROKERS is unset: started ${kafkaNames[kafka.kind]} at ${kafka.bootstrapServers}`
          : `Kafka at ${kafka.bootstrapServers} (KAFKA_BROKERS)`,
        embeddedElasticsearch
          ? `ES_URL is unset: started ${elasticsearchNames[es.kind]} at ${es.url}`
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
