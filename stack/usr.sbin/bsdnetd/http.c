/*
 * http.c - a small HTTP/1.1 static file server on a stack socket.
 *
 * GET and HEAD of regular files under a root directory, with
 * Content-Length and persistent connections (HTTP/1.1 default, or
 * "Connection: keep-alive" from a 1.0 client).  A request whose path
 * would leave the root (a ".." segment, a symbolic link pointing out) is
 * refused; malformed requests get 400, unknown methods 501, missing files
 * 404.  Runs in the daemon (host code): files through libc, the network
 * through the stack's bsd_* calls.
 */
#define	_GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bsdnet.h"
#include "tcp_services.h"

#define	HTTP_MAXHDR	8192		/* request line and headers */
#define	HTTP_CHUNK	65536		/* file bytes per send */

struct http_conn {
	int	s;			/* stack socket */
	const char *root;		/* canonical document root */
	char	buf[HTTP_MAXHDR + 1];
	size_t	len;			/* bytes buffered */
};


static int
http_send_all(int s, const void *buf, size_t len)
{
	const char *p = buf;
	long n;

	while (len > 0) {
		n = bsd_send(s, p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

/*
 * Read until the buffer holds a complete header block.  Returns its
 * length (through "\r\n\r\n"), 0 at a clean EOF before any byte, -1 on
 * error or EOF in the middle, -2 when the headers are too large.
 */
static long
http_read_header(struct http_conn *hc)
{
	char *end;
	long n;

	for (;;) {
		hc->buf[hc->len] = '\0';
		end = strstr(hc->buf, "\r\n\r\n");
		if (end != NULL)
			return (end + 4 - hc->buf);
		if (hc->len >= HTTP_MAXHDR)
			return (-2);
		n = bsd_recv(hc->s, hc->buf + hc->len, HTTP_MAXHDR - hc->len,
		    0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 && hc->len == 0)
			return (0);
		if (n <= 0)
			return (-1);
		if (memchr(hc->buf + hc->len, '\0', (size_t)n) != NULL)
			return (-2);	/* NUL in a header: not HTTP */
		hc->len += (size_t)n;
	}
}

/* Drop the first n bytes of the buffer (a handled request). */
static void
http_consume(struct http_conn *hc, size_t n)
{

	memmove(hc->buf, hc->buf + n, hc->len - n);
	hc->len -= n;
}

static int
hexval(int c)
{

	if (c >= '0' && c <= '9')
		return (c - '0');
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/*
 * Decode a request target into a path relative to the root.  Returns 0,
 * or -1 for a target that is malformed or climbs out (any ".." segment).
 */
int
http_decode_path(const char *target, char *out, unsigned long outlen)
{
	size_t o = 0;
	const char *p, *seg;
	int hi, lo;

	if (target[0] != '/')
		return (-1);
	for (p = target; *p != '\0' && *p != '?' && *p != '#'; p++) {
		int c = (unsigned char)*p;

		if (c == '%') {
			if ((hi = hexval(p[1])) < 0 || (lo = hexval(p[2])) < 0)
				return (-1);
			c = hi << 4 | lo;
			p += 2;
			if (c == 0)
				return (-1);
		}
		if (o + 1 >= outlen)
			return (-1);
		out[o++] = (char)c;
	}
	out[o] = '\0';
	/* Refuse "." and ".." segments and backslashes outright. */
	for (seg = out; seg != NULL; seg = strchr(seg, '/')) {
		while (*seg == '/')
			seg++;
		if ((seg[0] == '.' && (seg[1] == '/' || seg[1] == '\0')) ||
		    (seg[0] == '.' && seg[1] == '.' &&
		    (seg[2] == '/' || seg[2] == '\0')))
			return (-1);
	}
	if (strchr(out, '\\') != NULL)
		return (-1);
	return (0);
}

/* Case-insensitive search for a header line; its value or NULL. */
static const char *
http_header(const char *hdrs, const char *name, char *val, size_t vlen)
{
	size_t nlen = strlen(name);
	const char *line, *eol, *v;

	for (line = hdrs; line != NULL && *line != '\0';
	    line = (eol = strstr(line, "\r\n")) ? eol + 2 : NULL) {
		if (strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
			continue;
		v = line + nlen + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		eol = strstr(v, "\r\n");
		if (eol == NULL)
			return (NULL);
		if ((size_t)(eol - v) >= vlen)
			return (NULL);
		memcpy(val, v, (size_t)(eol - v));
		val[eol - v] = '\0';
		return (val);
	}
	return (NULL);
}

/*
 * Parse the request in buf (NUL-terminated header block).  Returns the
 * HTTP status to answer with when the request is bad, 0 when it is good.
 */
int
http_parse_request(const char *buf, struct http_req *req)
{
	char method[16], target[4096], version[16], val[64];
	const char *hdrs;
	int minor;

	memset(req, 0, sizeof(*req));
	if (sscanf(buf, "%15[A-Z] %4095[^ \r\n] %15[^ \r\n]", method, target,
	    version) != 3)
		return (400);
	hdrs = strstr(buf, "\r\n");
	if (hdrs == NULL)
		return (400);
	hdrs += 2;
	if (strncmp(version, "HTTP/1.", 7) != 0 || !isdigit(
	    (unsigned char)version[7]) || version[8] != '\0')
		return (400);
	minor = version[7] - '0';
	req->keepalive = minor >= 1;
	if (http_header(hdrs, "Connection", val, sizeof(val)) != NULL) {
		if (strcasecmp(val, "close") == 0)
			req->keepalive = 0;
		else if (strcasecmp(val, "keep-alive") == 0)
			req->keepalive = 1;
	}
	if (http_header(hdrs, "Transfer-Encoding", val, sizeof(val)) != NULL)
		return (400);	/* request bodies are not chunked here */
	if (http_header(hdrs, "Content-Length", val, sizeof(val)) != NULL) {
		char *end;

		errno = 0;
		req->bodylen = strtoll(val, &end, 10);
		if (errno != 0 || *end != '\0' || req->bodylen < 0)
			return (400);
	}
	if (minor >= 1 && http_header(hdrs, "Host", val, sizeof(val)) == NULL)
		return (400);	/* RFC 9112 3.2: Host is required in 1.1 */
	if (strcmp(method, "GET") == 0)
		req->head = 0;
	else if (strcmp(method, "HEAD") == 0)
		req->head = 1;
	else
		return (501);
	if (http_decode_path(target, req->path, sizeof(req->path)) != 0)
		return (400);
	return (0);
}

static const char *
http_reason(int status)
{

	switch (status) {
	case 200: return ("OK");
	case 400: return ("Bad Request");
	case 403: return ("Forbidden");
	case 404: return ("Not Found");
	case 501: return ("Not Implemented");
	default: return ("Internal Server Error");
	}
}

static const char *
http_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL)
		return ("application/octet-stream");
	if (strcmp(dot, ".html") == 0 || strcmp(dot, ".htm") == 0)
		return ("text/html");
	if (strcmp(dot, ".txt") == 0)
		return ("text/plain");
	return ("application/octet-stream");
}

static int
http_status_only(struct http_conn *hc, int status, int head, int keepalive)
{
	char hdr[256], body[128];
	int blen, hlen;

	blen = snprintf(body, sizeof(body), "%d %s\n", status,
	    http_reason(status));
	hlen = snprintf(hdr, sizeof(hdr),
	    "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
	    "Content-Length: %d\r\nConnection: %s\r\n\r\n",
	    status, http_reason(status), blen,
	    keepalive ? "keep-alive" : "close");
	if (http_send_all(hc->s, hdr, (size_t)hlen) != 0)
		return (-1);
	if (!head && http_send_all(hc->s, body, (size_t)blen) != 0)
		return (-1);
	return (0);
}

/*
 * Open the file a request names, refusing anything that resolves outside
 * the root (symbolic links included).  Returns a descriptor and its
 * resolved path in real (PATH_MAX bytes), or -1 with the HTTP status in
 * *statusp.
 */
static int
http_open(struct http_conn *hc, const char *rel, struct stat *st,
    int *statusp, char *real)
{
	char joined[PATH_MAX * 2];
	size_t rootlen = strlen(hc->root);
	int fd;

	snprintf(joined, sizeof(joined), "%s/%s", hc->root, rel);
	if (realpath(joined, real) == NULL) {
		*statusp = 404;
		return (-1);
	}
	if (strncmp(real, hc->root, rootlen) != 0 ||
	    (real[rootlen] != '/' && real[rootlen] != '\0')) {
		*statusp = 404;
		return (-1);
	}
	if (stat(real, st) == 0 && S_ISDIR(st->st_mode)) {
		if (strlen(real) + sizeof("/index.html") > PATH_MAX) {
			*statusp = 404;
			return (-1);
		}
		strcat(real, "/index.html");
	}
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		if (fd >= 0)
			close(fd);
		*statusp = 404;
		return (-1);
	}
	return (fd);
}

static int
http_send_file(struct http_conn *hc, const struct http_req *req)
{
	struct stat st;
	char hdr[512], real[PATH_MAX];
	char *chunk;
	int fd, status, hlen, error = 0;
	ssize_t n;

	fd = http_open(hc, req->path, &st, &status, real);
	if (fd < 0)
		return (http_status_only(hc, status, req->head,
		    req->keepalive));
	hlen = snprintf(hdr, sizeof(hdr),
	    "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
	    "Content-Length: %lld\r\nConnection: %s\r\n\r\n",
	    http_type(real), (long long)st.st_size,
	    req->keepalive ? "keep-alive" : "close");
	if (http_send_all(hc->s, hdr, (size_t)hlen) != 0 || req->head) {
		close(fd);
		return (req->head ? 0 : -1);
	}
	chunk = malloc(HTTP_CHUNK);
	if (chunk == NULL) {
		close(fd);
		return (-1);
	}
	while ((n = read(fd, chunk, HTTP_CHUNK)) > 0) {
		if (http_send_all(hc->s, chunk, (size_t)n) != 0) {
			error = -1;
			break;
		}
	}
	if (n < 0)
		error = -1;	/* a short body: the client sees the close */
	free(chunk);
	close(fd);
	return (error);
}

/* Skip a request body the client sent with its request. */
static int
http_skip_body(struct http_conn *hc, long long len)
{
	char sink[4096];
	long n;

	while (len > 0 && hc->len > 0) {
		size_t take = hc->len < (size_t)len ? hc->len : (size_t)len;

		http_consume(hc, take);
		len -= (long long)take;
	}
	while (len > 0) {
		n = bsd_recv(hc->s, sink, len < (long long)sizeof(sink) ?
		    (size_t)len : sizeof(sink), 0);
		if (n <= 0)
			return (-1);
		len -= n;
	}
	return (0);
}

/*
 * Serve requests on connected socket s until the client closes, asks to
 * close, or sends something unparsable.  Does not close s.
 */
void
http_serve(int s, const char *root)
{
	struct http_conn *hc;
	struct http_req req;
	long hlen;
	int status;

	hc = calloc(1, sizeof(*hc));
	if (hc == NULL)
		return;
	hc->s = s;
	hc->root = root;
	for (;;) {
		hlen = http_read_header(hc);
		if (hlen == 0 || hlen == -1)
			break;
		if (hlen == -2) {
			(void)http_status_only(hc, 400, 0, 0);
			break;
		}
		hc->buf[hlen - 2] = '\0';	/* end the header block */
		status = http_parse_request(hc->buf, &req);
		http_consume(hc, (size_t)hlen);
		if (status != 0) {
			(void)http_status_only(hc, status, 0, 0);
			break;
		}
		if (http_skip_body(hc, req.bodylen) != 0)
			break;
		if (http_send_file(hc, &req) != 0 || !req.keepalive)
			break;
	}
	free(hc);
}
