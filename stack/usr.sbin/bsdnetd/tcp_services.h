/*
 * tcp_services.h - bsdnetd's TCP services (echo 7, discard 9, chargen 19,
 * HTTP 80) and its netcat-like client mode, over the stack's bsd_* calls.
 */
#ifndef _BSDNETD_TCP_SERVICES_H_
#define	_BSDNETD_TCP_SERVICES_H_

struct bsd_stack;

/* A parsed HTTP request (http.c). */
struct http_req {
	int	head;			/* HEAD rather than GET */
	int	keepalive;
	long long bodylen;		/* request body to skip */
	char	path[4096];		/* decoded, relative to the root */
};

/*
 * Start a listener thread per service in instance st; http_root NULL
 * leaves the HTTP server off.  Returns 0 or an errno value.
 */
int	tcp_services_start(struct bsd_stack *st, const char *http_root);
/* Stop the listeners, close their connections, wait for the threads. */
void	tcp_services_stop(void);

/*
 * Client mode: connect to host:port from instance st, send stdin, write
 * what comes back to stdout, close.  Returns the process exit status.
 */
int	tcp_connect_run(struct bsd_stack *st, const char *hostport);

/*
 * HTTP server (http.c): serve one connection; root is a canonical path.
 * Weak, so that the services still link if http.c is not built in.
 */
void	http_serve(int s, const char *root) __attribute__((__weak__));
/* Decode a request target; -1 if malformed or climbing out (".."). */
int	http_decode_path(const char *target, char *out, unsigned long outlen);
/* Parse a header block: 0, or the HTTP status of the error (400, 501). */
int	http_parse_request(const char *buf, struct http_req *req);

#endif /* !_BSDNETD_TCP_SERVICES_H_ */
