// Dev and test runs only (beside `--import tsx`): TypeScript in worker threads too. A thread runs its
// parent's `--import`s, but tsx registers its hooks on the main thread alone, so without this the Kafka
// source's consumer thread could not run from the packages' sources.
import { isMainThread } from "node:worker_threads";
import { register } from "tsx/esm/api";

if (!isMainThread) register();
