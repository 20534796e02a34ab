/* Launcher for librdkafka's mock cluster: starts it, prints its bootstrap list, then obeys line
 * commands on stdin (one answer line each) until "quit" or EOF. It never outlives its parent:
 * EOF on stdin, SIGTERM/SIGINT or the parent's death (PR_SET_PDEATHSIG) all end it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static void reply(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  fflush(stdout);
}

static void answer(rd_kafka_resp_err_t err) {
  if (err) reply("ERR %s", rd_kafka_err2str(err));
  else reply("OK");
}

#define MAX_ARGS 64

static int split(char *line, char **argv) {
  int argc = 0;
  for (char *tok = strtok(line, " \t\r\n"); tok && argc < MAX_ARGS; tok = strtok(NULL, " \t\r\n"))
    argv[argc++] = tok;
  return argc;
}

static int parse_topic_arg(char *spec, char **name, int *partitions, int *rf) {
  char *colon = strchr(spec, ':');
  *partitions = 1;
  *rf = 1;
  if (colon) {
    *colon = '\0';
    char *second = strchr(colon + 1, ':');
    if (second) {
      *second = '\0';
      *rf = atoi(second + 1);
    }
    *partitions = atoi(colon + 1);
  }
  *name = spec;
  return *partitions > 0 && *rf > 0;
}

static void run_command(rd_kafka_mock_cluster_t *mc, int argc, char **argv) {
  const char *cmd = argv[0];
  if (!strcmp(cmd, "topic") && argc >= 3) {
    answer(rd_kafka_mock_topic_create(mc, argv[1], atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 1));
  } else if (!strcmp(cmd, "down") && argc == 2) {
    answer(rd_kafka_mock_broker_set_down(mc, atoi(argv[1])));
  } else if (!strcmp(cmd, "up") && argc == 2) {
    answer(rd_kafka_mock_broker_set_up(mc, atoi(argv[1])));
  } else if (!strcmp(cmd, "errors") && argc >= 3) {
    rd_kafka_resp_err_t errs[MAX_ARGS];
    size_t n = 0;
    for (int i = 2; i < argc; i++) errs[n++] = (rd_kafka_resp_err_t)atoi(argv[i]);
    rd_kafka_mock_push_request_errors_array(mc, (int16_t)atoi(argv[1]), n, errs);
    reply("OK");
  } else if (!strcmp(cmd, "broker-errors") && argc >= 4) {
    int32_t broker = atoi(argv[1]);
    int16_t api = (int16_t)atoi(argv[2]);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    /* The va-arg form takes (error, rtt) pairs; push them one at a time. */
    for (int i = 3; i < argc && !err; i++)
      err = rd_kafka_mock_broker_push_request_error_rtts(mc, broker, api, 1,
                                                         (rd_kafka_resp_err_t)atoi(argv[i]), 0);
    answer(err);
  } else if (!strcmp(cmd, "clear-errors") && argc == 2) {
    rd_kafka_mock_clear_request_errors(mc, (int16_t)atoi(argv[1]));
    reply("OK");
  } else if (!strcmp(cmd, "rtt") && argc == 3) {
    answer(rd_kafka_mock_broker_set_rtt(mc, atoi(argv[1]), atoi(argv[2])));
  } else if (!strcmp(cmd, "leader") && argc == 4) {
    answer(rd_kafka_mock_partition_set_leader(mc, argv[1], atoi(argv[2]), atoi(argv[3])));
  } else if (!strcmp(cmd, "coordinator") && argc == 4) {
    answer(rd_kafka_mock_coordinator_set(mc, argv[1], argv[2], atoi(argv[3])));
  } else {
    reply("ERR unknown command or wrong arguments: %s", cmd);
  }
}

int main(int argc, char **argv) {
  pid_t parent = getppid();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) return 1; /* the parent died before prctl took effect */

  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  int brokers = 1;
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--brokers") && i + 1 < argc) brokers = atoi(argv[++i]);

  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  const char *debug = getenv("SLUICE_KAFKA_MOCK_DEBUG");
  rd_kafka_conf_set(conf, "log_level", debug ? "7" : "3", errstr, sizeof(errstr));
  if (debug) rd_kafka_conf_set(conf, "debug", "mock", errstr, sizeof(errstr));
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", errstr);
    return 2;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) {
    fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--topic") || i + 1 >= argc) continue;
    char *name;
    int partitions, rf;
    if (!parse_topic_arg(argv[++i], &name, &partitions, &rf)) {
      fprintf(stderr, "bad --topic %s (want name:partitions[:rf])\n", argv[i]);
      return 2;
    }
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name, partitions, rf);
    if (err) {
      fprintf(stderr, "topic %s: %s\n", name, rd_kafka_err2str(err));
      return 2;
    }
  }
  reply("READY %s", rd_kafka_mock_cluster_bootstraps(mc));

  char line[4096];
  while (!stop_requested && fgets(line, sizeof(line), stdin)) {
    char *args[MAX_ARGS];
    int n = split(line, args);
    if (n == 0) continue;
    if (!strcmp(args[0], "quit")) break;
    run_command(mc, n, args);
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
