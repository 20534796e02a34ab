// Routes kafkajs's own log lines into the pipeline's pino logger (its INFO chatter goes to debug).
import type { Logger } from "@sluice/core";
import kafkajs, { type logCreator } from "kafkajs";

// kafkajs is CommonJS: under Node's ESM loader its values come through the default export.
const { logLevel } = kafkajs;

export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const fields = { kafka: namespace, ...extra };
      if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else logger.debug(fields, message);
    };
}
