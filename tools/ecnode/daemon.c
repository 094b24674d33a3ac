/* SPDX-License-Identifier: MIT */
/* ecnode's daemon: start-up, the tick, joining, shutdown (daemon.h). */
#define _DEFAULT_SOURCE /* flock */
#include "daemon.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ec/hex.h"
#include "ec/lifecycle.h"
#include "ec/sig.h"
#include "stats.h"
#include "net/addr.h"
#include "netio.h"
#include "rpcsrv.h"

/* Peers are written to the store this often (ticks), for the next start. */
#define PEER_SAVE_EVERY 20u
/* Interned bodies the node no longer reads are freed this often (ticks). */
#define SWEEP_EVERY 20u
/* A node still looking for its bootstrap contacts asks again this often. */
#define PROBE_EVERY 20u
/* A returning node waits this long for its bootstrap contacts to answer
 * before it resumes through its stored peers alone. */
#define BOOT_WAIT (2 * PROBE_EVERY)
/* A resumed node that has had no peer for this long (all it knew are
 * gone) joins again through its bootstrap contacts, or says it waits. */
#define REJOIN_AFTER (10 * PROBE_EVERY)

uint64_t
ecn_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void
ecn_daemon_stop(ecn_daemon *d, int code, const char *why)
{
	if (!d->stopping)
		ECN_LOGF(d->log, code ? ECN_ERROR : ECN_INFO, "node", ECN_FIELDS(ECN_STR("why", why)),
		         "stopping");
	d->stopping = true;
	if (code && !d->exit_code)
		d->exit_code = code;
}

/* The store failed (map full, disk error): nothing of this tick may leave,
 * and the node stops. */
static void
store_failed(ecn_daemon *d, const char *during, ec_err err)
{
	const ecn_lmstore_error *e = ecn_lmstore_last_error(d->store);
	ECN_LOGF(d->log, ECN_ERROR, "store",
	         ECN_FIELDS(ECN_STR("during", during), ECN_STR("error", ec_strerror(err)),
	                    ECN_STR("op", e->op ? e->op : ""), ECN_STR("lmdb", e->text)),
	         "store failure: stopping without sending this tick");
	ecn_rt_out_clear(&d->rt);
	d->stopping = true;
	d->exit_code = 1;
}

/* ---- events ------------------------------------------------------------ */

static void
vote_logged(ecn_daemon *d, uint64_t block, uint64_t arg)
{
	if (!d->vote_log || !(arg & (1u << 16)))
		return;
	uint16_t role = (uint16_t)(arg & 0xFFFF);
	const ecp_block *b = ecn_rt_block(&d->rt, block);
	if (!b) {
		/* the check of conflicting votes must know what it misses */
		fprintf(d->vote_log, "unlogged %016" PRIx64 "\n", block);
		fflush(d->vote_log);
		return;
	}
	if (role >= b->nparts)
		return; /* the witness: not a token's, nothing to conflict with */
	char tok[65], par[65], id[65];
	uint8_t bytes[32];
	ec_id_to_bytes(&b->parts[role].token, bytes);
	ec_hex_encode(bytes, 32, tok);
	ec_id_to_bytes(&b->parts[role].parent, bytes);
	ec_hex_encode(bytes, 32, par);
	ec_id_to_bytes(&b->id, bytes);
	ec_hex_encode(bytes, 32, id);
	fprintf(d->vote_log, "%s %s %s\n", tok, par, id);
	fflush(d->vote_log);
}

static void
committed(ecn_daemon *d, uint64_t block)
{
	d->commits++;
	ecn_rpc_commit_note note = {.pos = block, .tick = ecn_rt_now(&d->rt), .ms = ecn_wall_ms()};
	const ecp_block *b = ecn_rt_block(&d->rt, block);
	if (b)
		note.id = &b->id;
	ec_id mine_id;
	for (size_t i = 0; i < d->nmine; i++) {
		if (ec_id_pos(&d->mine[i].id) != block)
			continue;
		mine_id = d->mine[i].id;
		note.id = &mine_id;
		note.mine = true;
		note.latency_ticks = note.tick - d->mine[i].tick;
		note.latency_ms = note.ms - d->mine[i].ms;
		d->committed_mine++;
		ecn_stats_latency(d->stats, note.latency_ms, note.latency_ticks);
		d->mine[i] = d->mine[--d->nmine];
		break;
	}
	ecn_rpc_notify_commit(d->rpc, &note);
}

static void
on_event(void *user, ec_event ev, uint64_t block, uint64_t arg)
{
	ecn_daemon *d = user;
	ecn_stats_event(d->stats, ev, arg);
	ECN_LOGF(d->log, ECN_DEBUG, "event",
	         ECN_FIELDS(ECN_U64("ev", ev), ECN_HEX64("block", block), ECN_U64("arg", arg)),
	         "event");
	if (ev == EC_EV_COMMIT)
		committed(d, block);
	else if (ev == EC_EV_VOTE_CAST)
		vote_logged(d, block, arg);
	else if (ev == EC_EV_REJECT)
		ECN_LOGF(d->log, ECN_INFO, "node",
		         ECN_FIELDS(ECN_HEX64("block", block),
		                    ECN_STR("verdict", ec_verdict_str((ec_verdict)arg))),
		         "block part rejected");
}

/* ---- payloads and submissions ------------------------------------------ */

void
ecn_daemon_payload(ecn_daemon *d, uint64_t sender, const uint8_t *p, size_t len)
{
	if (d->join != JOIN_DONE || d->stopping)
		return;
	ec_wire_reason why;
	ec_err err;
	ecn_rt_drop drop = ecn_rt_deliver(&d->rt, sender, p, len, &why, &err);
	if (drop)
		ECN_LOGF(d->log, ECN_DEBUG, "net",
		         ECN_FIELDS(ECN_HEX64("from", sender), ECN_U64("drop", drop),
		                    ECN_STR("wire", ec_wire_reason_str(why))),
		         "payload dropped");
	if (err && ecn_lmstore_failed(d->store))
		store_failed(d, "handle", err);
	else if (err)
		ECN_LOGF(d->log, ECN_WARN, "node", ECN_FIELDS(ECN_STR("error", ec_strerror(err))),
		         "handling a message failed");
}

ec_err
ecn_daemon_submit(ecn_daemon *d, const uint8_t *enc, size_t len, ec_id *id, ec_wire_reason *why,
                  bool *held)
{
	*held = false;
	if (d->join != JOIN_DONE || d->stopping)
		return EC_EIO;
	ec_err err = ecn_rt_submit(&d->rt, enc, len, id, why);
	if (err)
		return err;
	ec_node_status st;
	ecn_rt_status(&d->rt, &st);
	*held = !st.ready;
	if (d->nmine == d->minecap) {
		size_t cap = d->minecap ? 2 * d->minecap : 64;
		ecn_mine *m = realloc(d->mine, cap * sizeof *m);
		if (!m)
			return EC_OK; /* submitted; only its latency goes unmeasured */
		d->mine = m;
		d->minecap = cap;
	}
	d->mine[d->nmine++] = (ecn_mine){*id, ecn_rt_now(&d->rt), ecn_wall_ms()};
	d->submitted++;
	return EC_OK;
}

/* ---- joining ----------------------------------------------------------- */

typedef struct peer_list {
	ec_contact *c;
	size_t n, cap;
} peer_list;

static bool
peer_add(peer_list *l, uint64_t id, const ec_addr *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->c[i].id == id)
			return true;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		ec_contact *c = realloc(l->c, cap * sizeof *c);
		if (!c)
			return false;
		l->c = c;
		l->cap = cap;
	}
	l->c[l->n++] = (ec_contact){.id = id, .addr = *a};
	return true;
}

static bool
stored_peer(void *user, uint64_t pos, const void *value, size_t len)
{
	ec_addr a = {0};
	const uint8_t *v = value;
	if (len >= 1 && v[0] <= EC_ADDR_MAX && len == 1u + v[0]) {
		a.len = v[0];
		memcpy(a.b, v + 1, a.len);
		(void)peer_add(user, pos, &a);
	}
	return true;
}

static void
join_now(ecn_daemon *d, ec_join_kind kind, const peer_list *l)
{
	uint64_t secret;
	randombytes_buf(&secret, sizeof secret);
	ec_join j = {.kind = kind, .boot = l->c, .nboot = l->n, .self = &d->keys.claim,
	             .addr = d->self_addr, .admit = d->admit, .secret = secret};
	ec_err err = ecn_rt_join(&d->rt, &j);
	if (err) {
		ECN_LOGF(d->log, ECN_ERROR, "node", ECN_FIELDS(ECN_STR("error", ec_strerror(err))),
		         "join failed");
		ecn_daemon_stop(d, 1, "join failed");
		return;
	}
	d->join = JOIN_DONE;
	d->join_kind = kind;
	d->joined_tick = d->ticks;
	static const char *const names[] = {"seeded", "new", "resume"};
	ECN_LOGF(d->log, ECN_INFO, "node",
	         ECN_FIELDS(ECN_STR("kind", names[kind]), ECN_U64("contacts", l->n),
	                    ECN_U64("tick", d->ticks)),
	         "joined");
}

/* Whether bootstrap contact i is known to the transport, at *pos, and
 * answered with its pinned key if it has one (the transport learnt the key
 * from the contact's own answer: without a pin, trust on first use). */
static bool
boot_known(ecn_daemon *d, size_t i, uint64_t *pos)
{
	if (!ecn_netio_pos_of(d->net, &d->boot[i], pos) || *pos == d->keys.pos)
		return false;
	if (!d->boot_pinned[i])
		return true;
	uint8_t pk[32];
	ec_addr a;
	if (ecn_netio_peer(d->net, *pos, pk, &a) && sodium_memcmp(pk, d->boot_pin[i], 32) == 0)
		return true;
	char where[64];
	if (ecn_addr_format(&d->boot[i], where, sizeof where) != EC_OK)
		snprintf(where, sizeof where, "?");
	ECN_LOGF(d->log, ECN_ERROR, "node", ECN_FIELDS(ECN_STR("bootstrap", where)),
	         "a bootstrap contact answered with another key than its pin: not joining through it");
	return false;
}

/* Adds the bootstrap contacts the transport knows (boot_known) to l and
 * returns how many there are; probes the others when probe is set. */
static size_t
add_known_boots(ecn_daemon *d, peer_list *l, bool probe)
{
	size_t known = 0;
	for (size_t i = 0; i < d->nboot; i++) {
		uint64_t pos;
		if (boot_known(d, i, &pos)) {
			known++;
			(void)peer_add(l, pos, &d->boot[i]);
		} else if (probe) {
			ecn_netio_probe(d->net, &d->boot[i]);
		}
	}
	return known;
}

/* Joins once there is someone to join through: the peers stored at the
 * last run, or the bootstrap nodes once the transport knows who they are.
 * A node that never joined and has no bootstrap starts a network. */
static void
join_step(ecn_daemon *d)
{
	if (d->join == JOIN_DONE)
		return;
	if (!d->keys.joined && !d->nboot) {
		join_now(d, EC_JOIN_SEEDED, &(peer_list){0});
		return;
	}
	peer_list l = {0};
	if (d->keys.joined && ecn_lmstore_peer_foreach(d->store, stored_peer, &l) != EC_OK)
		l.n = 0;
	/* a returning node resumes through its bootstrap contacts too, which
	 * the transport must first know: its stored peers may all be gone */
	size_t known = add_known_boots(d, &l, false);
	bool boot_pending = d->keys.joined && known < d->nboot && d->ticks <= BOOT_WAIT;
	if (l.n && !boot_pending) {
		join_now(d, d->keys.joined ? EC_JOIN_RESUME : EC_JOIN_NEW, &l);
	} else if (d->ticks % PROBE_EVERY == 1) {
		for (size_t i = 0; i < d->nboot; i++)
			ecn_netio_probe(d->net, &d->boot[i]);
	} else if (d->keys.joined && !d->nboot && d->ticks > 10 * PROBE_EVERY) {
		/* it was alone, and nobody it knew is left: start again */
		join_now(d, EC_JOIN_SEEDED, &l);
	}
	free(l.c);
}

/* A resumed node left without a single peer (everyone it knew is gone)
 * cannot catch up, and the core keeps waiting for those peers: it joins
 * again through its bootstrap contacts, or, without any, says so. */
static void
rejoin_step(ecn_daemon *d)
{
	if (d->join != JOIN_DONE || d->stopping || d->ticks - d->joined_tick < REJOIN_AFTER)
		return;
	ec_node_status st;
	ecn_rt_status(&d->rt, &st);
	if (st.ready || st.npeers) {
		d->joined_tick = d->ticks - REJOIN_AFTER + PROBE_EVERY; /* look again soon */
		return;
	}
	peer_list l = {0};
	if (add_known_boots(d, &l, d->ticks % PROBE_EVERY == 0)) {
		ECN_LOG(d->log, ECN_WARN, "node", "no peer left: joining again through the bootstrap");
		join_now(d, EC_JOIN_RESUME, &l);
	} else if (d->ticks - d->joined_tick >= 2 * REJOIN_AFTER || !d->nboot) {
		ECN_LOGF(d->log, ECN_WARN, "node", ECN_FIELDS(ECN_U64("bootstrap", d->nboot)),
		         d->nboot ? "no peer left and no bootstrap contact answers: waiting"
		                  : "no peer left and no --bootstrap to ask: waiting");
		d->joined_tick = d->ticks;
	}
	free(l.c);
}

/* A network with fewer nodes than a quorum of yes votes (w + 1 by default)
 * commits nothing: said in the log now and then, so that an operator
 * trying a two-node network knows why. */
static void
quorum_check(ecn_daemon *d)
{
	if (d->join != JOIN_DONE || d->ticks % REJOIN_AFTER != 0)
		return;
	ec_node_status st;
	ecn_rt_status(&d->rt, &st);
	uint64_t quorum = d->pcfg.quorum ? d->pcfg.quorum : d->pcfg.window + 1;
	if (st.ready && st.npeers + 1 < quorum)
		ECN_LOGF(d->log, ECN_WARN, "node",
		         ECN_FIELDS(ECN_U64("nodes", st.npeers + 1), ECN_U64("quorum", quorum)),
		         "fewer nodes than a quorum of yes votes: nothing can commit until more join");
}

/* Writes the node's current peers (and their addresses) for the next
 * start, dropping those it no longer has. */
static bool
collect_pos(void *user, uint64_t pos, const void *value, size_t len)
{
	(void)value;
	(void)len;
	peer_list *l = user;
	return peer_add(l, pos, &(ec_addr){0});
}

static ec_err
save_peers(ecn_daemon *d)
{
	ec_node_status st;
	ecn_rt_status(&d->rt, &st);
	peer_list old = {0};
	ec_err err = ecn_lmstore_peer_foreach(d->store, collect_pos, &old);
	for (size_t i = 0; !err && i < old.n; i++) {
		bool keep = false;
		for (size_t k = 0; k < st.npeers && !keep; k++)
			keep = st.peers[k] == old.c[i].id;
		if (!keep)
			err = ecn_lmstore_peer_del(d->store, old.c[i].id);
	}
	free(old.c);
	for (size_t k = 0; !err && k < st.npeers; k++) {
		ec_addr a;
		uint8_t v[1 + EC_ADDR_MAX];
		if (!d->rt.proto->open->address(d->rt.node, st.peers[k], &a))
			continue;
		v[0] = a.len;
		memcpy(v + 1, a.b, a.len);
		err = ecn_lmstore_peer_put(d->store, st.peers[k], v, 1u + a.len);
	}
	return err;
}

/* ---- the tick ---------------------------------------------------------- */

static void finish(ecn_daemon *d);

/* Sends the payloads the node produced; the tick's writes are durable. */
static void
send_out(ecn_daemon *d)
{
	for (size_t i = 0; i < d->rt.nout; i++) {
		const ecn_out *o = &d->rt.out[i];
		ecn_netio_send(d->net, o->to, &o->addr, ecn_rt_out_bytes(&d->rt, o), o->len);
	}
	ecn_rt_out_clear(&d->rt);
}

/* Commits the tick's transaction, then lets its payloads go. */
static bool
commit_and_send(ecn_daemon *d)
{
	uint64_t t0 = uv_hrtime();
	ec_err err = ecn_lmstore_commit(d->store);
	ecn_stats_commit_time(d->stats, (uv_hrtime() - t0) / 1000u);
	if (err) {
		store_failed(d, "commit", err);
		ecn_lmstore_release(d->store);
		return false;
	}
	send_out(d);
	ecn_lmstore_release(d->store);
	ecn_netio_flush(d->net);
	return true;
}

/*
 * Under the test impairment ticks sit on the wall clock's grid of tick_ms
 * (slot k at k x tick_ms ms since 1970), so that the nodes of a testnet
 * tick together, as ecsim's nodes do: a datagram sent at one node's tick
 * reaches the others before their next tick, and the slot it was sent in
 * can be read from its arrival time (impair.h).  Otherwise each node keeps
 * the phase it started with: a datagram then waits for its receiver's next
 * tick half a tick on average, not a whole one, which is faster.  Either
 * way the node's clock counts its own ticks.
 */
static void on_tick(uv_timer_t *t);

static void
schedule_tick(ecn_daemon *d)
{
	uint64_t T = d->cfg->tick_ms;
	if (!d->impaired) {
		if (!d->ticks)
			uv_timer_start(&d->tick_timer, on_tick, T, T);
		return;
	}
	uint64_t now = ecn_wall_ms();
	uint64_t at = (d->ticks ? d->slot + 1 : now / T + 1) * T;
	uint64_t wait = at > now ? at - now : 0; /* late: at once */
	uv_update_time(&d->loop); /* the timer counts from now, not the loop's start */
	uv_timer_start(&d->tick_timer, on_tick, wait < T ? wait : T, 0);
}

static uint64_t
grid_slot(ecn_daemon *d)
{
	uint64_t T = d->cfg->tick_ms, s = (ecn_wall_ms() + T / 2) / T; /* the nearest grid point */
	return s > d->slot ? s : d->slot + 1; /* a clock stepped back still moves on */
}

static void
on_tick(uv_timer_t *t)
{
	ecn_daemon *d = t->data;
	d->ticks++;
	d->slot = grid_slot(d);
	if (d->impaired)
		ecn_netio_release_held(d->net, d->slot);
	join_step(d);
	if (d->join_kind == EC_JOIN_RESUME)
		rejoin_step(d);
	quorum_check(d);
	ec_err err = EC_OK;
	if (d->join == JOIN_DONE && !d->stopping) {
		err = ecn_rt_tick(&d->rt);
		if (err && ecn_lmstore_failed(d->store)) {
			store_failed(d, "tick", err);
		} else if (err) {
			ECN_LOGF(d->log, ECN_WARN, "node",
			         ECN_FIELDS(ECN_STR("error", ec_strerror(err))), "tick failed");
		}
	}
	if (d->join == JOIN_DONE && !ecn_lmstore_failed(d->store)) {
		err = ecn_keys_save_clock(d->store, ecn_rt_now(&d->rt), true);
		if (!err && d->ticks % PEER_SAVE_EVERY == 0)
			err = save_peers(d);
		if (err)
			store_failed(d, "save", err);
	}
	if (!ecn_lmstore_failed(d->store))
		(void)commit_and_send(d);
	if (d->join == JOIN_DONE && d->ticks % SWEEP_EVERY == 0)
		(void)ecn_rt_sweep(&d->rt); /* the store copies: only the node's pointers count */
	ecn_netio_tick(d->net);
	ecn_stats_tick(d->stats);
	if (d->ticks % 200 == 0)
		ecn_log_flush_suppressed(d->log);
	if (d->stopping)
		finish(d);
	else
		schedule_tick(d);
}

/* ---- shutdown ---------------------------------------------------------- */

static void
close_cb(uv_handle_t *h)
{
	(void)h;
}

/* The last turn: goodbyes (when the store is sound), then every handle
 * closes and the loop ends. */
static void
finish(ecn_daemon *d)
{
	if (d->join == JOIN_DONE && !ecn_lmstore_failed(d->store) && d->exit_code == 0) {
		if (ecn_rt_leave(&d->rt) == EC_OK)
			(void)commit_and_send(d);
	}
	uv_timer_stop(&d->tick_timer);
	uv_close((uv_handle_t *)&d->tick_timer, close_cb);
	uv_close((uv_handle_t *)&d->sig_term, close_cb);
	uv_close((uv_handle_t *)&d->sig_int, close_cb);
	uv_close((uv_handle_t *)&d->sig_hup, close_cb);
	ecn_netio_close(d->net);
	ecn_rpcsrv_close(d->rpc);
	ecn_stats_close(d->stats);
}

static void
on_signal(uv_signal_t *s, int signum)
{
	ecn_daemon *d = s->data;
	if (signum == SIGHUP) {
		if (ecn_log_reopen(d->log) != EC_OK)
			ECN_LOG(d->log, ECN_WARN, "node", "log file could not be reopened");
		else
			ECN_LOG(d->log, ECN_INFO, "node", "log reopened");
		return;
	}
	ecn_daemon_stop(d, 0, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* ---- start-up ---------------------------------------------------------- */

static int
setup_fail(ecn_daemon *d, const char *what, const char *detail)
{
	ECN_LOGF(d->log, ECN_ERROR, "node", ECN_FIELDS(ECN_STR("detail", detail)), "%s", what);
	return 1;
}

/* Parses "P" as a probability in [0, 1). */
static bool
parse_prob(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0 && v < 1))
		return false;
	*out = v;
	return true;
}

/* The protocol settings: the core's defaults, but with the defences a real
 * node runs (ECP_DEF_DEFAULT: witness rule, signed votes, convictions,
 * floor, quotas; docs/byzantine.md), which the core leaves off as the
 * simulator's measured baseline; then --proto, in order, so that
 * `--proto defences=off` or any other list replaces them. */
static int
setup_proto(ecn_daemon *d)
{
	ecp_config_default(&d->pcfg);
	d->pcfg.defences = ECP_DEF_DEFAULT;
	const ec_proto_config *pc = &ecp_config_ops;
	for (size_t i = 0; i < d->cfg->proto.n; i++) {
		const char *kv = d->cfg->proto.items[i];
		const char *eq = strchr(kv, '=');
		size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
		const ec_proto_option *o = NULL;
		for (size_t k = 0; k < pc->noptions && !o; k++)
			if (strlen(pc->options[k].name) == klen &&
			    strncmp(pc->options[k].name, kv, klen) == 0)
				o = &pc->options[k];
		char err[200] = "";
		if (!o)
			return setup_fail(d, "unknown protocol setting (--proto)", kv);
		if ((o->arg && !eq) || !o->set(&d->pcfg, eq ? eq + 1 : NULL, err, sizeof err))
			return setup_fail(d, "bad protocol setting (--proto)", err[0] ? err : kv);
	}
	const char *why = ecp_config_check(&d->pcfg);
	return why ? setup_fail(d, "protocol settings refused", why) : 0;
}

static int
setup_log(ecn_daemon *d)
{
	ecn_log_config lc = {.level = ECN_INFO, .json = d->cfg->log_json, .burst = 20,
	                     .window_ms = 10000};
	if (ecn_log_level_parse(d->cfg->log_level, &lc.level) != EC_OK) {
		fprintf(stderr, "ecnode: --log-level: unknown level \"%s\" (error, warn, info, debug)\n",
		        d->cfg->log_level);
		return 2;
	}
	if (lc.level == ECN_DEBUG)
		lc.burst = 0; /* debugging wants every line */
	ec_err err = d->cfg->log_file ? ecn_log_new(&lc, NULL, d->cfg->log_file, &d->log)
	                              : ecn_log_new(&lc, stderr, NULL, &d->log);
	if (err) {
		fprintf(stderr, "ecnode: cannot open the log %s: %s\n",
		        d->cfg->log_file ? d->cfg->log_file : "stderr", strerror(errno));
		return 1;
	}
	return 0;
}

/* One daemon per data directory: a second writer would wait on LMDB's
 * writer lock for ever, so it is refused here instead. */
static int
lock_datadir(ecn_daemon *d)
{
	if (mkdir(d->cfg->datadir, 0700) != 0 && errno != EEXIST)
		return setup_fail(d, "cannot create the data directory", strerror(errno));
	size_t n = strlen(d->cfg->datadir) + sizeof "/ecnode.lock";
	char *path = malloc(n);
	if (!path)
		return setup_fail(d, "out of memory", "");
	snprintf(path, n, "%s/ecnode.lock", d->cfg->datadir);
	d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(path);
	if (d->lock_fd < 0)
		return setup_fail(d, "cannot open the data directory's lock", strerror(errno));
	if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0)
		return setup_fail(d, "another ecnode is using this data directory", d->cfg->datadir);
	return 0;
}

static int
setup_store(ecn_daemon *d)
{
	char err[256] = "";
	if (lock_datadir(d))
		return 1;
	ec_err e = ecn_lmstore_open(d->cfg->datadir, (size_t)d->cfg->map_size, 0, &d->store, err,
	                            sizeof err);
	if (e)
		return setup_fail(d, "cannot open the store", err);
	uint8_t net[32];
	ecn_network_id(d->cfg->network, net);
	d->admit = (ec_identity_params){.memory_kib = (uint32_t)d->cfg->identity_memory,
	                                .passes = (uint32_t)d->cfg->identity_passes,
	                                .lanes = 1,
	                                .bits = (uint32_t)d->cfg->identity_bits};
	const char *bad = ec_identity_params_check(&d->admit);
	if (bad)
		return setup_fail(d, "identity settings refused", bad);
	ECN_LOG(d->log, ECN_INFO, "node", "loading or mining the identity");
	e = ecn_keys_open(d->store, &d->admit, net, ecn_wall_ms() / 1000u, &d->keys, err,
	                  sizeof err);
	if (e)
		return setup_fail(d, "cannot load the identity", err[0] ? err : ec_strerror(e));
	/* the boot epoch is durable before anything is sent */
	if ((e = ecn_lmstore_commit(d->store))) {
		store_failed(d, "start", e);
		return 1;
	}
	ECN_LOGF(d->log, ECN_INFO, "node",
	         ECN_FIELDS(ECN_HEX64("id", d->keys.pos), ECN_BOOL("mined", d->keys.mined),
	                    ECN_U64("attempts", d->keys.attempts), ECN_U64("epoch", d->keys.epoch),
	                    ECN_BOOL("joined_before", d->keys.joined)),
	         "identity ready");
	return 0;
}

/* Voters' keys for signed votes: the transport's peers, whose identity
 * claims (key, salt, position) it verified before it let them talk. */
static bool
voter_key(void *user, uint64_t pos, uint8_t pk[32])
{
	const ecn_daemon *d = user;
	ec_addr a;
	return d->net && ecn_netio_peer(d->net, pos, pk, &a);
}

static int
setup_runtime(ecn_daemon *d)
{
	ec_store st = {ecn_lmstore_ops(), d->store};
	ec_err e = ecn_rt_init(&d->rt, d->keys.pos, &d->pcfg, st, &ec_sig_ed25519,
	                       (size_t)d->cfg->mtu - ECN_NETIO_OVERHEAD);
	if (e)
		return setup_fail(d, "cannot start the protocol node", ec_strerror(e));
	d->rt_ready = true;
	ecn_rt_sign_votes(&d->rt, d->keys.sk);
	ecn_rt_vote_keys(&d->rt, voter_key, d);
	d->rt.on_event = on_event;
	d->rt.event_user = d;
	/* a restart continues the clock it had: vote stamps must grow */
	if (d->keys.clock)
		ecn_rt_advance(&d->rt, d->keys.clock + 1);
	return 0;
}

static int
setup_addrs(ecn_daemon *d)
{
	ecn_addr_reason r = ecn_addr_parse(d->cfg->listen, &d->listen_addr);
	if (r != ECN_ADDR_OK)
		return setup_fail(d, "bad --listen", ecn_addr_reason_str(r));
	d->self_addr = d->listen_addr;
	if (d->cfg->advertise && (r = ecn_addr_parse(d->cfg->advertise, &d->self_addr)) != ECN_ADDR_OK)
		return setup_fail(d, "bad --advertise", ecn_addr_reason_str(r));
	static const uint8_t zero[16];
	size_t iplen = d->self_addr.b[0] == 4 ? 4 : 16;
	if (memcmp(d->self_addr.b + 1, zero, iplen) == 0)
		return setup_fail(d, "a wildcard address cannot be advertised",
		                  "set --advertise to the address peers reach this node at");
	d->nboot = d->cfg->bootstrap.n;
	size_t nb = d->nboot ? d->nboot : 1;
	d->boot = calloc(nb, sizeof *d->boot);
	d->boot_pin = calloc(nb, sizeof *d->boot_pin);
	d->boot_pinned = calloc(nb, sizeof *d->boot_pinned);
	if (!d->boot || !d->boot_pin || !d->boot_pinned)
		return setup_fail(d, "out of memory", "");
	for (size_t i = 0; i < d->nboot; i++) {
		const char *item = d->cfg->bootstrap.items[i], *at = strchr(item, '@');
		if (at) {
			if (at - item != 64 || !ec_hex_decode(item, d->boot_pin[i], 32))
				return setup_fail(d, "bad --bootstrap",
				                  "KEY@ADDR:PORT needs a key of 64 hex digits");
			d->boot_pinned[i] = true;
			item = at + 1;
		}
		if ((r = ecn_addr_parse(item, &d->boot[i])) != ECN_ADDR_OK)
			return setup_fail(d, "bad --bootstrap", ecn_addr_reason_str(r));
	}
	if (d->cfg->impair_hold || d->cfg->impair_loss) {
		double hold = 0, loss = 0;
		if ((d->cfg->impair_hold && !parse_prob(d->cfg->impair_hold, &hold)) ||
		    (d->cfg->impair_loss && !parse_prob(d->cfg->impair_loss, &loss)))
			return setup_fail(d, "bad --impair-hold or --impair-loss", "a number in [0, 1)");
		uint64_t seed;
		randombytes_buf(&seed, sizeof seed);
		if (ecn_impair_init(&d->impair, loss, hold, seed, 1u << 16) != EC_OK)
			return setup_fail(d, "cannot set up the impairment", "");
		d->impaired = true;
		ECN_LOGF(d->log, ECN_WARN, "node", ECN_FIELDS(ECN_F64("hold", hold), ECN_F64("loss", loss)),
		         "test impairment on: incoming datagrams are delayed and dropped");
	}
	return 0;
}

static int
setup_loop(ecn_daemon *d)
{
	/* an RPC or metrics client that goes away before its answer is
	 * written is a failed write (the connection is closed), not the
	 * daemon's death by SIGPIPE: libuv leaves the signal alone.  Seen
	 * when a node busy catching up answered a status after its client
	 * had timed out. */
	struct sigaction pipe_sa;
	memset(&pipe_sa, 0, sizeof pipe_sa);
	pipe_sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &pipe_sa, NULL);
	if (uv_loop_init(&d->loop))
		return setup_fail(d, "cannot start the event loop", "");
	d->loop.data = d; /* from here on teardown runs the loop's closes */
	uv_timer_init(&d->loop, &d->tick_timer);
	d->tick_timer.data = d;
	uv_signal_init(&d->loop, &d->sig_term);
	uv_signal_init(&d->loop, &d->sig_int);
	uv_signal_init(&d->loop, &d->sig_hup);
	d->sig_term.data = d->sig_int.data = d->sig_hup.data = d;
	uv_signal_start(&d->sig_term, on_signal, SIGTERM);
	uv_signal_start(&d->sig_int, on_signal, SIGINT);
	uv_signal_start(&d->sig_hup, on_signal, SIGHUP);
	char err[200] = "";
	if (ecn_netio_open(d, &d->net, err, sizeof err) != EC_OK)
		return setup_fail(d, "cannot open the UDP socket", err);
	if (ecn_stats_open(d, &d->stats, err, sizeof err) != EC_OK)
		return setup_fail(d, "cannot serve metrics", err);
	if (d->cfg->rpc) {
		d->rpc_path = strdup(d->cfg->rpc);
	} else {
		size_t n = strlen(d->cfg->datadir) + sizeof "/rpc.sock";
		if ((d->rpc_path = malloc(n)))
			snprintf(d->rpc_path, n, "%s/rpc.sock", d->cfg->datadir);
	}
	if (!d->rpc_path || ecn_rpcsrv_open(d, d->rpc_path, &d->rpc, err, sizeof err) != EC_OK)
		return setup_fail(d, "cannot open the RPC socket", err);
	if (d->cfg->vote_log && !(d->vote_log = fopen(d->cfg->vote_log, "a")))
		return setup_fail(d, "cannot open the vote log", strerror(errno));
	schedule_tick(d);
	return 0;
}

static void
teardown(ecn_daemon *d)
{
	if (d->loop.data == d) {
		/* let the closes run, then the loop ends */
		uv_run(&d->loop, UV_RUN_DEFAULT);
		(void)uv_loop_close(&d->loop);
	}
	ecn_netio_free(d->net);
	ecn_rpcsrv_free(d->rpc);
	ecn_stats_free(d->stats);
	if (d->rt_ready)
		ecn_rt_fini(&d->rt);
	if (d->impaired)
		ecn_impair_fini(&d->impair);
	ecn_lmstore_close(d->store);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	if (d->vote_log)
		fclose(d->vote_log);
	free(d->boot);
	free(d->boot_pin);
	free(d->boot_pinned);
	free(d->mine);
	free(d->rpc_path);
	sodium_memzero(d->keys.sk, sizeof d->keys.sk);
	ecn_log_free(d->log);
}

int
ecn_daemon_run(ecn_cfg *cfg)
{
	ecn_daemon d = {.cfg = cfg, .lock_fd = -1};
	int rc = setup_log(&d);
	if (rc)
		return rc;
	if (!cfg->datadir) {
		ECN_LOG(d.log, ECN_ERROR, "node", "--datadir is required");
		ecn_log_free(d.log);
		return 2;
	}
	if (sodium_init() < 0 || ec_sig_init() != EC_OK) {
		ECN_LOG(d.log, ECN_ERROR, "node", "libsodium cannot start");
		ecn_log_free(d.log);
		return 1;
	}
	umask(077);
	d.start_ms = ecn_wall_ms();
	rc = setup_proto(&d);
	if (!rc)
		rc = setup_addrs(&d);
	if (!rc)
		rc = setup_store(&d);
	if (!rc)
		rc = setup_runtime(&d);
	if (!rc)
		rc = setup_loop(&d);
	if (!rc) {
		ECN_LOGF(d.log, ECN_INFO, "node",
		         ECN_FIELDS(ECN_STR("listen", cfg->listen), ECN_STR("rpc", d.rpc_path),
		                    ECN_U64("tick_ms", cfg->tick_ms)),
		         "running");
		uv_run(&d.loop, UV_RUN_DEFAULT);
		rc = d.exit_code;
		ECN_LOGF(d.log, ECN_INFO, "node", ECN_FIELDS(ECN_U64("exit", (uint64_t)rc)), "stopped");
	} else if (d.loop.data == &d) {
		d.stopping = true;
		finish(&d);
	}
	teardown(&d);
	return rc;
}
