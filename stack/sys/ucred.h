/*
 * Credentials.  The reference count is a plain integer changed with ++
 * and --, as the uniprocessor kernel kept it: the callers are serialized
 * by Giant and by spl.
 */
#ifndef _SYS_UCRED_H_
#define	_SYS_UCRED_H_

#include <sys/types.h>

#define	NGROUPS		16

struct ucred {
	u_int	cr_ref;			/* reference count */
	uid_t	cr_uid;			/* effective user id */
	uid_t	cr_ruid;		/* real user id */
	gid_t	cr_gid;			/* effective group id */
	short	cr_ngroups;		/* number of groups */
	gid_t	cr_groups[NGROUPS];	/* groups */
};
#define	NOCRED	((struct ucred *)0)	/* no credential available */
#define	FSCRED	((struct ucred *)-1)	/* filesystem credential */

struct ucred	*crget(void);
struct ucred	*crhold(struct ucred *cr);
void		 crfree(struct ucred *cr);
struct ucred	*crdup(struct ucred *cr);
void		 crcopy(struct ucred *dest, struct ucred *src);
int		 suser_cred(struct ucred *cr, int flag);

/* The credential of the kernel itself (uid 0), set up by the stack. */
extern struct ucred *proc0_cred;

#endif /* !_SYS_UCRED_H_ */
