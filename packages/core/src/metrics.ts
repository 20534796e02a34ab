// Prometheus metrics for one pipeline, in a registry of its own (no global state).
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * One pipeline's Prometheus metrics, in a registry of their own: a pipeline labels them with its name and
 * serves them at `/metrics`.
 */
export class PipelineMetrics {
  /** The prom-client registry holding every metric below, e.g. to merge into the application's own. */
  readonly registry: Registry;
  /** `sluice_events_in_total{stage}`: events entering a stage. */
  readonly eventsIn: Counter<"stage">;
  /** `sluice_events_out_total{stage}`: events leaving a stage still ok. */
  readonly eventsOut: Counter<"stage">;
  /** `sluice_events_failed_total{stage}`: events a stage failed (they go to dead letters). */
  readonly eventsFailed: Counter<"stage">;
  /**
   * `sluice_events_dead_lettered_total{stage}`: events stored in the dead-letter destination, by the stage
   * that failed them.
   */
  readonly eventsDeadLettered: Counter<"stage">;
  /** `sluice_events_dropped_total{stage}`: events a stage dropped on purpose (filters). */
  readonly eventsDropped: Counter<"stage">;
  /**
   * `sluice_events_lost_total{stage}`: events a stage let disappear without failing or dropping them (a bug
   * in that stage; the pipeline stops).
   */
  readonly eventsLost: Counter<"stage">;
  /** `sluice_events_retried_total{stage}`: events sent again after a retryable failure. */
  readonly eventsRetried: Counter<"stage">;
  /** `sluice_events_delivered_total`: events the sink's destination accepted. */
  readonly eventsDelivered: Counter;
  /** `sluice_source_bytes_total`: raw record bytes read from the source. */
  readonly bytesIn: Counter;
  /** `sluice_batch_latency_seconds{stage}`: time a batch spends in a stage (sinks: per request). */
  readonly batchLatency: Histogram<"stage">;
  /** `sluice_in_flight_events`: events read and not yet settled. */
  readonly inFlightEvents: Gauge;
  /** `sluice_in_flight_bytes`: raw bytes read and not yet settled. */
  readonly inFlightBytes: Gauge;
  /**
   * `sluice_consumer_lag{topic,partition}`: records between the partition's high watermark and the next
   * offset to read.
   */
  readonly consumerLag: Gauge<"topic" | "partition">;
  /**
   * `sluice_committed_offset{topic,partition}`: the last offset committed to Kafka (the next offset to read).
   */
  readonly committedOffset: Gauge<"topic" | "partition">;
  /** `sluice_source_paused`: 1 while the source is paused by backpressure. */
  readonly sourcePaused: Gauge;
  /**
   * `sluice_source_up`: 1 while the source is connected and consuming, 0 while it is down or rejoining its
   * group.
   */
  readonly sourceUp: Gauge;
  /** `sluice_source_rebalances_total`: consumer-group (re)joins, each of which reassigns partitions. */
  readonly rebalances: Counter;
  /**
   * `sluice_kafka_decoder_patched{kafkajs}`: 1 while the Kafka source decodes record batches with Sluice's
   * decoder, 0 while kafkajs decodes them itself (a kafkajs release other than the one Sluice was written
   * for).
   */
  readonly kafkaDecoderPatched: Gauge<"kafkajs">;
  /** `sluice_sink_requests_total{target,status}`: requests sent by sinks, by outcome. */
  readonly requests: Counter<"target" | "status">;
  /**
   * `sluice_sink_concurrency_limit{target}`: requests a sink may have in flight (adaptive concurrency moves
   * it).
   */
  readonly sinkConcurrency: Gauge<"target">;

  /** Registers every metric in a new registry whose default labels are `labels`. */
  constructor(labels: Record<string, string> = {}) {
    this.registry = new Registry();
    this.registry.setDefaultLabels(labels);
    const registers = [this.registry];
    this.eventsIn = new Counter({
      name: "sluice_events_in_total",
      help: "Events entering a stage",
      labelNames: ["stage"],
      registers,
    });
    this.eventsOut = new Counter({
      name: "sluice_events_out_total",
      help: "Events leaving a stage still ok",
      labelNames: ["stage"],
      registers,
    });
    this.eventsFailed = new Counter({
      name: "sluice_events_failed_total",
      help: "Events a stage failed (they go to dead letters)",
      labelNames: ["stage"],
      registers,
    });
    this.eventsDeadLettered = new Counter({
      name: "sluice_events_dead_lettered_total",
      help: "Events stored in the dead-letter destination, by the stage that failed them",
      labelNames: ["stage"],
      registers,
    });
    this.eventsDropped = new Counter({
      name: "sluice_events_dropped_total",
      help: "Events a stage dropped on purpose (filters)",
      labelNames: ["stage"],
      registers,
    });
    this.eventsLost = new Counter({
      name: "sluice_events_lost_total",
      help: "Events a stage let disappear without failing or dropping them (a bug in that stage; the pipeline stops)",
      labelNames: ["stage"],
      registers,
    });
    this.eventsRetried = new Counter({
      name: "sluice_events_retried_total",
      help: "Events sent again after a retryable failure",
      labelNames: ["stage"],
      registers,
    });
    this.eventsDelivered = new Counter({
      name: "sluice_events_delivered_total",
      help: "Events the sink's destination accepted",
      registers,
    });
    this.bytesIn = new Counter({
      name: "sluice_source_bytes_total",
      help: "Raw record bytes read from the source",
      registers,
    });
    this.batchLatency = new Histogram({
      name: "sluice_batch_latency_seconds",
      help: "Time a batch spends in a stage (sinks: per request)",
      labelNames: ["stage"],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.inFlightEvents = new Gauge({
      name: "sluice_in_flight_events",
      help: "Events read and not yet settled",
      registers,
    });
    this.inFlightBytes = new Gauge({
      name: "sluice_in_flight_bytes",
      help: "Raw bytes read and not yet settled",
      registers,
    });
    this.consumerLag = new Gauge({
      name: "sluice_consumer_lag",
      help: "Records between the partition's high watermark and the next offset to read",
      labelNames: ["topic", "partition"],
      registers,
    });
    this.committedOffset = new Gauge({
      name: "sluice_committed_offset",
      help: "Last offset committed to Kafka (the next offset to read)",
      labelNames: ["topic", "partition"],
      registers,
    });
    this.sourcePaused = new Gauge({
      name: "sluice_source_paused",
      help: "1 while the source is paused by backpressure",
      registers,
    });
    this.sourceUp = new Gauge({
      name: "sluice_source_up",
      help: "1 while the source is connected and consuming, 0 while it is down or rejoining its group",
      registers,
    });
    this.kafkaDecoderPatched = new Gauge({
      name: "sluice_kafka_decoder_patched",
      help: "1 while the Kafka source decodes record batches with Sluice's decoder (CRC-32C checked, headers folded in linear time); 0 while kafkajs decodes them itself (a kafkajs release it was not written for)",
      labelNames: ["kafkajs"],
      registers,
    });
    this.rebalances = new Counter({
      name: "sluice_source_rebalances_total",
      help: "Consumer group (re)joins: each one reassigns partitions",
      registers,
    });
    this.requests = new Counter({
      name: "sluice_sink_requests_total",
      help: "Requests sent by sinks, by outcome",
      labelNames: ["target", "status"],
      registers,
    });
    this.sinkConcurrency = new Gauge({
      name: "sluice_sink_concurrency_limit",
      help: "Requests a sink may have in flight (adaptive concurrency moves it)",
      labelNames: ["target"],
      registers,
    });
  }
}
