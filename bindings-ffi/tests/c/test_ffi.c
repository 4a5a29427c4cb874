/* Exercises every function of the C ABI, bad inputs included, against the emulator whose
 * URL is in IMPACT_SANDBOX_URL. Run by `make ffi-test`, plainly and under valgrind. */
#define _GNU_SOURCE
#include "impact_conversions.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures = 0, passed = 0;

#define CHECK(cond, what)                                                          \
  do {                                                                             \
    if (cond) {                                                                    \
      passed++;                                                                    \
    } else {                                                                       \
      failures++;                                                                  \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, what);               \
    }                                                                              \
  } while (0)

static const char *SEED =
    "{\"CampaignId\":1000,\"EventTypeId\":9876,\"EventDate\":\"2024-08-01T23:55:24-08:00\","
    "\"ClickId\":\"QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0\",\"CurrencyCode\":\"USD\","
    "\"OrderId\":\"%s\",\"OrderDiscount\":\"15.00\","
    "\"items\":[{\"sku\":\"1ABC2345\",\"quantity\":2,\"sub_total\":\"28.00\"},"
    "{\"sku\":\"9ZXY7654\",\"quantity\":3,\"sub_total\":\"99.00\"}]}";

static char *order(const char *id) {
  char *s = NULL;
  if (asprintf(&s, SEED, id) < 0) return NULL;
  return s;
}

/* Evaluates `expr` (which writes to `var`) first, then checks it: C leaves the order of
 * argument evaluation unspecified, so the call cannot sit in expect()'s argument list. */
#define EXPECT(var, expr, want, needle, what) \
  do {                                        \
    var = NULL;                               \
    ImpactStatus status_ = (expr);            \
    expect(status_, want, var, needle, what); \
  } while (0)

/* Checks the status and that `needle` is in the output, then frees the output. */
static void expect(ImpactStatus got, ImpactStatus want, char *out, const char *needle, const char *what) {
  CHECK(got == want, what);
  CHECK(out != NULL, what);
  if (out && needle && !strstr(out, needle)) {
    fprintf(stderr, "  %s: %s not in %s\n", what, needle, out);
    failures++;
  }
  if (got != want) fprintf(stderr, "  %s: status %d, output %s\n", what, got, out ? out : "(null)");
  impact_string_free(out);
}

static void pure_functions(void) {
  char *out = NULL;
  CHECK(strlen(impact_version()) > 0, "version");
  char *seed = order("O-c");
  EXPECT(out, impact_validate(seed, &out), IMPACT_STATUS_OK, "\"errors\":[]", "validate");
  EXPECT(out, impact_encode(seed, &out), IMPACT_STATUS_OK, "ItemSubTotal1=28.00&", "encode");
  EXPECT(out, impact_allocate_discount(seed, &out), IMPACT_STATUS_OK, "\"share\":\"3.31\"", "allocate");
  free(seed);
  EXPECT(out, impact_encode("{\"CampaignId\":1000}", &out), IMPACT_STATUS_VALIDATION, "\"required\"", "encode invalid");
  EXPECT(out, impact_encode("{not json", &out), IMPACT_STATUS_VALIDATION, "invalid_json", "malformed JSON");
  EXPECT(out, impact_encode(NULL, &out), IMPACT_STATUS_VALIDATION, "NULL", "NULL input");
  CHECK(impact_encode(NULL, NULL) == IMPACT_STATUS_VALIDATION, "NULL out");
  EXPECT(out, impact_encode("{\"OrderId\":\"\xff\xfe\"}", &out), IMPACT_STATUS_VALIDATION, "UTF-8", "invalid UTF-8");
  size_t big = IMPACT_MAX_INPUT_BYTES + 10;
  char *huge = malloc(big + 1);
  memset(huge, ' ', big);
  huge[big] = 0;
  EXPECT(out, impact_validate(huge, &out), IMPACT_STATUS_VALIDATION, "limit", "huge input");
  free(huge);
  EXPECT(out, impact_capture("{}", "{\"scheme\":\"https\",\"host\":\"www.example.com\",\"query\":\"irclickid=Abc\","
                              "\"consent\":\"granted\",\"now\":1700000000000}", &out), IMPACT_STATUS_OK, "impact_irclickid=1.1700000000000.Abc; Max-Age=2592000; Domain=example.com", "capture");
  EXPECT(out, impact_capture("{\"max_age_secs\":999999999}", "{\"scheme\":\"https\",\"host\":\"a.b\",\"now\":1}", &out), IMPACT_STATUS_CONFIG, "max_age", "capture bad config");
  EXPECT(out, impact_read_stored("{}", "impact_irclickid=1.1700000000000.Abc", 1700000001000, &out), IMPACT_STATUS_OK, "\"click_id\":\"Abc\"", "read_stored");
  EXPECT(out, impact_decorate_url("{\"handoff\":{\"sister_domains\":[\"example-shop.de\"]}}", "https://www.example-shop.de/c",
                             "Abc", 1700000000000, &out), IMPACT_STATUS_OK, "irclickid=Abc", "decorate_url");
  EXPECT(out, impact_decorate_url(NULL, "x", "y", 0, &out), IMPACT_STATUS_VALIDATION, "config", "decorate NULL");
  EXPECT(out, impact_clear("{}", "www.example.com", &out), IMPACT_STATUS_OK, "Domain=example.com", "clear");
  EXPECT(out, impact_clear("{}", NULL, &out), IMPACT_STATUS_VALIDATION, "host", "clear NULL host");
}

typedef struct {
  ImpactClient *client;
  int index;
  ImpactStatus status;
} job;

static void *submit_thread(void *arg) {
  job *j = arg;
  char id[32];
  snprintf(id, sizeof id, "O-thread-%d", j->index);
  char *conv = order(id), *out = NULL;
  j->status = impact_submit(j->client, conv, NULL, &out);
  impact_string_free(out);
  free(conv);
  return NULL;
}

static void *cancel_later(void *arg) {
  usleep(200 * 1000);
  impact_cancel_trigger((ImpactCancel *)arg);
  return NULL;
}

static ImpactClient *new_client(const char *url, const char *extra) {
  char *config = NULL, *err = NULL;
  ImpactClient *client = NULL;
  if (asprintf(&config,
               "{\"account_sid\":\"IRSANDBOX00000000000000000000001\",\"auth_token\":\"sandbox-auth-token\","
               "\"base_url\":\"%s\",\"base_delay_ms\":10,\"max_delay_ms\":50%s}",
               url, extra) < 0)
    return NULL;
  ImpactStatus s = impact_client_new(config, &client, &err);
  if (s != IMPACT_STATUS_OK) fprintf(stderr, "client_new: %s\n", err ? err : "?");
  impact_string_free(err);
  free(config);
  return client;
}

static void client_functions(const char *url) {
  char *out = NULL, *err = NULL;
  ImpactClient *bad = (ImpactClient *)1;
  EXPECT(err, impact_client_new("{\"account_sid\":\"nope\",\"auth_token\":\"t\"}", &bad, &err), IMPACT_STATUS_CONFIG,
         "account_sid", "client_new bad config");
  CHECK(bad == NULL, "client NULL on error");
  EXPECT(err, impact_client_new("{\"account_sid\":\"IRx\",\"auth_token\":\"t\",\"base_url\":\"http://api.impact.com\"}", &bad,
                           &err), IMPACT_STATUS_CONFIG, "https", "plain http refused");
  EXPECT(out, impact_submit(NULL, "{}", NULL, &out), IMPACT_STATUS_VALIDATION, "client is NULL", "NULL client");

  ImpactClient *client = new_client(url, "");
  CHECK(client != NULL, "client_new");
  if (!client) return;
  char *conv = order("O-c-submit");
  EXPECT(out, impact_submit(client, conv, NULL, &out), IMPACT_STATUS_OK, "\"status\":\"QUEUED\"", "submit");
  EXPECT(out, impact_submit(client, "{\"OrderId\":\"x\"}", NULL, &out), IMPACT_STATUS_VALIDATION, "\"issues\"",
         "submit invalid");
  EXPECT(out, impact_submission_status(client, "/Advertisers/IRSANDBOX00000000000000000000001/APISubmissions/none", NULL,
                                  &out), IMPACT_STATUS_API, "404", "status unknown id");
  char many[4096];
  char *a = order("O-c-m1"), *b = order("O-c-m2");
  snprintf(many, sizeof many, "{\"conversions\":[%s,{\"OrderId\":\"bad\"},%s],\"concurrency\":2}", a, b);
  free(a);
  free(b);
  EXPECT(out, impact_submit_many(client, many, NULL, &out), IMPACT_STATUS_OK, "\"error\":{\"code\":\"validation\"",
         "submit_many");
  EXPECT(out, impact_modify_action(client, "{\"action_id\":\"1000.1.1\",\"reason\":\"ITEM_RETURNED\",\"amount\":\"5.00\"}",
                              NULL, &out), IMPACT_STATUS_OK, "QUEUED", "modify_action");
  EXPECT(out, impact_reverse_action(client, "{\"action_id\":\"1000.1.1\",\"disposition_code\":\"ITEM_RETURNED\"}", NULL, &out), IMPACT_STATUS_OK, "QUEUED", "reverse_action");
  EXPECT(out, impact_reverse_action(client, "{\"action_id\":\"1\",\"disposition_code\":\"NOPE\"}", NULL, &out), IMPACT_STATUS_VALIDATION, "disposition_code", "reverse invalid");
  EXPECT(out, impact_client_events(client, &out), IMPACT_STATUS_OK, "\"kind\":\"attempt\"", "events");

  /* Many threads on one client. */
  pthread_t threads[8];
  job jobs[8];
  for (int i = 0; i < 8; i++) {
    jobs[i] = (job){client, i, IMPACT_STATUS_INTERNAL};
    pthread_create(&threads[i], NULL, submit_thread, &jobs[i]);
  }
  for (int i = 0; i < 8; i++) {
    pthread_join(threads[i], NULL);
    CHECK(jobs[i].status == IMPACT_STATUS_OK, "threaded submit");
  }

  /* Fork: the child gets its own runtime and connections. (Skipped under valgrind, which
   * does not follow a multi-threaded fork reliably; the plain run covers it.) */
  if (getenv("IMPACT_SKIP_FORK") == NULL) {
  pid_t pid = fork();
  if (pid == 0) {
    char *child = order("O-c-child"), *o = NULL;
    ImpactStatus s = impact_submit(client, child, NULL, &o);
    if (s != IMPACT_STATUS_OK) fprintf(stderr, "child: %d %s\n", s, o ? o : "(null)");
    impact_string_free(o);
    free(child);
    _exit(s == IMPACT_STATUS_OK ? 0 : 1);
  }
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  CHECK(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0, "submit in a forked child");
  }
  free(conv);
  conv = order("O-c-parent");
  EXPECT(out, impact_submit(client, conv, NULL, &out), IMPACT_STATUS_OK, "QUEUED", "submit in the parent after fork");
  free(conv);
  impact_client_free(client);

  /* Cancellation: a call retrying against a closed port returns promptly when cancelled. */
  ImpactClient *dead = new_client("http://127.0.0.1:9", ",\"deadline_ms\":30000,\"max_attempts\":100000");
  ImpactCancel *cancel = impact_cancel_new();
  pthread_t canceller;
  pthread_create(&canceller, NULL, cancel_later, cancel);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  conv = order("O-c-cancel");
  EXPECT(out, impact_submit(dead, conv, cancel, &out), IMPACT_STATUS_TIMEOUT, "cancelled", "cancel");
  clock_gettime(CLOCK_MONOTONIC, &t1);
  CHECK(t1.tv_sec - t0.tv_sec < 5, "cancel returned promptly");
  pthread_join(canceller, NULL);
  free(conv);
  impact_cancel_free(cancel);
  impact_client_free(dead);
}

int main(void) {
  const char *url = getenv("IMPACT_SANDBOX_URL");
  pure_functions();
  if (url) {
    client_functions(url);
  } else {
    fprintf(stderr, "IMPACT_SANDBOX_URL not set\n");
    failures++;
  }
  impact_shutdown();
  printf("%d passed, %d failed\n", passed, failures);
  return failures ? 1 : 0;
}
