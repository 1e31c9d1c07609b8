/*
 * A domain (address family) and its protocol switch table.
 */
#ifndef _SYS_DOMAIN_H_
#define	_SYS_DOMAIN_H_

struct mbuf;
struct protosw;
struct sockaddr;

struct domain {
	int	dom_family;		/* AF_xxx */
	const char *dom_name;
	void	(*dom_init)(void);	/* initialize domain data structures */
	void	(*dom_destroy)(void);	/* tear down per-instance data */
	struct	protosw *dom_protosw, *dom_protoswNPROTOSW;
	struct	domain *dom_next;
};

/* The domains of the system; a static list, shared by all instances. */
extern struct domain *domains;
extern struct domain inetdomain;

void	net_add_domain(void *data);
void	domaininit(void);		/* per instance: pr_init of every protocol */
void	domaindestroy(void);		/* per instance: pr_destroy, stop timers */
void	pfctlinput(int cmd, struct sockaddr *sa);
struct protosw *pffindproto(int family, int protocol, int type);
struct protosw *pffindtype(int family, int type);

#endif /* !_SYS_DOMAIN_H_ */
