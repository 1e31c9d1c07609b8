/*
 * Credentials of sockets (struct ucred).
 *
 * The reference count is a plain u_int changed with ++ and --: the
 * uniprocessor kernel relied on Giant and splnet to serialize every
 * crhold() and crfree().  (The journal's "switched the ucred system to
 * use atomic ops" is what the migration does to this file.)
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/ucred.h>

MALLOC_DEFINE(M_CRED, "cred", "credentials");

/* The kernel's own credential: uid 0, never freed. */
static struct ucred proc0_cred_store = { .cr_ref = 1, .cr_ngroups = 1 };
struct ucred *proc0_cred = &proc0_cred_store;

/* Allocate a zeroed credential with one reference. */
struct ucred *
crget(void)
{
	struct ucred *cr;

	cr = malloc(sizeof(*cr), M_CRED, M_WAITOK | M_ZERO);
	cr->cr_ref = 1;
	return (cr);
}

/* crhold: one more reference; returns cr for chaining. */
struct ucred *
crhold(struct ucred *cr)
{

	cr->cr_ref++;
	return (cr);
}

/*
 * crfree: drop one reference; the last one returns the credential to M_CRED.
 */
void
crfree(struct ucred *cr)
{

	KASSERT(cr->cr_ref > 0, ("crfree: ucred %p has no references", cr));
	if (--cr->cr_ref == 0) {
		KASSERT(cr != &proc0_cred_store, ("crfree: proc0's ucred"));
		free(cr, M_CRED);
	}
}

/* Copy the contents of a credential (not its reference count). */
void
crcopy(struct ucred *dest, struct ucred *src)
{
	u_int ref;

	ref = dest->cr_ref;
	bcopy(src, dest, sizeof(*dest));
	dest->cr_ref = ref;
}

/* crdup: a fresh credential (one reference) with cr's contents. */
struct ucred *
crdup(struct ucred *cr)
{
	struct ucred *newcr;

	newcr = crget();
	crcopy(newcr, cr);
	return (newcr);
}

/* Privilege check: the superuser is uid 0. */
int
suser_cred(struct ucred *cr, int flag __unused)
{

	return (cr->cr_uid == 0 ? 0 : EPERM);
}
