/*
 * containerctl's native fast path (docs/containerctl.md, "The native client").
 *
 * bin/containerctl runs this program when it is there: it sends the command line to the daemon's control socket and
 * copies what comes back, as the Java client does, in a few milliseconds instead of a JVM's start. Whatever it does not
 * do itself it hands to the Java client (bin/containerctl with CC_CTL_JVM=1), which stays the reference: the package
 * tools (dcp), the fleet tool, completion, a command line without a command, a configuration file it cannot read as
 * plain JSON. Relative paths are made absolute by the daemon against the folder sent with the request, with the same
 * command model the Java client uses: the request carries "argv" (as typed) and "cwd" where the Java client's carries
 * "args" (already absolute).
 *
 * The control protocol (docs/operations.md): one request frame, then output frames until an exit frame. A frame is a
 * type byte, a 4-byte big-endian length and that many bytes.
 *
 * Plain C99 and POSIX, no library beyond libc: a cross-compiler builds it as it is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_CONFIG "/etc/cc-container-mng.conf"
#define DEFAULT_SOCKET "/run/cc-containerd/control.sock"
#define PREFIX "containerctl: "
#define MAX_CONFIG (1 << 20)
#define MAX_FRAME (1 << 20)
#define MAX_REQUEST (64 << 10)
#define MAX_DEPTH 32
#define NO_DAEMON 3
#define NOT_PERMITTED 5
#define FAILED 1

static char **original_argv;

static void home(char *out, size_t cap);
static void write_fully(int fd, const char *p, size_t n);
static int utf8(const unsigned char *p, size_t n);

/* Hands the whole command line to the Java client. */
static void java_client(void) {
	char self[PATH_MAX];
	home(self, sizeof self);
	char script[PATH_MAX];
	if (snprintf(script, sizeof script, "%s/bin/containerctl", self) >= (int) sizeof script) {
		exit(FAILED);
	}
	setenv("CC_CTL_JVM", "1", 1);
	original_argv[0] = script;
	execv(script, original_argv);
	fprintf(stderr, PREFIX "cannot run %s: %s\n", script, strerror(errno));
	exit(FAILED);
}

/* The folder the installation is in (<home>/lib/ctl/containerctl-native -> <home>), or exits. */
static void home(char *out, size_t cap) {
	ssize_t n = readlink("/proc/self/exe", out, cap - 1);
	if (n <= 0) {
		fprintf(stderr, PREFIX "cannot find its own installation (/proc/self/exe)\n");
		exit(FAILED);
	}
	out[n] = 0;
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(out, '/');
		if (slash == NULL) {
			exit(FAILED);
		}
		*slash = 0;
	}
}

/* Prints lib/ctl/usage.txt (what the Java client prints for --help, written there at build), or lets the Java client. */
static void usage(void) {
	char path[PATH_MAX];
	home(path, sizeof path);
	if (strlen(path) + sizeof "/lib/ctl/usage.txt" > sizeof path) {
		java_client();
	}
	strcat(path, "/lib/ctl/usage.txt");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		java_client();
	}
	char b[8192];
	ssize_t n;
	while ((n = read(fd, b, sizeof b)) > 0) {
		write_fully(1, b, (size_t) n);
	}
	exit(0);
}

/* ---------------------------------------------------------------- a strict JSON reader, for one string */

struct json {
	const char *p;
	const char *end;
	int depth;
};

static void ws(struct json *j) {
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) {
		j->p++;
	}
}

static int put_utf8(char *out, size_t *len, size_t cap, unsigned long c) {
	char b[4];
	size_t n;
	if (c < 0x80) {
		b[0] = (char) c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (char) (0xc0 | (c >> 6));
		b[1] = (char) (0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (char) (0xe0 | (c >> 12));
		b[1] = (char) (0x80 | ((c >> 6) & 0x3f));
		b[2] = (char) (0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (char) (0xf0 | (c >> 18));
		b[1] = (char) (0x80 | ((c >> 12) & 0x3f));
		b[2] = (char) (0x80 | ((c >> 6) & 0x3f));
		b[3] = (char) (0x80 | (c & 0x3f));
		n = 4;
	}
	if (out != NULL) {
		if (*len + n >= cap) {
			return -1;
		}
		memcpy(out + *len, b, n);
	}
	*len += n;
	return 0;
}

static int hex4(struct json *j, unsigned long *v) {
	if (j->end - j->p < 4) {
		return -1;
	}
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = *j->p++;
		*v <<= 4;
		if (c >= '0' && c <= '9') {
			*v |= (unsigned long) (c - '0');
		} else if (c >= 'a' && c <= 'f') {
			*v |= (unsigned long) (c - 'a' + 10);
		} else if (c >= 'A' && c <= 'F') {
			*v |= (unsigned long) (c - 'A' + 10);
		} else {
			return -1;
		}
	}
	return 0;
}

/* Reads a string (the opening quote is next) into out (cap bytes, NUL-terminated), or only checks it if out is NULL. */
static int string(struct json *j, char *out, size_t cap) {
	size_t len = 0;
	if (j->p >= j->end || *j->p != '"') {
		return -1;
	}
	j->p++;
	while (j->p < j->end) {
		unsigned char c = (unsigned char) *j->p++;
		if (c == '"') {
			if (out != NULL) {
				out[len] = 0;
			}
			return 0;
		}
		if (c < 0x20) {
			return -1;
		}
		if (c != '\\') {
			if (out != NULL) {
				if (len + 1 >= cap) {
					return -1;
				}
				out[len] = (char) c;
			}
			len++;
			continue;
		}
		if (j->p >= j->end) {
			return -1;
		}
		char e = *j->p++;
		unsigned long u;
		switch (e) {
		case '"': case '\\': case '/': u = (unsigned long) e; break;
		case 'b': u = '\b'; break;
		case 'f': u = '\f'; break;
		case 'n': u = '\n'; break;
		case 'r': u = '\r'; break;
		case 't': u = '\t'; break;
		case 'u':
			if (hex4(j, &u) != 0) {
				return -1;
			}
			if (u >= 0xd800 && u <= 0xdbff) {
				unsigned long lo;
				if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u') {
					return -1; /* a lone surrogate: the Java client decides */
				}
				j->p += 2;
				if (hex4(j, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff) {
					return -1;
				}
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			} else if (u >= 0xdc00 && u <= 0xdfff) {
				return -1;
			}
			break;
		default:
			return -1;
		}
		if (u == 0 || put_utf8(out, &len, cap, u) != 0) {
			return -1; /* a NUL is no path */
		}
	}
	return -1;
}

static int value(struct json *j);

/*
 * A number as the daemon's reader takes it: at most 64 characters, and one with a fraction or an exponent within 64
 * of the decimal point either way (BigDecimal's scale and precision), so that 1e999999999 is refused here too.
 */
static int number(struct json *j) {
	const char *start = j->p;
	long significant = 0, fraction = 0, exponent = 0;
	int leading = 1, decimal = 0;
	if (j->p < j->end && *j->p == '-') {
		j->p++;
	}
	if (j->p >= j->end) {
		return -1;
	}
	if (*j->p == '0') {
		j->p++;
	} else if (*j->p >= '1' && *j->p <= '9') {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
			leading = 0;
			significant++;
			j->p++;
		}
	} else {
		return -1;
	}
	if (j->p < j->end && *j->p == '.') {
		decimal = 1;
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
			return -1;
		}
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
			if (*j->p != '0' || !leading) {
				leading = 0;
				significant++;
			}
			fraction++;
			j->p++;
		}
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		decimal = 1;
		int negative = 0;
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-')) {
			negative = *j->p == '-';
			j->p++;
		}
		if (j->p >= j->end || *j->p < '0' || *j->p > '9') {
			return -1;
		}
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
			if (exponent < 1000000) {
				exponent = exponent * 10 + (*j->p - '0');
			}
			j->p++;
		}
		exponent = negative ? -exponent : exponent;
	}
	if (j->p - start > 64) {
		return -1;
	}
	if (decimal) {
		long scale = fraction - exponent;
		long precision = significant == 0 ? 1 : significant;
		if (scale > 64 || scale < -64 || precision - scale > 64) {
			return -1;
		}
	}
	return 0;
}

static int literal(struct json *j, const char *word) {
	size_t n = strlen(word);
	if ((size_t) (j->end - j->p) < n || memcmp(j->p, word, n) != 0) {
		return -1;
	}
	j->p += n;
	return 0;
}

/*
 * Reads an object (the brace is next). For each member, key_found is called with its key; when it answers 1, the
 * member's value is read by on_value instead of being skipped.
 */
static int object(struct json *j, int (*key_found)(const char *key, void *ctx), int (*on_value)(struct json *j, void *ctx), void *ctx) {
	if (++j->depth > MAX_DEPTH) {
		return -1;
	}
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		j->depth--;
		return 0;
	}
	/* The keys so far: a key given twice is refused, as the daemon's reader refuses it. */
	char (*keys)[64] = NULL;
	size_t nkeys = 0;
	for (;;) {
		char key[64];
		ws(j);
		if (string(j, key, sizeof key) != 0) {
			free(keys);
			return -1; /* not a string, or a key longer than any of ours: the Java client decides */
		}
		for (size_t k = 0; k < nkeys; k++) {
			if (strcmp(keys[k], key) == 0) {
				free(keys);
				return -1;
			}
		}
		char (*more)[64] = realloc(keys, (nkeys + 1) * sizeof *keys);
		if (more == NULL) {
			free(keys);
			return -1;
		}
		keys = more;
		strcpy(keys[nkeys++], key);
		int wanted = key_found != NULL && key_found(key, ctx);
		ws(j);
		if (j->p >= j->end || *j->p != ':') {
			free(keys);
			return -1;
		}
		j->p++;
		ws(j);
		if (wanted ? on_value(j, ctx) : value(j)) {
			free(keys);
			return -1;
		}
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		free(keys);
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			j->depth--;
			return 0;
		}
		return -1;
	}
}

static int value(struct json *j) {
	ws(j);
	if (j->p >= j->end) {
		return -1;
	}
	switch (*j->p) {
	case '{':
		return object(j, NULL, NULL, NULL);
	case '[':
		if (++j->depth > MAX_DEPTH) {
			return -1;
		}
		j->p++;
		ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			j->depth--;
			return 0;
		}
		for (;;) {
			if (value(j) != 0) {
				return -1;
			}
			ws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->end && *j->p == ']') {
				j->p++;
				j->depth--;
				return 0;
			}
			return -1;
		}
	case '"':
		return string(j, NULL, 0);
	case 't':
		return literal(j, "true");
	case 'f':
		return literal(j, "false");
	case 'n':
		return literal(j, "null");
	default:
		return number(j);
	}
}

/* What the search for service.control_socket found: the string (empty when none) and whether it was a string. */
struct found {
	char socket[PATH_MAX];
	int is_string;
};

static int is_service(const char *key, void *ctx) {
	(void) ctx;
	return strcmp(key, "service") == 0;
}

static int is_control_socket(const char *key, void *ctx) {
	(void) ctx;
	return strcmp(key, "control_socket") == 0;
}

static int control_socket_value(struct json *j, void *ctx) {
	struct found *f = ctx;
	if (j->p < j->end && *j->p == '"') {
		f->is_string = 1;
		return string(j, f->socket, sizeof f->socket);
	}
	f->is_string = 0;
	f->socket[0] = 0;
	return value(j);
}

static int service_value(struct json *j, void *ctx) {
	struct found *f = ctx;
	f->is_string = 0;
	f->socket[0] = 0;
	if (j->p < j->end && *j->p == '{') {
		return object(j, is_control_socket, control_socket_value, f);
	}
	return value(j);
}

/* Lexically normalises an absolute path in place ("." and ".." and repeated slashes), as java.nio's normalize(). */
static void normalize(char *path) {
	char out[PATH_MAX];
	size_t len = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/') {
			p++;
		}
		const char *s = p;
		while (*p && *p != '/') {
			p++;
		}
		size_t n = (size_t) (p - s);
		if (n == 0 || (n == 1 && s[0] == '.')) {
			continue;
		}
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (len > 0 && out[len - 1] != '/') {
				len--;
			}
			if (len > 0) {
				len--;
			}
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, s, n);
		len += n;
	}
	if (len == 0) {
		out[len++] = '/';
	}
	out[len] = 0;
	strcpy(path, out);
}

/*
 * The socket a configuration names (service.control_socket, relative to the file's folder), or the default when the
 * file or the key is missing. Returns -1 when the file is there but is not JSON this reader takes: the Java client
 * decides then.
 */
static int socket_of(const char *config, char *socket, size_t cap) {
	int fd = open(config, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(socket, cap, "%s", DEFAULT_SOCKET);
		return 0;
	}
	char *buf = malloc(MAX_CONFIG + 1);
	if (buf == NULL) {
		close(fd);
		return -1;
	}
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, MAX_CONFIG + 1 - len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			/* a folder, or unreadable: the daemon's default, as the Java client takes it */
			close(fd);
			free(buf);
			snprintf(socket, cap, "%s", DEFAULT_SOCKET);
			return 0;
		}
		if (n == 0) {
			break;
		}
		len += (size_t) n;
		if (len > MAX_CONFIG) {
			close(fd);
			free(buf);
			return -1;
		}
	}
	close(fd);
	if (!utf8((const unsigned char *) buf, len)) {
		free(buf);
		return -1;
	}
	struct json j = { buf, buf + len, 0 };
	struct found f = { "", 0 };
	ws(&j);
	int ok;
	if (j.p < j.end && *j.p == '{') {
		ok = object(&j, is_service, service_value, &f) == 0;
		ws(&j);
		ok = ok && j.p == j.end;
	} else {
		ok = value(&j) == 0 && (ws(&j), j.p == j.end);
	}
	free(buf);
	if (!ok) {
		return -1;
	}
	if (!f.is_string) {
		snprintf(socket, cap, "%s", DEFAULT_SOCKET);
		return 0;
	}
	if (f.socket[0] == '/') {
		/* as written, as the Java client takes an absolute one */
		return snprintf(socket, cap, "%s", f.socket) >= (int) cap ? -1 : 0;
	} else {
		char dir[PATH_MAX];
		if (config[0] == '/') {
			snprintf(dir, sizeof dir, "%s", config);
		} else {
			char cwd[PATH_MAX];
			if (getcwd(cwd, sizeof cwd) == NULL) {
				return -1;
			}
			if (snprintf(dir, sizeof dir, "%s/%s", cwd, config) >= (int) sizeof dir) {
				return -1;
			}
		}
		normalize(dir);
		char *slash = strrchr(dir, '/');
		slash[slash == dir ? 1 : 0] = 0;
		if (snprintf(socket, cap, "%s/%s", dir, f.socket) >= (int) cap) {
			return -1;
		}
	}
	normalize(socket);
	return 0;
}

/* ---------------------------------------------------------------- the request */

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

static void add(struct buf *b, const char *s, size_t n) {
	if (b->len + n > b->cap) {
		size_t cap = b->cap * 2 + n;
		char *d = realloc(b->data, cap);
		if (d == NULL) {
			fprintf(stderr, PREFIX "out of memory\n");
			exit(FAILED);
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

static void add_json_string(struct buf *b, const char *s) {
	add(b, "\"", 1);
	for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char) *p;
			add(b, esc, 2);
		} else if (*p < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			add(b, esc, 6);
		} else {
			add(b, (const char *) p, 1);
		}
	}
	add(b, "\"", 1);
}

/*
 * Whether s is valid UTF-8 by the strict rules (no overlong form, no surrogate, nothing above U+10FFFF): what the daemon
 * reads otherwise could differ from what the Java client would send.
 */
static int utf8(const unsigned char *p, size_t n) {
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		unsigned char lo = 0x80, hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			if (c == 0xe0) {
				lo = 0xa0;
			} else if (c == 0xed) {
				hi = 0x9f;
			}
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			if (c == 0xf0) {
				lo = 0x90;
			} else if (c == 0xf4) {
				hi = 0x8f;
			}
		} else {
			return 0;
		}
		if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) {
			return 0;
		}
		for (size_t k = 2; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80) {
				return 0;
			}
		}
		i += len;
	}
	return 1;
}

static int utf8_string(const char *s) {
	return utf8((const unsigned char *) s, strlen(s));
}

/* ---------------------------------------------------------------- the conversation */

static int read_fully(int fd, void *to, size_t n) {
	char *p = to;
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return r == 0 ? -1 : -2;
		}
		p += r;
		n -= (size_t) r;
	}
	return 0;
}

static void write_fully(int fd, const char *p, size_t n) {
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return; /* a reader that went (SIGPIPE is ignored): the rest is dropped, as the Java client's PrintStream drops it */
		}
		p += w;
		n -= (size_t) w;
	}
}

static int send_all(int fd, const char *p, size_t n) {
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return -1;
		}
		p += w;
		n -= (size_t) w;
	}
	return 0;
}

static int broken(const char *command, const char *why) {
	if (strcmp(command, "bundle") == 0) {
		fprintf(stderr, PREFIX "the daemon closed the connection before the command ended; a bundle update goes on in the daemon: "
			"containerctl bundle list shows its outcome\n");
	} else if (why != NULL) {
		fprintf(stderr, PREFIX "the daemon closed the connection before the command ended (%s)\n", why);
	} else {
		fprintf(stderr, PREFIX "the daemon closed the connection before the command ended\n");
	}
	return FAILED;
}

int main(int argc, char **argv) {
	original_argv = argv;
	/* A reader of the output that went (containerctl list | head -1) does not end the command: its status counts. */
	signal(SIGPIPE, SIG_IGN);
	const char *socket_path = NULL;
	const char *config = DEFAULT_CONFIG;
	int first = 1;
	while (first < argc && (strcmp(argv[first], "--socket") == 0 || strcmp(argv[first], "--config-file") == 0)) {
		if (first + 1 >= argc) {
			java_client(); /* the usage message */
		}
		if (strcmp(argv[first], "--socket") == 0) {
			socket_path = argv[first + 1];
		} else {
			config = argv[first + 1];
		}
		first += 2;
	}
	if (first >= argc) {
		java_client();
	}
	const char *command = argv[first];
	if (strcmp(command, "--native-check") == 0) {
		return 0; /* install.sh asks whether this machine runs it */
	}
	if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 || strcmp(command, "help") == 0) {
		usage(); /* the Java client's own words, kept at build */
	}
	if (strcmp(command, "dcp") == 0 || strcmp(command, "fleet") == 0 || strcmp(command, "--complete") == 0) {
		java_client();
	}
	for (int i = first; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 || strcmp(argv[i], "--config-file") == 0 || !utf8_string(argv[i])) {
			java_client(); /* given after the command: the Java client's rules */
		}
	}

	char socket_buf[PATH_MAX];
	if (socket_path != NULL) {
		/* as given (a relative one from the folder it runs in), as the Java client takes it */
		if (snprintf(socket_buf, sizeof socket_buf, "%s", socket_path) >= (int) sizeof socket_buf) {
			java_client();
		}
	} else if (socket_of(config, socket_buf, sizeof socket_buf) != 0) {
		java_client();
	}
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(socket_buf) >= sizeof addr.sun_path) {
		java_client();
	}
	strcpy(addr.sun_path, socket_buf);

	char cwd[PATH_MAX];
	if (getcwd(cwd, sizeof cwd) == NULL || !utf8_string(cwd)) {
		java_client();
	}
	struct buf req = { NULL, 0, 0 };
	/* "argv", not "args": a daemon from before the native client would take the paths as they are typed, against its own
	 * folder; it fails to read this request instead, closes without a word, and the Java client is asked then. */
	add(&req, "{\"argv\":[", 9);
	for (int i = first; i < argc; i++) {
		if (i > first) {
			add(&req, ",", 1);
		}
		add_json_string(&req, argv[i]);
	}
	add(&req, "],\"tty\":", 8);
	const char *tty = isatty(0) && isatty(1) ? "true" : "false";
	add(&req, tty, strlen(tty));
	add(&req, ",\"cwd\":", 7);
	add_json_string(&req, cwd);
	add(&req, "}", 1);

	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
		if (errno == EACCES) {
			fprintf(stderr, PREFIX "not permitted to use %s: only root (or the daemon's control group) may\n", socket_buf);
			return NOT_PERMITTED;
		}
		fprintf(stderr, PREFIX "the daemon cannot be reached at %s (is cc-containerd running?)\n", socket_buf);
		return NO_DAEMON;
	}
	char head[5];
	head[0] = 'Q';
	uint32_t n = (uint32_t) req.len;
	head[1] = (char) (n >> 24);
	head[2] = (char) (n >> 16);
	head[3] = (char) (n >> 8);
	head[4] = (char) n;
	/* Unsent (the daemon may have answered before reading, too many clients): its answer comes first. */
	int unsent = send_all(fd, head, 5) != 0 || send_all(fd, req.data, req.len) != 0;
	int send_errno = errno;
	free(req.data);

	char *data = malloc(8192);
	size_t cap = 8192;
	if (data == NULL) {
		return FAILED;
	}
	int frames = 0;
	for (;;) {
		unsigned char h[5];
		int r = read_fully(fd, h, 5);
		if ((r == -1 || (r == -2 && errno == ECONNRESET)) && frames == 0 && !unsent) {
			close(fd);
			java_client(); /* closed without a word: a daemon older than this client (see "argv") */
		}
		if (r != 0) {
			return broken(command, unsent ? strerror(send_errno) : r == -2 ? strerror(errno) : NULL);
		}
		frames++;
		uint32_t len = (uint32_t) h[1] << 24 | (uint32_t) h[2] << 16 | (uint32_t) h[3] << 8 | h[4];
		if (len > MAX_FRAME) {
			char why[96];
			snprintf(why, sizeof why, "a frame of %d bytes is larger than the %d accepted", (int32_t) len, MAX_FRAME);
			return broken(command, why);
		}
		if (len > cap) {
			char *d = realloc(data, len);
			if (d == NULL) {
				return FAILED;
			}
			data = d;
			cap = len;
		}
		r = read_fully(fd, data, len);
		if (r != 0) {
			return broken(command, r == -1 ? "the frame ends early" : strerror(errno));
		}
		switch (h[0]) {
		case 'O':
			write_fully(1, data, len);
			break;
		case 'E':
			if (len < strlen(PREFIX) || memcmp(data, PREFIX, strlen(PREFIX)) != 0) {
				write_fully(2, PREFIX, strlen(PREFIX));
			}
			write_fully(2, data, len);
			break;
		case 'X':
			if (len < 4) {
				return broken(command, "the frame ends early");
			}
			return (int) ((uint32_t) (unsigned char) data[0] << 24 | (uint32_t) (unsigned char) data[1] << 16
				| (uint32_t) (unsigned char) data[2] << 8 | (unsigned char) data[3]);
		default:
			break; /* keep-alive */
		}
	}
}
