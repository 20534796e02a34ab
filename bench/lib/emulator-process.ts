// The Elasticsearch emulator in its own process (bench mode: bulk items accepted unparsed), so the
// contestants' event loop is theirs alone. Prints its URL on stdout; exits when stdin closes.
import { startElasticsearch } from "../../test/harness/elasticsearch/index.js";

const es = await startElasticsearch({
  backend: "emulator",
  acceptAll: process.argv.includes("--accept-all"),
});
process.stdout.write(`${es.url}\n`);
process.stdin.resume();
process.stdin.on("end", async () => {
  await es.stop();
  process.exit(0);
});
