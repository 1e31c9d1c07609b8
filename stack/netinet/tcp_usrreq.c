/*
 * TCP user requests: the pr_usrreqs entry points the socket layer calls,
 * and TCP's socket options.  Each request runs at splnet; the socket
 * layer holds Giant around it (TCP is not PR_MPSAFE).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/mbuf.h>
#include <sys/socket.h>
#include <sys/socketvar.h>
#include <sys/protosw.h>
#include <sys/errno.h>
#include <sys/proc.h>

#include <net/vnet.h>

#include <netinet/in.h>
#include <netinet/in_systm.h>
#include <netinet/ip.h>
#include <netinet/in_pcb.h>
#include <netinet/ip_var.h>
#include <netinet/tcp.h>
#include <netinet/tcp_fsm.h>
#include <netinet/tcp_seq.h>
#include <netinet/tcp_timer.h>
#include <netinet/tcp_var.h>

static struct tcpcb *tcp_disconnect(struct tcpcb *);

/*
 * Window scale we offer: the smallest that covers the receive buffer.
 */
void
tcp_request_scale(struct tcpcb *tp)
{
	struct socket *so = tp->t_inpcb->inp_socket;

	tp->request_r_scale = 0;
	while (tp->request_r_scale < TCP_MAX_WINSHIFT &&
	    ((u_long)TCP_MAXWIN << tp->request_r_scale) < so->so_rcv.sb_hiwat)
		tp->request_r_scale++;
}

static int
tcp_usr_attach(struct socket *so, int proto, struct thread *td)
{
	struct inpcb *inp;
	struct tcpcb *tp;
	int error, s;

	if (sotoinpcb(so) != NULL)
		return (EISCONN);
	s = splnet();
	if (so->so_snd.sb_hiwat == 0 || so->so_rcv.sb_hiwat == 0) {
		error = soreserve(so, V_tcp_sendspace, V_tcp_recvspace);
		if (error != 0)
			goto out;
	}
	error = in_pcballoc(so, &V_tcbinfo);
	if (error != 0)
		goto out;
	inp = sotoinpcb(so);
	tp = tcp_newtcpcb(inp);
	if (tp == NULL) {
		in_pcbdetach(inp);
		in_pcbfree(inp);
		error = ENOBUFS;
		goto out;
	}
	tcp_state_change(tp, TCPS_CLOSED);
out:
	splx(s);
	return (error);
}

static int
tcp_usr_detach(struct socket *so)
{
	struct inpcb *inp;
	int s;

	s = splnet();
	inp = sotoinpcb(so);
	if (inp == NULL) {
		splx(s);
		return (0);		/* already dropped */
	}
	if (intotcpcb(inp) == NULL) {
		in_pcbdetach(inp);
		in_pcbfree(inp);
	} else
		(void)tcp_disconnect(intotcpcb(inp));
	splx(s);
	return (0);
}

/*
 * Look up the connection of a socket for a request; a socket whose
 * connection is gone gets EINVAL (its error, if any, was already
 * reported through so_error).
 */
#define	TCP_REQ_START(so, inp, tp, s) do {				\
	(s) = splnet();							\
	(inp) = sotoinpcb(so);						\
	if ((inp) == NULL || ((tp) = intotcpcb(inp)) == NULL) {		\
		splx(s);						\
		return (EINVAL);					\
	}								\
} while (0)

static int
tcp_check_sin(struct sockaddr *nam)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)nam;

	if (nam == NULL)
		return (EINVAL);
	if (nam->sa_len != sizeof(*sin))
		return (EINVAL);
	if (nam->sa_family != AF_INET && nam->sa_family != AF_UNSPEC)
		return (EAFNOSUPPORT);
	return (0);
}

static int
tcp_usr_bind(struct socket *so, struct sockaddr *nam, struct thread *td)
{
	struct inpcb *inp;
	struct tcpcb *tp;
	int error, s;

	if ((error = tcp_check_sin(nam)) != 0)
		return (error);
	if (IN_MULTICAST(ntohl(((struct sockaddr_in *)nam)->sin_addr.s_addr)))
		return (EAFNOSUPPORT);
	TCP_REQ_START(so, inp, tp, s);
	error = in_pcbbind(inp, nam, so->so_cred);
	splx(s);
	return (error);
}

static int
tcp_usr_listen(struct socket *so, struct thread *td)
{
	struct inpcb *inp;
	struct tcpcb *tp;
	int error = 0, s;

	TCP_REQ_START(so, inp, tp, s);
	if (tp->t_state != TCPS_CLOSED && tp->t_state != TCPS_LISTEN)
		error = EINVAL;
	else if (inp->inp_lport == 0)
		error = in_pcbbind(inp, NULL, so->so_cred);
	if (error == 0)
		tcp_state_change(tp, TCPS_LISTEN);
	splx(s);
	return (error);
}

/*
 * Active open: bind if needed, choose the route and local address, and
 * send the SYN (RFC 9293 3.10.1).
 */
static int
tcp_connect(struct tcpcb *tp, struct sockaddr *nam)
{
	struct inpcb *inp = tp->t_inpcb;
	struct socket *so = inp->inp_socket;
	int error;

	if (tp->t_state != TCPS_CLOSED)
		return (tp->t_state == TCPS_LISTEN ? EOPNOTSUPP : EISCONN);
	if (inp->inp_lport == 0) {
		error = in_pcbbind(inp, NULL, so->so_cred);
		if (error != 0)
			return (error);
	}
	error = in_pcbconnect(inp, nam, so->so_cred);
	if (error != 0)
		return (error);
	tcp_request_scale(tp);
	soisconnecting(so);
	TCPSTAT_INC(tcps_connattempt);
	tcp_state_change(tp, TCPS_SYN_SENT);
	tcp_timer_activate(tp, TCPT_KEEP, TCPTV_KEEP_INIT);
	tp->iss = tcp_new_isn(inp);
	tcp_sendseqinit(tp);
	return (0);
}

static int
tcp_usr_connect(struct socket *so, struct sockaddr *nam, struct thread *td)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)nam;
	struct inpcb *inp;
	struct tcpcb *tp;
	int error, s;

	if ((error = tcp_check_sin(nam)) != 0)
		return (error);
	if (sin->sin_addr.s_addr == htonl(INADDR_BROADCAST) ||
	    IN_MULTICAST(ntohl(sin->sin_addr.s_addr)))
		return (EAFNOSUPPORT);
	if (sin->sin_port == 0)
		return (EADDRNOTAVAIL);
	TCP_REQ_START(so, inp, tp, s);
	error = tcp_connect(tp, nam);
	if (error == 0)
		error = tcp_output(tp);
	splx(s);
	return (error);
}

/*
 * Initiate or finish a disconnect: before the handshake completes the
 * connection just goes away; SO_LINGER with a zero time resets it;
 * otherwise our FIN is queued after the data (graceful close).
 */
static struct tcpcb *
tcp_disconnect(struct tcpcb *tp)
{
	struct socket *so = tp->t_inpcb->inp_socket;

	if (tp->t_state < TCPS_ESTABLISHED)
		return (tcp_close(tp));
	if ((so->so_options & SO_LINGER) && so->so_linger == 0)
		return (tcp_drop(tp, 0));
	soisdisconnecting(so);
	sbflush(&so->so_rcv);
	tp = tcp_usrclosed(tp);
	if (tp != NULL)
		(void)tcp_output(tp);
	return (tp);
}

/*
 * The user will send no more: move the state machine towards sending
 * our FIN (RFC 9293 3.10.4, CLOSE call).
 */
struct tcpcb *
tcp_usrclosed(struct tcpcb *tp)
{

	switch (tp->t_state) {
	case TCPS_CLOSED:
	case TCPS_LISTEN:
	case TCPS_SYN_SENT:
		tcp_state_change(tp, TCPS_CLOSED);
		return (tcp_close(tp));
	case TCPS_SYN_RECEIVED:
		tp->t_flags |= TF_NEEDFIN;
		break;
	case TCPS_ESTABLISHED:
		tcp_state_change(tp, TCPS_FIN_WAIT_1);
		break;
	case TCPS_CLOSE_WAIT:
		tcp_state_change(tp, TCPS_LAST_ACK);
		break;
	}
	if (tp->t_state >= TCPS_FIN_WAIT_2) {
		soisdisconnected(tp->t_inpcb->inp_socket);
		if (tp->t_state == TCPS_FIN_WAIT_2)
			tcp_timer_activate(tp, TCPT_2MSL,
			    TCPTV_FINWAIT2_TIMEOUT);
	}
	return (tp);
}

static int
tcp_usr_disconnect(struct socket *so)
{
	struct inpcb *inp;
	struct tcpcb *tp;
	int s;

	TCP_REQ_START(so, inp, tp, s);
	(void)tcp_disconnect(tp);
	splx(s);
	return (0);
}

static int
tcp_usr_accept(struct socket *so, struct sockaddr **nam)
{
	struct inpcb *inp;
	int s;

	s = splnet();
	inp = sotoinpcb(so);
	if (inp == NULL) {
		splx(s);
		return (ECONNABORTED);
	}
	*nam = in_sockaddr(inp->inp_fport, &inp->inp_faddr);
	splx(s);
	return (*nam == NULL ? ENOMEM : 0);
}

static int
tcp_usr_shutdown(struct socket *so)
{
	struct inpcb *inp;
	struct tcpcb *tp;
	int s;

	TCP_REQ_START(so, inp, tp, s);
	socantsendmore(so);
	tp = tcp_usrclosed(tp);
	if (tp != NULL)
		(void)tcp_output(tp);
	splx(s);
	return (0);
}

/*
 * The data path: the user read data (the window may have opened) or
 * queues data to send.  soreceive() and sosend() call these at splnet
 * already, in their socket's section, which is all a connection's send
 * and receive state needs (the input path changes it in that section
 * too); only a close takes more (the tables, in tcp_usr_send).
 */
static int
tcp_usr_rcvd(struct socket *so, int flags)
{
	struct inpcb *inp;
	struct tcpcb *tp;

	inp = sotoinpcb(so);
	if (inp == NULL || (tp = intotcpcb(inp)) == NULL)
		return (EINVAL);
	(void)tcp_output(tp);
	return (0);
}

static int
tcp_usr_send(struct socket *so, int flags, struct mbuf *m,
    struct sockaddr *nam, struct mbuf *control, struct thread *td)
{
	struct inpcb *inp;
	struct tcpcb *tp;
	int error = 0, s;

	if (control != NULL) {
		m_freem(control);
		if (m != NULL)
			m_freem(m);
		return (EINVAL);
	}
	inp = sotoinpcb(so);
	if (inp == NULL || (tp = intotcpcb(inp)) == NULL) {
		if (m != NULL)
			m_freem(m);
		return (ECONNRESET);
	}
	if (flags & PRUS_OOB) {
		if (m != NULL)
			m_freem(m);
		return (EOPNOTSUPP);
	}
	if (tp->t_state < TCPS_ESTABLISHED && tp->t_state != TCPS_SYN_SENT &&
	    tp->t_state != TCPS_SYN_RECEIVED) {
		if (m != NULL)
			m_freem(m);
		return (ENOTCONN);
	}
	if (m != NULL)
		sbappendstream(&so->so_snd, m);
	if (flags & PRUS_EOF) {
		/* Closing may take the connection out of the tables. */
		s = splnet();
		socantsendmore(so);
		tp = tcp_usrclosed(tp);
		splx(s);
	}
	if (tp != NULL)
		error = tcp_output(tp);
	return (error);
}

static int
tcp_usr_abort(struct socket *so)
{
	struct inpcb *inp;
	struct tcpcb *tp;
	int s;

	TCP_REQ_START(so, inp, tp, s);
	tp->t_flags |= TF_ABORTING;
	(void)tcp_drop(tp, ECONNABORTED);
	splx(s);
	return (0);
}

static int
tcp_usr_sockaddr(struct socket *so, struct sockaddr **nam)
{

	return (in_getsockaddr(so, nam));
}

static int
tcp_usr_peeraddr(struct socket *so, struct sockaddr **nam)
{

	return (in_getpeeraddr(so, nam));
}

struct pr_usrreqs tcp_usrreqs = {
	.pru_abort =		tcp_usr_abort,
	.pru_accept =		tcp_usr_accept,
	.pru_attach =		tcp_usr_attach,
	.pru_bind =		tcp_usr_bind,
	.pru_connect =		tcp_usr_connect,
	.pru_connect2 =		pru_connect2_notsupp,
	.pru_control =		pru_control_notsupp,
	.pru_detach =		tcp_usr_detach,
	.pru_disconnect =	tcp_usr_disconnect,
	.pru_listen =		tcp_usr_listen,
	.pru_peeraddr =		tcp_usr_peeraddr,
	.pru_rcvd =		tcp_usr_rcvd,
	.pru_rcvoob =		pru_rcvoob_notsupp,
	.pru_send =		tcp_usr_send,
	.pru_shutdown =		tcp_usr_shutdown,
	.pru_sockaddr =		tcp_usr_sockaddr,
};

/*
 * TCP socket options (level IPPROTO_TCP); others go to IP.
 */
int
tcp_ctloutput(struct socket *so, struct sockopt *sopt)
{
	struct inpcb *inp;
	struct tcpcb *tp;
	struct tcp_info ti;
	int error = 0, optval, s;

	if (sopt->sopt_level != IPPROTO_TCP)
		return (ip_ctloutput(so, sopt));
	TCP_REQ_START(so, inp, tp, s);
	if (sopt->sopt_dir == SOPT_SET) {
		if (sopt->sopt_name == TCP_INFO) {
			error = EINVAL;
			goto out;
		}
		splx(s);
		error = sooptcopyin(sopt, &optval, sizeof(optval),
		    sizeof(optval));
		if (error != 0)
			return (error);
		s = splnet();
		if ((inp = sotoinpcb(so)) == NULL ||
		    (tp = intotcpcb(inp)) == NULL) {
			error = ECONNRESET;
			goto out;
		}
		switch (sopt->sopt_name) {
		case TCP_NODELAY:
		case TCP_NOPUSH:
		case TCP_NOOPT: {
			u_int bit;

			if (sopt->sopt_name == TCP_NODELAY)
				bit = TF_NODELAY;
			else if (sopt->sopt_name == TCP_NOPUSH)
				bit = TF_NOPUSH;
			else
				bit = TF_NOOPT;

			if (optval)
				tp->t_flags |= bit;
			else
				tp->t_flags &= ~bit;
			if (bit == TF_NOOPT && optval &&
			    tp->t_state <= TCPS_LISTEN)
				tp->t_flags &= ~(TF_REQ_SCALE | TF_REQ_TSTMP);
			/* Clearing NOPUSH/setting NODELAY may free data. */
			if (tp->t_state >= TCPS_ESTABLISHED && bit != TF_NOOPT)
				error = tcp_output(tp);
			break;
		}
		case TCP_MAXSEG:
			if (optval >= TCP_MINMSS && optval <= tp->t_maxseg)
				tp->t_maxseg = optval;
			else
				error = EINVAL;
			break;
		case TCP_KEEPIDLE:
		case TCP_KEEPINTVL:
			if (optval < 1 || optval > 24 * 3600) {
				error = EINVAL;
				break;
			}
			if (sopt->sopt_name == TCP_KEEPIDLE)
				tp->t_keepidle = optval * hz;
			else
				tp->t_keepintvl = optval * hz;
			if (TCPS_HAVEESTABLISHED(tp->t_state) &&
			    tp->t_state <= TCPS_CLOSING)
				tcp_timer_activate(tp, TCPT_KEEP,
				    tp->t_keepidle);
			break;
		case TCP_KEEPCNT:
			if (optval < 1 || optval > 1000)
				error = EINVAL;
			else
				tp->t_keepcntmax = optval;
			break;
		default:
			error = ENOPROTOOPT;
			break;
		}
	} else {
		switch (sopt->sopt_name) {
		case TCP_NODELAY:
			optval = (tp->t_flags & TF_NODELAY) != 0;
			break;
		case TCP_NOPUSH:
			optval = (tp->t_flags & TF_NOPUSH) != 0;
			break;
		case TCP_NOOPT:
			optval = (tp->t_flags & TF_NOOPT) != 0;
			break;
		case TCP_MAXSEG:
			optval = tp->t_maxseg;
			break;
		case TCP_KEEPIDLE:
			optval = tp->t_keepidle / hz;
			break;
		case TCP_KEEPINTVL:
			optval = tp->t_keepintvl / hz;
			break;
		case TCP_KEEPCNT:
			optval = tp->t_keepcntmax;
			break;
		case TCP_INFO:
			bzero(&ti, sizeof(ti));
			ti.tcpi_state = tp->t_state;
			if ((tp->t_flags & (TF_REQ_TSTMP | TF_RCVD_TSTMP)) ==
			    (TF_REQ_TSTMP | TF_RCVD_TSTMP))
				ti.tcpi_options |= TCPI_OPT_TIMESTAMPS;
			if (tp->t_flags & TF_SACK_PERMIT)
				ti.tcpi_options |= TCPI_OPT_SACK;
			if ((tp->t_flags & (TF_REQ_SCALE | TF_RCVD_SCALE)) ==
			    (TF_REQ_SCALE | TF_RCVD_SCALE)) {
				ti.tcpi_options |= TCPI_OPT_WSCALE;
				ti.tcpi_snd_wscale = tp->snd_scale;
				ti.tcpi_rcv_wscale = tp->rcv_scale;
			}
			ti.tcpi_rto = tp->t_rxtcur;
			ti.tcpi_snd_mss = tp->t_maxseg;
			ti.tcpi_rcv_mss = tp->t_maxseg;
			ti.tcpi_rtt = tp->t_srtt >> TCP_RTT_SHIFT;
			ti.tcpi_rttvar = tp->t_rttvar >> TCP_RTTVAR_SHIFT;
			ti.tcpi_snd_ssthresh = tp->snd_ssthresh;
			ti.tcpi_snd_cwnd = tp->snd_cwnd;
			ti.tcpi_snd_wnd = tp->snd_wnd;
			ti.tcpi_rcv_space = tp->rcv_wnd;
			ti.tcpi_snd_rexmitpack = tp->t_sndrexmitpack;
			splx(s);
			return (sooptcopyout(sopt, &ti, sizeof(ti)));
		default:
			error = ENOPROTOOPT;
			goto out;
		}
		splx(s);
		return (sooptcopyout(sopt, &optval, sizeof(optval)));
	}
out:
	splx(s);
	return (error);
}
