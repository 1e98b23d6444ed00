/*
 * lightload: a light load generator for py_db and Redis, on one epoll thread (as redis-benchmark),
 * so that its own CPU cost on a small machine is small and the same for both servers.
 *
 *   cc -O2 -o lightload lightload.c
 *   lightload --protocol pydb --port 9440 --user admin --password-env PYDB_PASSWORD \
 *             --connections 50 --pipeline 1 --duration 8 --keys 100000 --value-size 100 --set-ratio 0
 *   lightload --protocol resp --port 6379 --connections 50 --pipeline 16 --duration 8
 *
 * Every connection keeps up to --pipeline requests in flight; a request is a GET or, with
 * probability --set-ratio, a write (py_db: PUT of {"v":"<value-size x>"}; Redis: SET of the same
 * bytes), on a key drawn uniformly from k0000000000 .. k<keys-1>. --preload writes every key once
 * first (spread over the connections, pipelined), so GETs find their key. py_db connections log in
 * once (session auth) when --user is given. Latency is measured per request from its send to its
 * reply (replies come back in order on a connection), in a log-linear histogram (1/64 of a power
 * of two, about 1.6 %), and reported as p50/p99/p99.9/max. Output: one human line, or one JSON
 * object with --json. Any error reply or protocol violation is counted; with --strict the exit
 * code is 1 if there was any.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum protocol { PYDB, RESP };

struct options {
    const char *host;
    int port;
    enum protocol protocol;
    int connections;
    int pipeline;
    double duration;
    long keys;
    int value_size;
    double set_ratio;
    const char *db;
    const char *user;
    const char *password;
    int preload;
    int json;
    int strict;
    unsigned seed;
};

/* ---- histogram: log-linear buckets of nanoseconds ---- */
#define SUB_BITS 6
#define SUB_COUNT (1 << SUB_BITS)
#define BUCKETS (64 * SUB_COUNT)
static uint64_t histogram[BUCKETS];
static uint64_t samples, max_ns;

static int bucket_of(uint64_t ns) {
    if (ns < SUB_COUNT) return (int)ns;
    int msb = 63 - __builtin_clzll(ns);
    int sub = (int)((ns >> (msb - SUB_BITS)) & (SUB_COUNT - 1));
    return (msb - SUB_BITS + 1) * SUB_COUNT + sub;
}

static uint64_t bucket_upper(int bucket) {
    if (bucket < SUB_COUNT) return (uint64_t)bucket;
    int msb = bucket / SUB_COUNT + SUB_BITS - 1;
    uint64_t sub = (uint64_t)(bucket % SUB_COUNT);
    return ((SUB_COUNT + sub + 1) << (msb - SUB_BITS)) - 1;
}

static void record(uint64_t ns) {
    histogram[bucket_of(ns)]++;
    samples++;
    if (ns > max_ns) max_ns = ns;
}

static double percentile_us(double p) {
    if (samples == 0) return 0;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)samples + 0.5);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
        seen += histogram[i];
        if (seen >= rank) return (bucket_upper(i) < max_ns ? bucket_upper(i) : max_ns) / 1000.0;
    }
    return max_ns / 1000.0;
}

/* ---- buffers ---- */
struct buffer {
    char *data;
    size_t start, end, capacity;
};

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q) {
        fprintf(stderr, "lightload: out of memory\n");
        exit(2);
    }
    return q;
}

static void buffer_reserve(struct buffer *b, size_t more) {
    if (b->end + more <= b->capacity) return;
    if (b->start > 0) {
        memmove(b->data, b->data + b->start, b->end - b->start);
        b->end -= b->start;
        b->start = 0;
    }
    if (b->end + more > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 16384;
        while (b->end + more > capacity) capacity *= 2;
        b->data = xrealloc(b->data, capacity);
        b->capacity = capacity;
    }
}

static void buffer_append(struct buffer *b, const char *data, size_t n) {
    buffer_reserve(b, n);
    memcpy(b->data + b->end, data, n);
    b->end += n;
}

static void buffer_printf(struct buffer *b, const char *format, ...) {
    va_list args;
    for (;;) {
        size_t room = b->capacity - b->end;
        va_start(args, format);
        int n = vsnprintf(b->data ? b->data + b->end : NULL, room, format, args);
        va_end(args);
        if (n < 0) exit(2);
        if ((size_t)n < room) {
            b->end += (size_t)n;
            return;
        }
        buffer_reserve(b, (size_t)n + 1);
    }
}

/* ---- connections ---- */
enum phase { LOGIN, PRELOAD, RUN, DONE };

struct connection {
    int fd;
    int index;
    enum phase phase;
    struct buffer out, in;
    uint64_t *sent_at; /* ring of send times, pipeline slots */
    int ring_head, inflight;
    long preload_next, preload_end;
    int writable_wait;
};

static struct options opt;
static char *value;          /* value-size bytes of 'x' */
static uint64_t completed, errors, protocol_errors;
static int measuring;
static uint64_t rng_state;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static uint64_t next_random(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static void append_pydb_frame(struct buffer *b, const char *body, size_t n) {
    buffer_printf(b, "QUERY_LENGTH: %zu\r\n\r\n", n);
    buffer_append(b, body, n);
}

static struct buffer scratch;

static void request_pydb(struct connection *c, int write, long key) {
    scratch.start = scratch.end = 0;
    if (write) {
        buffer_printf(&scratch, "{\"action\":\"PUT\",\"db\":\"%s\",\"key\":\"k%010ld\",\"doc\":{\"v\":\"", opt.db, key);
        buffer_append(&scratch, value, (size_t)opt.value_size);
        buffer_append(&scratch, "\"}}", 3);
    } else {
        buffer_printf(&scratch, "{\"action\":\"GET\",\"db\":\"%s\",\"key\":\"k%010ld\"}", opt.db, key);
    }
    append_pydb_frame(&c->out, scratch.data, scratch.end);
}

static void request_resp(struct connection *c, int write, long key) {
    if (write) {
        /* the same bytes py_db stores: {"v":"xxx…"} */
        int n = opt.value_size + 8;
        buffer_printf(&c->out, "*3\r\n$3\r\nSET\r\n$11\r\nk%010ld\r\n$%d\r\n{\"v\":\"", key, n);
        buffer_append(&c->out, value, (size_t)opt.value_size);
        buffer_append(&c->out, "\"}\r\n", 4);
    } else {
        buffer_printf(&c->out, "*2\r\n$3\r\nGET\r\n$11\r\nk%010ld\r\n", key);
    }
}

static void send_request(struct connection *c, int write, long key) {
    if (opt.protocol == PYDB) request_pydb(c, write, key); else request_resp(c, write, key);
    int slot = (c->ring_head + c->inflight) % opt.pipeline;
    c->sent_at[slot] = now_ns();
    c->inflight++;
}

static void fill_pipeline(struct connection *c) {
    if (c->phase == PRELOAD) {
        while (c->inflight < opt.pipeline && c->preload_next < c->preload_end) {
            send_request(c, 1, c->preload_next++);
        }
        return;
    }
    if (c->phase != RUN || !measuring) return; /* GETs start once every key is preloaded */
    while (c->inflight < opt.pipeline) {
        int write = opt.set_ratio > 0 && (double)(next_random() >> 11) / 9007199254740992.0 < opt.set_ratio;
        long key = (long)(next_random() % (uint64_t)opt.keys);
        send_request(c, write, key);
    }
}

/* One reply at the front of c->in: returns its length (>0), 0 if incomplete, -1 on a protocol
 * error; *ok says whether it is a success. */
static long parse_pydb(struct connection *c, int *ok) {
    const char *p = c->in.data + c->in.start;
    size_t n = c->in.end - c->in.start;
    const char *end = memmem(p, n, "\r\n\r\n", 4);
    if (!end) return n > 1024 ? -1 : 0;
    if (n < 14 || strncasecmp(p, "QUERY_LENGTH:", 13) != 0) return -1;
    long length = strtol(p + 13, NULL, 10);
    size_t header = (size_t)(end - p) + 4;
    if (length < 0 || header + (size_t)length > n) return length < 0 ? -1 : 0;
    *ok = memmem(p + header, (size_t)length < 16 ? (size_t)length : 16, "\"ok\":true", 9) != NULL;
    return (long)(header + (size_t)length);
}

static long parse_resp(struct connection *c, int *ok) {
    const char *p = c->in.data + c->in.start;
    size_t n = c->in.end - c->in.start;
    const char *eol = memmem(p, n, "\r\n", 2);
    if (!eol) return 0;
    size_t line = (size_t)(eol - p) + 2;
    switch (p[0]) {
        case '+': case ':': *ok = 1; return (long)line;
        case '-': *ok = 0; return (long)line;
        case '$': {
            long length = strtol(p + 1, NULL, 10);
            if (length < 0) { *ok = 0; return (long)line; } /* nil: a missing key */
            if (line + (size_t)length + 2 > n) return 0;
            *ok = 1;
            return (long)(line + (size_t)length + 2);
        }
        default: return -1;
    }
}

static void die(const char *what) {
    fprintf(stderr, "lightload: %s: %s\n", what, strerror(errno));
    exit(2);
}

static int connect_one(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    if (inet_pton(AF_INET, opt.host, &address.sin_addr) != 1) {
        fprintf(stderr, "lightload: --host must be an IPv4 address, was %s\n", opt.host);
        exit(2);
    }
    if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void start_phase(struct connection *c) {
    if (c->phase == LOGIN) {
        scratch.start = scratch.end = 0;
        buffer_printf(&scratch, "{\"action\":\"LOGIN\",\"username\":\"%s\",\"password\":\"%s\"}", opt.user, opt.password);
        append_pydb_frame(&c->out, scratch.data, scratch.end);
        c->sent_at[c->ring_head] = now_ns();
        c->inflight = 1;
    } else {
        fill_pipeline(c);
    }
}

static int flush_out(struct connection *c) {
    while (c->out.start < c->out.end) {
        ssize_t n = write(c->fd, c->out.data + c->out.start, c->out.end - c->out.start);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
            die("write");
        }
        c->out.start += (size_t)n;
    }
    c->out.start = c->out.end = 0;
    return 1;
}

static int preloading;

static void advance(struct connection *c) {
    if (c->phase == LOGIN) {
        c->phase = opt.preload && c->preload_next < c->preload_end ? PRELOAD : RUN;
        if (c->phase == RUN) preloading--;
    } else if (c->phase == PRELOAD && c->preload_next >= c->preload_end && c->inflight == 0) {
        c->phase = RUN;
        preloading--;
    }
}

static void on_readable(struct connection *c) {
    for (;;) {
        buffer_reserve(&c->in, 65536);
        ssize_t n = read(c->fd, c->in.data + c->in.end, c->in.capacity - c->in.end);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            die("read");
        }
        if (n == 0) {
            fprintf(stderr, "lightload: the server closed connection %d\n", c->index);
            exit(2);
        }
        c->in.end += (size_t)n;
        if ((size_t)n < c->in.capacity - c->in.end + (size_t)n) break;
    }
    uint64_t now = now_ns();
    for (;;) {
        int ok = 0;
        long length = opt.protocol == PYDB ? parse_pydb(c, &ok) : parse_resp(c, &ok);
        if (length == 0) break;
        if (length < 0) {
            protocol_errors++;
            fprintf(stderr, "lightload: a reply that is not %s on connection %d\n",
                    opt.protocol == PYDB ? "a py_db frame" : "RESP", c->index);
            exit(2);
        }
        if (!ok && errors == 0 && c->phase != LOGIN) {
            int shown = length < 300 ? (int)length : 300;
            fprintf(stderr, "lightload: first error reply (connection %d): %.*s\n", c->index, shown, c->in.data + c->in.start);
        }
        c->in.start += (size_t)length;
        if (c->inflight == 0) {
            protocol_errors++;
            continue;
        }
        uint64_t sent = c->sent_at[c->ring_head];
        c->ring_head = (c->ring_head + 1) % opt.pipeline;
        c->inflight--;
        if (c->phase == LOGIN && !ok) {
            fprintf(stderr, "lightload: LOGIN as %s failed\n", opt.user);
            exit(2);
        }
        if (c->phase == RUN && measuring) {
            record(now - sent);
            completed++;
            if (!ok) errors++;
        } else if (c->phase == PRELOAD && !ok) {
            errors++;
        }
        enum phase before = c->phase;
        advance(c);
        if (c->phase != before && c->phase == RUN) fill_pipeline(c);
    }
    if (c->in.start == c->in.end) c->in.start = c->in.end = 0;
    fill_pipeline(c);
}

static void usage(void) {
    fprintf(stderr,
            "usage: lightload [--host 127.0.0.1] [--port N] [--protocol pydb|resp] [--connections 50]\n"
            "                 [--pipeline 1] [--duration 8] [--keys 100000] [--value-size 100] [--set-ratio 0]\n"
            "                 [--db bench] [--user U --password-env VAR] [--preload] [--json] [--strict] [--seed N]\n");
    exit(2);
}

static void parse_options(int argc, char **argv) {
    opt = (struct options){.host = "127.0.0.1", .port = 9440, .protocol = PYDB, .connections = 50, .pipeline = 1,
                           .duration = 8, .keys = 100000, .value_size = 100, .set_ratio = 0, .db = "bench", .seed = 42};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--preload")) { opt.preload = 1; continue; }
        if (!strcmp(a, "--json")) { opt.json = 1; continue; }
        if (!strcmp(a, "--strict")) { opt.strict = 1; continue; }
        if (!v) usage();
        i++;
        if (!strcmp(a, "--host")) opt.host = v;
        else if (!strcmp(a, "--port")) opt.port = atoi(v);
        else if (!strcmp(a, "--protocol")) {
            if (!strcmp(v, "pydb")) opt.protocol = PYDB;
            else if (!strcmp(v, "resp")) opt.protocol = RESP;
            else usage();
        } else if (!strcmp(a, "--connections")) opt.connections = atoi(v);
        else if (!strcmp(a, "--pipeline")) opt.pipeline = atoi(v);
        else if (!strcmp(a, "--duration")) opt.duration = atof(v);
        else if (!strcmp(a, "--keys")) opt.keys = atol(v);
        else if (!strcmp(a, "--value-size")) opt.value_size = atoi(v);
        else if (!strcmp(a, "--set-ratio")) opt.set_ratio = atof(v);
        else if (!strcmp(a, "--db")) opt.db = v;
        else if (!strcmp(a, "--user")) opt.user = v;
        else if (!strcmp(a, "--password-env")) {
            opt.password = getenv(v);
            if (!opt.password) {
                fprintf(stderr, "lightload: environment variable %s is not set\n", v);
                exit(2);
            }
        } else if (!strcmp(a, "--seed")) opt.seed = (unsigned)strtoul(v, NULL, 10);
        else usage();
    }
    if (opt.connections < 1 || opt.pipeline < 1 || opt.keys < 1 || opt.value_size < 0 || opt.duration <= 0
            || opt.set_ratio < 0 || opt.set_ratio > 1 || opt.port < 1) {
        usage();
    }
    if (opt.user && !opt.password) {
        fprintf(stderr, "lightload: --user needs --password-env VAR\n");
        exit(2);
    }
}

int main(int argc, char **argv) {
    parse_options(argc, argv);
    rng_state = 0x9E3779B97F4A7C15ull ^ opt.seed;
    value = malloc((size_t)opt.value_size + 1);
    memset(value, 'x', (size_t)opt.value_size);

    int epoll = epoll_create1(0);
    if (epoll < 0) die("epoll_create1");
    struct connection *connections = calloc((size_t)opt.connections, sizeof *connections);
    long per = (opt.keys + opt.connections - 1) / opt.connections;
    preloading = opt.connections;
    for (int i = 0; i < opt.connections; i++) {
        struct connection *c = &connections[i];
        c->index = i;
        c->fd = connect_one();
        c->sent_at = calloc((size_t)opt.pipeline, sizeof(uint64_t));
        c->preload_next = i * per;
        c->preload_end = (i + 1) * per < opt.keys ? (i + 1) * per : opt.keys;
        c->phase = opt.protocol == PYDB && opt.user ? LOGIN
                : (opt.preload && c->preload_next < c->preload_end ? PRELOAD : RUN);
        if (c->phase == RUN) preloading--;
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(epoll, EPOLL_CTL_ADD, c->fd, &event) < 0) die("epoll_ctl");
    }
    uint64_t preload_started = now_ns();
    for (int i = 0; i < opt.connections; i++) start_phase(&connections[i]);

    struct epoll_event events[256];
    uint64_t run_started = 0, run_ends = 0;
    uint64_t duration_ns = (uint64_t)(opt.duration * 1e9);
    double preload_seconds = 0;
    for (;;) {
        for (int i = 0; i < opt.connections; i++) {
            struct connection *c = &connections[i];
            if (c->out.end > c->out.start) {
                int done = flush_out(c);
                if (!done && !c->writable_wait) {
                    struct epoll_event event = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
                    epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &event);
                    c->writable_wait = 1;
                } else if (done && c->writable_wait) {
                    struct epoll_event event = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(epoll, EPOLL_CTL_MOD, c->fd, &event);
                    c->writable_wait = 0;
                }
            }
        }
        if (!measuring && preloading == 0) {
            preload_seconds = (now_ns() - preload_started) / 1e9;
            measuring = 1;
            run_started = now_ns();
            run_ends = run_started + duration_ns;
            for (int i = 0; i < opt.connections; i++) fill_pipeline(&connections[i]);
            continue;
        }
        if (measuring && now_ns() >= run_ends) break;
        int n = epoll_wait(epoll, events, 256, 100);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct connection *c = events[i].data.ptr;
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
        }
    }
    double seconds = (now_ns() - run_started) / 1e9;
    double throughput = completed / seconds;
    const char *name = opt.protocol == PYDB ? "pydb" : "resp";
    if (opt.json) {
        printf("{\"protocol\":\"%s\",\"connections\":%d,\"pipeline\":%d,\"keys\":%ld,\"value_size\":%d,"
               "\"set_ratio\":%.3f,\"seconds\":%.3f,\"preload_seconds\":%.3f,\"requests\":%llu,\"errors\":%llu,"
               "\"throughput\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f}\n",
               name, opt.connections, opt.pipeline, opt.keys, opt.value_size, opt.set_ratio, seconds, preload_seconds,
               (unsigned long long)completed, (unsigned long long)errors, throughput, percentile_us(50),
               percentile_us(99), percentile_us(99.9), max_ns / 1000.0);
    } else {
        printf("%s: %d connections, pipeline %d, set ratio %.2f: %.0f requests/s over %.1f s, %llu errors; "
               "p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us\n",
               name, opt.connections, opt.pipeline, opt.set_ratio, throughput, seconds, (unsigned long long)errors,
               percentile_us(50), percentile_us(99), percentile_us(99.9), max_ns / 1000.0);
    }
    return opt.strict && (errors || protocol_errors) ? 1 : 0;
}
