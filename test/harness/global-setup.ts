// Runs once around the whole test run. (Placeholder: the Kafka harness adds its leftover-process check here.)
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
