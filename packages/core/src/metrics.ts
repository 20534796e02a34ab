// Prometheus metrics for one pipeline, in a registry of its own (no global state).
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export class PipelineMetrics {
  readonly registry: Registry;
  readonly eventsIn: Counter<"stage">;
  readonly eventsOut: Counter<"stage">;
  readonly eventsFailed: Counter<"stage">;
  readonly eventsDeadLettered: Counter<"stage">;
  readonly eventsDropped: Counter<"stage">;
  readonly eventsLost: Counter<"stage">;
  readonly eventsRetried: Counter<"stage">;
  readonly eventsDelivered: Counter;
  readonly bytesIn: Counter;
  readonly batchLatency: Histogram<"stage">;
  readonly inFlightEvents: Gauge;
  readonly inFlightBytes: Gauge;
  readonly consumerLag: Gauge<"topic" | "partition">;
  readonly committedOffset: Gauge<"topic" | "partition">;
  readonly sourcePaused: Gauge;
  readonly sourceUp: Gauge;
  readonly rebalances: Counter;
  readonly kafkaDecoderPatched: Gauge<"kafkajs">;
  readonly requests: Counter<"target" | "status">;
  readonly sinkConcurrency: Gauge<"target">;

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
