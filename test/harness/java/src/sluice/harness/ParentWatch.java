package sluice.harness;

import java.io.IOException;

/** Ends this JVM when the test process's end of its stdin closes, so no node outlives the test run. */
final class ParentWatch {
  private ParentWatch() {}

  static void start() {
    Thread watch =
        new Thread(
            () -> {
              try {
                while (System.in.read() != -1) {
                  // the parent writes nothing; EOF is the signal
                }
              } catch (IOException ignored) {
                // a closed stdin is the same signal
              }
              // halt, not exit: a parent that died gets no graceful shutdown, as with kill -9.
              Runtime.getRuntime().halt(137);
            },
            "sluice-parent-watch");
    watch.setDaemon(true);
    watch.start();
  }
}
