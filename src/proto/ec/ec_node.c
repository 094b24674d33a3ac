/* SPDX-License-Identifier: MIT */
/*
 * The ec protocol node (ec/ecp.h, docs/ec-protocol.md).
 *
 * Per block a node keeps one pool entry: the block (once known), the votes
 * it has heard, the peers interested in its outcome (the trail), and a few
 * flags per role.  handle() only records; everything a node sends goes to
 * its outbox and leaves at the end of tick() as one envelope per receiver.
 * Votes are cast in tick(), highest block id first, so that of two
 * conflicting blocks that arrive in the same round the higher gets the yes.
 */
#include "ec/ecp.h"

#include <stdlib.h>
#include <string.h>

#include "ec/lifecycle.h"
#include "ec/rng.h"
#include "ec/wire.h"

enum { ST_PENDING, ST_COMMITTED, ST_BLOCKED };

/* per-role flags */
enum {
	RF_WANT = 1,    /* member: vote at the next tick */
	RF_VOTED = 2,   /* member: voted */
	RF_YES = 4,     /* my vote was yes (exclusive votes check this) */
	RF_SPREAD = 8,  /* member: pass the block to my window when voting */
	RF_WAIT = 16,   /* member: parent unknown, fetching it */
	RF_ROUTED = 32, /* relay: forwarded towards the role */
	RF_WDRAW = 64,  /* on a lower block: my yes withdrawal is under way */
	RF_CHECKED = 128, /* the part passed the lifecycle check against the
	                     parent I hold (signatures are checked once) */
};

typedef struct entry {
	ec_id id;
	const ecp_block *block; /* NULL until known */
	uint64_t origin;        /* submitter position, 0: unknown */
	uint64_t created, next_poll, done_at, fetch_at, routed_at, spread_at, wd_at;
	uint64_t ready_at;      /* mine: commit decided, waiting out the grace */
	uint64_t fetch_peer;
	uint32_t poll_gap;
	uint8_t state, mine, dirty, fetch_tries;
	ecp_vote *votes;
	uint32_t nvotes, vcap;
	uint64_t *interest;
	uint32_t ni, icap;
	uint8_t *rf; /* nroles flags, index nparts the witness: after win[] when
	                there are more than RF_INLINE roles, else unused (rfi) */
	ec_range *win; /* my window around each role's key (peers never change) */
	uint32_t nroles;
	uint8_t rfi[4]; /* the flags of up to RF_INLINE roles, in the entry: the
	                   tick reads them for every entry */
} entry;

#define RF_INLINE 4u
/* An entry's role flags (read and written through this). */
#define RF(e) ((e)->nroles <= RF_INLINE ? (e)->rfi : (e)->rf)

typedef struct outmsg {
	uint64_t to;
	ecp_item item;
} outmsg;

/* What every handle and tick reads comes first (a million nodes' state is
 * mostly cache misses); the full 256-bit id is ec_id_expand(pos). */
typedef struct ecp_node {
	uint64_t pos, now;
	entry *pool;
	uint32_t npool, poolcap;
	outmsg *out;
	uint32_t nout, outcap;
	uint32_t stamp; /* 2 x the sender's clock of the envelope being handled */
	uint32_t lat16; /* 16 x the commit latency this node observes (moving
	                   average): the first poll waits for 1.5 times it */
	ec_peers peers;
	/* the ring span [pos - near_dn, pos + near_up] over which this node
	 * assumes its peers are all the nodes there are (its nearest peers) */
	uint64_t near_dn, near_up;
	ecp_config cfg;
} ecp_node;

/* Rounds before the first poll of a block: never before poll_first, and
 * not before a commit would normally have arrived (a network ten times
 * larger needs a few more hops; polling earlier only repeats the wave). */
static uint64_t
first_poll(const ecp_node *n)
{
	uint64_t est = (uint64_t)n->lat16 * 3 / 32;
	return est > n->cfg.poll_first ? est : n->cfg.poll_first;
}

void
ecp_config_default(ecp_config *c)
{
	*c = (ecp_config){.window = 4, .threshold = 2, .quorum = 0, .fanout = 2, .max_hops = 24,
	                  .poll_first = 8, .poll_max = 16, .fetch_cooldown = 5, .linger = 2,
	                  .expiry = 96, .batch = 1};
}

const char *
ecp_config_check(const ecp_config *c)
{
	if (c->window < 1 || c->window > 64)
		return "the ec window must be between 1 and 64";
	if (c->quorum > 2 * c->window + 1)
		return "the ec quorum cannot exceed the 2w+1 members of a window";
	if (c->threshold > 2 * c->window + 1)
		return "the ec threshold cannot exceed the 2w+1 members of a window";
	if (c->fanout < 1 || c->fanout > 16)
		return "the ec fanout must be between 1 and 16";
	if (c->poll_first < 1 || c->poll_max < c->poll_first)
		return "ec polling needs 1 <= first <= max";
	if (c->grace > 64)
		return "the ec commit grace must be at most 64 rounds";
	return NULL;
}

static uint32_t
quorum(const ecp_node *n)
{
	return n->cfg.quorum ? n->cfg.quorum : n->cfg.window + 1;
}

/* ---- ring geometry ---------------------------------------------------- */

ec_range
ecp_window(const ec_peers *p, uint64_t self, uint64_t key, uint32_t w)
{
	const uint32_t L = p->len;
	if ((uint64_t)L + 1 <= 2 * (uint64_t)w + 1)
		return (ec_range){key + 1, key}; /* the whole ring */
	uint32_t i;
	(void)ec_peers_search(p, key, &i);
	/* w+1 nearest at or above the key, w nearest below, among the peers;
	 * then let self displace the farthest of its side if it is nearer */
	uint64_t up_last = p->ids[(i + w) % L] - key;            /* (w+1)-th above */
	uint64_t up_prev = w ? p->ids[(i + w - 1) % L] - key : 0; /* w-th above */
	uint64_t dn_last = key - p->ids[(i + L - w) % L];         /* w-th below */
	uint64_t dn_prev = w > 1 ? key - p->ids[(i + L - w + 1) % L] : 0;
	uint64_t d_up = self - key, d_dn = key - self;
	uint64_t hi = up_last, lo = dn_last;
	if (d_up <= d_dn) { /* self sits on the upper side */
		if (d_up < up_last)
			hi = d_up > up_prev ? d_up : up_prev;
	} else if (d_dn < dn_last) {
		lo = d_dn > dn_prev ? d_dn : dn_prev;
	}
	return (ec_range){key - lo, key + hi};
}

static uint64_t
ring_dist(uint64_t a, uint64_t b)
{
	uint64_t d = a - b, e = b - a;
	return d < e ? d : e;
}

static uint64_t
role_key(const ecp_block *b, uint32_t r)
{
	return r < b->nparts ? ec_id_pos(&b->parts[r].token) : ec_id_pos(&b->id);
}

static uint16_t
role_code(const ecp_block *b, uint32_t r)
{
	return r < b->nparts ? (uint16_t)r : ECP_ROLE_WITNESS;
}

static uint32_t
role_index(const ecp_block *b, uint16_t code)
{
	return code == ECP_ROLE_WITNESS ? b->nparts : code;
}

/* ---- memory ----------------------------------------------------------- */

static bool
grow(const ec_ctx *ctx, void **v, uint32_t *cap, uint32_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	uint32_t ncap = *cap ? *cap : 4;
	while (ncap < need)
		ncap *= 2;
	void *p = ctx->realloc_fn(ctx->alloc_user, *v, *cap * elem, (size_t)ncap * elem);
	if (!p)
		return false;
	*v = p;
	*cap = ncap;
	return true;
}

static void
entry_free(const ec_ctx *ctx, entry *e)
{
	if (e->votes)
		ctx->realloc_fn(ctx->alloc_user, e->votes, e->vcap * sizeof *e->votes, 0);
	if (e->interest)
		ctx->realloc_fn(ctx->alloc_user, e->interest, e->icap * sizeof *e->interest, 0);
	if (e->win) /* the role flags share its allocation beyond RF_INLINE roles */
		ctx->realloc_fn(ctx->alloc_user, e->win,
		                e->nroles * (sizeof *e->win + (e->nroles > RF_INLINE ? 1u : 0u)), 0);
	memset(e, 0, sizeof *e);
}

static entry *
find(ecp_node *n, const ec_id *id)
{
	for (uint32_t i = 0; i < n->npool; i++)
		if (n->pool[i].id.w[0] == id->w[0] && ec_id_eq(&n->pool[i].id, id))
			return &n->pool[i];
	return NULL;
}

static ec_err
entry_get(ecp_node *n, const ec_ctx *ctx, const ec_id *id, entry **out)
{
	if ((*out = find(n, id)))
		return EC_OK;
	if (!grow(ctx, (void **)&n->pool, &n->poolcap, n->npool + 1, sizeof *n->pool))
		return EC_ENOMEM;
	entry *e = &n->pool[n->npool++];
	memset(e, 0, sizeof *e);
	e->id = *id;
	e->created = n->now;
	e->poll_gap = n->cfg.poll_first;
	e->next_poll = n->now + 2 * first_poll(n); /* submit() shortens it */
	*out = e;
	return EC_OK;
}

/* Attaches the block body (first copy wins), sizes the role flags and
 * computes my window around every role's key once. */
static ec_err
entry_set_block(const ecp_node *n, const ec_ctx *ctx, entry *e, const ecp_block *b)
{
	if (e->block || !b)
		return EC_OK;
	if (!ec_id_eq(&b->id, &e->id) || b->nparts < 1 || b->nparts > ECP_MAX_PARTS)
		return EC_OK; /* a body that is not this block is ignored */
	/* only canonical blocks (sorted, distinct, non-zero tokens; creates
	 * unsigned) whose id is their content hash: anything else is evidence */
	ec_memo_byte *memo = ctx->memo ? ctx->memo(ctx->memo_user, b) : NULL;
	unsigned known = ecp_memo_get(memo, 0); /* this very body, checked elsewhere */
	ec_verdict bad = known ? (ec_verdict)(known - 1) : EC_ACCEPT;
	if (!known) {
		ec_id h;
		if (ec_wire_block_check(b) != EC_WIRE_OK)
			bad = EC_REJECT_MALFORMED;
		else if (ecp_block_id(b, &h), !ec_id_eq(&h, &b->id))
			bad = EC_REJECT_BAD_ID;
		ecp_memo_or(memo, 0, 1u + (unsigned)bad);
	}
	if (bad != EC_ACCEPT) {
		if (ctx->event)
			ctx->event(ctx->event_user, n->pos, EC_EV_REJECT, ec_id_pos(&b->id), bad);
		return EC_OK;
	}
	/* the windows, then (beyond RF_INLINE roles) the role flags: one
	 * allocation */
	const uint32_t nroles = b->nparts + 1;
	const bool inline_rf = nroles <= RF_INLINE;
	ec_range *win = ctx->realloc_fn(ctx->alloc_user, NULL, 0,
	                                nroles * (sizeof *win + (inline_rf ? 0u : 1u)));
	if (!win)
		return EC_ENOMEM;
	uint8_t *rf = inline_rf ? NULL : (uint8_t *)(win + nroles);
	memset(inline_rf ? e->rfi : rf, 0, nroles);
	for (uint32_t r = 0; r <= b->nparts; r++)
		win[r] = ecp_window(&n->peers, n->pos, role_key(b, r), n->cfg.window);
	e->rf = rf;
	e->win = win;
	e->nroles = b->nparts + 1;
	e->block = b;
	e->dirty = 1;
	return EC_OK;
}

static ec_err
add_interest(const ec_ctx *ctx, entry *e, uint64_t who)
{
	for (uint32_t i = 0; i < e->ni; i++)
		if (e->interest[i] == who)
			return EC_OK;
	if (!grow(ctx, (void **)&e->interest, &e->icap, e->ni + 1, sizeof *e->interest))
		return EC_ENOMEM;
	e->interest[e->ni++] = who;
	return EC_OK;
}

/* Records voter's vote on role, unless a vote with a later stamp is
 * already recorded. */
static ec_err
add_vote(const ec_ctx *ctx, entry *e, uint64_t voter, uint16_t role, int8_t value, uint32_t stamp)
{
	for (uint32_t i = 0; i < e->nvotes; i++)
		if (e->votes[i].voter == voter && e->votes[i].role == role) {
			if (stamp < e->votes[i].stamp)
				return EC_OK; /* overtaken on the way */
			if (e->votes[i].value != value)
				e->dirty = 1;
			e->votes[i].value = value;
			e->votes[i].stamp = stamp;
			return EC_OK;
		}
	if (!grow(ctx, (void **)&e->votes, &e->vcap, e->nvotes + 1, sizeof *e->votes))
		return EC_ENOMEM;
	e->votes[e->nvotes++] = (ecp_vote){.voter = voter, .stamp = stamp, .role = role,
	                                   .value = value};
	e->dirty = 1;
	return EC_OK;
}

/* ---- sending ---------------------------------------------------------- */

static ec_err
send_item(ecp_node *n, const ec_ctx *ctx, uint64_t to, const ecp_item *it)
{
	if (to == n->pos)
		return EC_OK;
	if (!grow(ctx, (void **)&n->out, &n->outcap, n->nout + 1, sizeof *n->out))
		return EC_ENOMEM;
	n->out[n->nout++] = (outmsg){to, *it};
	return EC_OK;
}

/* Sends `to` the committed block id with its certificate if my store has
 * it (*found says whether it did; may be NULL). */
static ec_err
send_stored(ecp_node *n, const ec_ctx *ctx, uint64_t to, const ec_id *id, bool *found)
{
	ecp_item it = {.kind = ECP_COMMIT, .block_id = *id};
	bool have = ecp_store(&ctx->store)->xblock_get(ctx->store.impl, id, &it.block, &it.cert);
	if (found)
		*found = have;
	return have ? send_item(n, ctx, to, &it) : EC_OK;
}

static ec_err
send_terminal(ecp_node *n, const ec_ctx *ctx, const entry *e, uint64_t to, uint16_t role)
{
	ecp_item it = {.block_id = e->id};
	if (e->state == ST_COMMITTED) {
		const ecp_cert *cert = NULL;
		if (!ecp_store(&ctx->store)->xblock_get(ctx->store.impl, &e->id, NULL, &cert))
			return EC_OK;
		it.kind = ECP_COMMIT;
		it.block = e->block;
		it.cert = cert;
	} else {
		it.kind = ECP_BLOCKED;
		it.role = role;
		it.value = -1;
	}
	return send_item(n, ctx, to, &it);
}

static ec_err spread(ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t r, int8_t value,
                     uint8_t poll);
static ec_err spread_to(ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t r, int8_t value,
                        uint8_t flags);

/* Whether this node's view of the window around key is the true one: the
 * window lies inside the span where its peers are its nearest nodes. */
static bool
knows_window(const ecp_node *n, ec_range w)
{
	uint64_t base = n->pos - n->near_dn, span = n->near_dn + n->near_up;
	uint64_t lo = w.low - base, hi = w.high - base;
	return lo <= span && hi <= span && lo <= hi;
}

/* Sends a first-wave copy of the block for role r.  A node that knows the
 * window around the key sends it to the whole window at once (and the
 * members need not pass it on); otherwise to the `fanout` peers nearest
 * the key, and as a relay (limit = its own distance) only to peers
 * strictly nearer than itself.  `skip` rotates to other peers on re-polls. */
static ec_err
route(ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t r, uint16_t hops, uint64_t limit,
      uint32_t skip, uint8_t poll)
{
	const ec_peers *p = &n->peers;
	if (p->len == 0)
		return EC_OK;
	uint64_t key = role_key(e->block, r);
	if (knows_window(n, e->win[r]))
		return spread(n, ctx, e, r, 0, poll);
	if (limit == UINT64_MAX && p->len >= 32 * (2 * n->cfg.window + 1))
		/* a submitter with hundreds of peers (a dense graph) has most of
		 * any neighbourhood among them: straight to its window, which
		 * saves a hop; the members pass it on as usual */
		return spread_to(n, ctx, e, r, 0, poll);
	uint32_t i;
	(void)ec_peers_search(p, key, &i);
	uint32_t up = i % p->len, dn = (i + p->len - 1) % p->len, sent = 0, seen = 0;
	ecp_item it = {.kind = ECP_BLOCK, .role = role_code(e->block, r), .hops = hops,
	               .flags = poll, .origin = e->origin, .block_id = e->id, .block = e->block};
	/* merge the two directions by distance */
	/* the submitter and the first relay send `fanout` copies, later relays
	 * one (copies would otherwise multiply at every hop).  Measured on
	 * 2,000 nodes: fanning out at the submitter only saves about 40 % of
	 * the messages and costs about one round of latency */
	const uint32_t fan = limit == UINT64_MAX || hops <= 1 ? n->cfg.fanout : 1;
	for (uint32_t k = 0; k < p->len && sent < fan; k++) {
		uint64_t du = p->ids[up] - key, dd = key - p->ids[dn];
		uint64_t pick;
		if (du <= dd) {
			pick = p->ids[up];
			up = (up + 1) % p->len;
		} else {
			pick = p->ids[dn];
			dn = (dn + p->len - 1) % p->len;
		}
		if (ring_dist(pick, key) >= limit)
			break;
		if (seen++ < skip)
			continue;
		ec_err err = send_item(n, ctx, pick, &it);
		if (err)
			return err;
		sent++;
	}
	return EC_OK;
}

/* Sends the block (with my vote, if any) to my window around the key. */
static ec_err
spread_to(ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t r, int8_t value,
          uint8_t flags)
{
	uint64_t key = role_key(e->block, r);
	ec_range w = e->win[r];
	const ec_peers *p = &n->peers;
	ecp_item it = {.kind = ECP_BLOCK, .value = value, .role = role_code(e->block, r),
	               .flags = flags, .origin = e->origin, .block_id = e->id,
	               .block = e->block};
	uint32_t i;
	(void)ec_peers_search(p, key, &i);
	/* walk outwards both ways while inside the window */
	uint32_t up = 0;
	for (; up < p->len; up++) {
		uint64_t q = p->ids[(i + up) % p->len];
		if (!ec_range_contains(w, q))
			break;
		ec_err err = send_item(n, ctx, q, &it);
		if (err)
			return err;
	}
	for (uint32_t k = 1; k + up <= p->len; k++) {
		uint64_t q = p->ids[(i + p->len - k) % p->len];
		if (!ec_range_contains(w, q))
			break;
		ec_err err = send_item(n, ctx, q, &it);
		if (err)
			return err;
	}
	return EC_OK;
}

/* A node that knows the window covers it: the members need not pass it on. */
static ec_err
spread(ecp_node *n, const ec_ctx *ctx, const entry *e, uint32_t r, int8_t value, uint8_t poll)
{
	return spread_to(n, ctx, e, r, value, (uint8_t)(ECP_F_COVERED | poll));
}

/* ---- decisions -------------------------------------------------------- */

static void
emit(const ec_ctx *ctx, const ecp_node *n, ec_event ev, const ec_id *id, uint64_t arg)
{
	if (ctx->event)
		ctx->event(ctx->event_user, n->pos, ev, ec_id_pos(id), arg);
}

/* Whether e holds a yes of mine that could still count at its submitter:
 * the entry must stay (it keeps my vote exclusive) until the token moves
 * past the parent, after which no block with that parent can win. */
static bool
holds_yes(const ec_ctx *ctx, const entry *e)
{
	for (uint32_t r = 0; e->block && r < e->block->nparts; r++) {
		if (!(RF(e)[r] & RF_YES))
			continue;
		ec_id cur = {{0, 0, 0, 0}};
		uint64_t t;
		(void)ecp_store(&ctx->store)->xtoken_get(ctx->store.impl, &e->block->parts[r].token, &cur, &t);
		if (ec_id_eq(&cur, &e->block->parts[r].parent))
			return true;
	}
	return false;
}

/* The undecided block that already has my yes vote for the same token and
 * parent, if any (votes for conflicting blocks are exclusive); *role is
 * its part.  A block I blocked myself still counts: only its submitter
 * decides, and my yes stands there until it acknowledges a withdrawal. */
static entry *
yes_elsewhere(ecp_node *n, const entry *self, const ecp_part *part, uint32_t *role)
{
	for (uint32_t i = 0; i < n->npool; i++) {
		entry *e = &n->pool[i];
		if (e == self || !e->block || e->state == ST_COMMITTED)
			continue;
		for (uint32_t r = 0; r < e->block->nparts; r++)
			if ((RF(e)[r] & RF_YES) && ec_id_eq(&e->block->parts[r].token, &part->token) &&
			    ec_id_eq(&e->block->parts[r].parent, &part->parent)) {
				*role = r;
				return e;
			}
	}
	return NULL;
}

enum { WAIT_NONE, WAIT_FETCH, WAIT_WITHDRAW };

/* Takes my yes back from the lower block `low` so that I may vote for a
 * higher conflicting one: at once if the block is mine, else by asking its
 * submitter, whose acknowledgement (or certificate, if it already
 * committed) settles it.  Only the submitter commits, so a yes it has
 * dropped can never be part of a commit. */
static ec_err
withdraw(ecp_node *n, const ec_ctx *ctx, entry *low, uint32_t r)
{
	if (low->mine || !low->origin) {
		RF(low)[r] &= (uint8_t)~RF_YES;
		return add_vote(ctx, low, n->pos, role_code(low->block, r), -1,
		                (uint32_t)(2 * n->now + 1));
	}
	if ((RF(low)[r] & RF_WDRAW) && n->now < low->wd_at)
		return EC_OK;
	if (!(RF(low)[r] & RF_WDRAW)) {
		/* from now on whatever I say about the lower block is a no (a
		 * re-poll must not repeat the yes with a later stamp); my yes
		 * stays reserved until the submitter acknowledges */
		ec_err err = add_vote(ctx, low, n->pos, role_code(low->block, r), -1,
		                      (uint32_t)(2 * n->now + 1));
		if (err)
			return err;
	}
	RF(low)[r] |= RF_WDRAW;
	low->wd_at = n->now + n->cfg.fetch_cooldown;
	ecp_item it = {.kind = ECP_WITHDRAW, .role = role_code(low->block, r), .block_id = low->id};
	return send_item(n, ctx, low->origin, &it);
}

static void
reject(const ec_ctx *ctx, const ecp_node *n, const entry *e, ec_verdict v)
{
	if (ctx->event)
		ctx->event(ctx->event_user, n->pos, EC_EV_REJECT, ec_id_pos(&e->id), (uint64_t)v);
}

/* Whether part r of e passes the lifecycle rules against the token's
 * current block, which the caller found to be the part's parent.  The
 * verdict of a pass is kept; a failure is reported as evidence. */
static bool
check_part(const ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t r)
{
	if (RF(e)[r] & RF_CHECKED)
		return true;
	const ecp_part *part = &e->block->parts[r];
	const ecp_block *parent = NULL;
	if (!ec_id_is_zero(&part->parent))
		(void)ecp_store(&ctx->store)->xblock_get(ctx->store.impl, &part->parent, &parent, NULL);
	ec_verdict v = EC_REJECT_BAD_SIG; /* no scheme: nothing signed passes */
	if (ctx->sig || ec_id_is_zero(&part->parent))
		v = ecp_part_check_memo(ctx->sig, e->block, r, parent,
		                        ctx->memo ? ctx->memo(ctx->memo_user, e->block) : NULL);
	if (v != EC_ACCEPT) {
		reject(ctx, n, e, v);
		return false;
	}
	RF(e)[r] |= RF_CHECKED;
	return true;
}

/* My vote on a token role: +1, -1, or 0 while waiting (*why says for
 * what: a parent fetch or a withdrawal). */
static int8_t
judge(ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t r, int *why, ec_err *err)
{
	*why = WAIT_NONE;
	*err = EC_OK;
	if (r == e->block->nparts)
		return 1; /* witness: the block is well formed */
	const ecp_part *part = &e->block->parts[r];
	if (e->state == ST_BLOCKED)
		return -1;
	ec_id cur = {{0, 0, 0, 0}};
	uint64_t t;
	(void)ecp_store(&ctx->store)->xtoken_get(ctx->store.impl, &part->token, &cur, &t);
	/* a part that breaks the lifecycle gets a no before it can touch the
	 * votes of a legitimate contender (exclusive yes votes) */
	if (ec_id_eq(&cur, &part->parent) && !check_part(n, ctx, e, r))
		return -1;
	uint32_t lr;
	entry *other = yes_elsewhere(n, e, part, &lr);
	if (other) {
		if (ec_id_cmp(&other->id, &e->id) > 0)
			return -1; /* I back the higher block already */
		*err = withdraw(n, ctx, other, lr);
		if (*err || (RF(other)[lr] & RF_YES)) {
			*why = WAIT_WITHDRAW;
			return 0;
		}
	}
	if (ec_id_eq(&cur, &part->parent))
		return 1;
	if (!ec_id_is_zero(&part->parent) &&
	    !ecp_store(&ctx->store)->xblock_get(ctx->store.impl, &part->parent, NULL, NULL) &&
	    e->fetch_tries < 4 && e->fetch_peer) {
		*why = WAIT_FETCH; /* I may have missed the parent's commit: fetch it */
		return 0;
	}
	reject(ctx, n, e, EC_REJECT_STALE);
	return -1;
}

static ec_err commit(ecp_node *n, const ec_ctx *ctx, entry *e, const ecp_cert *given);
static ec_err block_entry(ecp_node *n, const ec_ctx *ctx, entry *e, uint16_t role);

enum { DEC_OPEN, DEC_COMMIT, DEC_BLOCK };

/* The decision a set of votes supports in my windows of half-width
 * `width`: every token role needs a net balance above the threshold and a
 * quorum of yes votes, the witness more yes votes than the threshold; a
 * token role with a quorum of no votes, or a net balance below minus the
 * threshold, blocks.  *role is the blocking role. */
static int
decide(const ecp_node *n, const entry *e, const ecp_vote *votes, uint32_t nvotes, uint32_t width,
       uint16_t *role)
{
	const ecp_block *b = e->block;
	const int64_t thr = n->cfg.threshold, q = quorum(n);
	/* one pass over the votes counts every role (role r's window, r in
	 * 0..nparts; the witness is r = nparts); then the roles are judged in
	 * order, as a pass per role would */
	ec_range wide[ECP_MAX_PARTS + 1];
	const ec_range *win = e->win;
	if (width != n->cfg.window) {
		for (uint32_t r = 0; r <= b->nparts; r++)
			wide[r] = ecp_window(&n->peers, n->pos, role_key(b, r), width);
		win = wide;
	}
	uint32_t yes_of[ECP_MAX_PARTS + 1], no_of[ECP_MAX_PARTS + 1];
	memset(yes_of, 0, (b->nparts + 1) * sizeof *yes_of);
	memset(no_of, 0, (b->nparts + 1) * sizeof *no_of);
	for (uint32_t v = 0; v < nvotes; v++) {
		uint32_t r = votes[v].role == ECP_ROLE_WITNESS ? b->nparts : votes[v].role;
		if (r > b->nparts || (r == b->nparts && votes[v].role != ECP_ROLE_WITNESS))
			continue; /* no role of this block */
		if (ec_range_contains(win[r], votes[v].voter)) {
			if (votes[v].value > 0)
				yes_of[r]++;
			else
				no_of[r]++;
		}
	}
	bool all = true;
	for (uint32_t r = 0; r <= b->nparts; r++) {
		uint16_t code = role_code(b, r);
		int64_t yes = yes_of[r], no = no_of[r];
		if (r == b->nparts) {
			all = all && yes > thr;
			continue;
		}
		if (no - yes > thr || no >= q) {
			*role = code;
			return DEC_BLOCK;
		}
		all = all && yes - no > thr && yes >= q;
	}
	return all ? DEC_COMMIT : DEC_OPEN;
}

/* Recounts the votes I heard and commits or blocks. */
static ec_err
tally_w(ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t width)
{
	e->dirty = 0;
	if (e->state != ST_PENDING || !e->block)
		return EC_OK;
	uint16_t role = 0;
	switch (decide(n, e, e->votes, e->nvotes, width, &role)) {
	case DEC_COMMIT:
		/* Only a submitter commits on votes: withdrawals reach it, not
		 * the members, so a member counting the votes it overheard could
		 * still count a yes its voter has taken back.  Members commit on
		 * the submitter's certificate (on_commit). */
		if (!e->mine)
			return EC_OK;
		if (n->cfg.grace) {
			if (!e->ready_at) {
				e->ready_at = n->now + n->cfg.grace;
				return EC_OK;
			}
			if (n->now < e->ready_at)
				return EC_OK;
		}
		return commit(n, ctx, e, NULL);
	case DEC_BLOCK: return block_entry(n, ctx, e, role);
	default:
		e->ready_at = 0; /* a withdrawal undid the decision */
		return EC_OK;
	}
}

static ec_err
tally(ecp_node *n, const ec_ctx *ctx, entry *e)
{
	return tally_w(n, ctx, e, n->cfg.window);
}

static ec_err
push_all(ecp_node *n, const ec_ctx *ctx, entry *e, uint16_t role)
{
	for (uint32_t i = 0; i < e->ni; i++) {
		ec_err err = send_terminal(n, ctx, e, e->interest[i], role);
		if (err)
			return err;
	}
	return EC_OK;
}

static ec_err
block_entry(ecp_node *n, const ec_ctx *ctx, entry *e, uint16_t role)
{
	e->state = ST_BLOCKED;
	e->done_at = n->now;
	emit(ctx, n, EC_EV_VOTE_BLOCKED, &e->id, role);
	if (!e->mine && e->origin) { /* the submitter learns it lost */
		ec_err err = send_terminal(n, ctx, e, e->origin, role);
		if (err)
			return err;
	}
	return push_all(n, ctx, e, role);
}

/* Members that never voted probably missed the block; without the commit
 * their token mapping goes stale and they would vote no on the next
 * transfer.  The certificate's first voter of each token role (in ring
 * order from the key) hands it to the fellow members it does not name. */
static ec_err
repair(ecp_node *n, const ec_ctx *ctx, const entry *e, const ecp_cert *cert)
{
	const ecp_block *b = e->block;
	for (uint32_t r = 0; r < b->nparts; r++) {
		uint64_t key = role_key(b, r);
		if (!knows_window(n, e->win[r]) || !ec_range_contains(e->win[r], n->pos))
			continue;
		uint64_t first = 0, best = UINT64_MAX;
		for (uint32_t v = 0; v < cert->n; v++)
			if (cert->v[v].role == r && cert->v[v].voter - key < best) {
				best = cert->v[v].voter - key;
				first = cert->v[v].voter;
			}
		if (first != n->pos)
			continue;
		ec_range w = e->win[r];
		ecp_item it = {.kind = ECP_COMMIT, .block_id = b->id, .block = b, .cert = cert};
		for (uint32_t k = 0; k < n->peers.len; k++) {
			uint64_t q = n->peers.ids[k];
			if (!ec_range_contains(w, q))
				continue;
			bool named = false;
			for (uint32_t v = 0; v < cert->n && !named; v++)
				named = cert->v[v].voter == q;
			ec_err err = named ? EC_OK : send_item(n, ctx, q, &it);
			if (err)
				return err;
		}
	}
	return EC_OK;
}

/* A certificate of every vote that counted in one of my windows. */
static ec_err
make_cert(const ec_ctx *ctx, const entry *e, const ecp_cert **out)
{
	const ecp_block *b = e->block;
	size_t bytes = sizeof(ecp_cert) + (size_t)e->nvotes * sizeof(ecp_vote);
	ecp_cert *tmp = ctx->realloc_fn(ctx->alloc_user, NULL, 0, bytes);
	if (!tmp)
		return EC_ENOMEM;
	tmp->n = 0;
	for (uint32_t r = 0; r < e->nroles; r++) {
		ec_range w = e->win[r];
		uint16_t code = role_code(b, r);
		for (uint32_t v = 0; v < e->nvotes; v++)
			if (e->votes[v].role == code && ec_range_contains(w, e->votes[v].voter))
				tmp->v[tmp->n++] = e->votes[v];
	}
	ec_wire_cert_sort(tmp); /* the canonical order, so it can be encoded */
	*out = ctx->intern(ctx->intern_user, tmp, sizeof(ecp_cert) + tmp->n * sizeof(ecp_vote));
	ctx->realloc_fn(ctx->alloc_user, tmp, bytes, 0);
	return *out ? EC_OK : EC_ENOMEM;
}

/* Commits e, with the certificate that convinced me or (NULL) one made of
 * the votes that counted in my windows. */
static ec_err
commit(ecp_node *n, const ec_ctx *ctx, entry *e, const ecp_cert *given)
{
	const ecp_block *b = e->block;
	ec_err err;
	const ecp_cert *cert = given;
	if (!cert && (err = make_cert(ctx, e, &cert)))
		return err;
	if ((err = ecp_store(&ctx->store)->xblock_put(ctx->store.impl, b, cert)))
		return err;
	for (uint32_t r = 0; r < b->nparts; r++) {
		const ecp_part *part = &b->parts[r];
		if (!ec_range_contains(e->win[r], n->pos))
			continue;
		ec_id cur;
		uint64_t t;
		if (ecp_store(&ctx->store)->xtoken_get(ctx->store.impl, &part->token, &cur, &t) &&
		    t >= b->time)
			continue; /* never move a mapping backwards */
		if ((err = ecp_store(&ctx->store)->xtoken_put(ctx->store.impl, &part->token, &b->id, b->time)))
			return err;
		emit(ctx, n, EC_EV_TOKEN_WRITE, &b->id, 0);
	}
	e->state = ST_COMMITTED;
	e->done_at = n->now;
	if (b->time <= n->now && n->now - b->time < 1000) {
		int64_t sample = (int64_t)(n->now - b->time) * 16;
		n->lat16 = (uint32_t)((int64_t)n->lat16 + (sample - (int64_t)n->lat16) / 8);
	}
	emit(ctx, n, EC_EV_COMMIT, &b->id, 0);
	if ((err = repair(n, ctx, e, cert)))
		return err;
	/* the losers of a conflict are blocked, and whoever asked is told */
	for (uint32_t i = 0; i < n->npool; i++) {
		entry *o = &n->pool[i];
		if (o == e || o->state != ST_PENDING || !o->block)
			continue;
		for (uint32_t r = 0; r < o->block->nparts; r++) {
			bool clash = false;
			for (uint32_t s = 0; s < b->nparts && !clash; s++)
				clash = ec_id_eq(&o->block->parts[r].token, &b->parts[s].token) &&
				        ec_id_eq(&o->block->parts[r].parent, &b->parts[s].parent);
			if (clash) {
				if ((err = block_entry(n, ctx, o, (uint16_t)r)))
					return err;
				break;
			}
		}
	}
	return push_all(n, ctx, e, 0);
}

/* Casts my vote on role r of e (a member), passes the block on if I was
 * its first member on this path, and tells the origin. */
static ec_err
vote(ecp_node *n, const ec_ctx *ctx, entry *e, uint32_t r)
{
	int why;
	ec_err err;
	int8_t v = judge(n, ctx, e, r, &why, &err);
	if (err)
		return err;
	if ((RF(e)[r] & RF_SPREAD) && v == 0) {
		/* the window must not wait for my parent fetch */
		RF(e)[r] &= (uint8_t)~RF_SPREAD;
		e->spread_at = n->now;
		if ((err = spread(n, ctx, e, r, 0, 0)))
			return err;
	}
	if (v == 0) {
		RF(e)[r] |= RF_WAIT;
		if (why == WAIT_FETCH && n->now >= e->fetch_at) {
			/* first the yes voter that sent the block, then the fellow
			 * members nearest the token, one per attempt */
			uint64_t to = e->fetch_peer;
			if (e->fetch_tries > 0) {
				uint64_t key = role_key(e->block, r);
				ec_range w = e->win[r];
				uint32_t i, seen = 0;
				(void)ec_peers_search(&n->peers, key, &i);
				for (uint32_t k = 0; k < n->peers.len; k++) {
					uint64_t q = n->peers.ids[(i + k) % n->peers.len];
					if (!ec_range_contains(w, q))
						break;
					if (++seen == e->fetch_tries)
						to = q;
				}
			}
			ecp_item it = {.kind = ECP_FETCH, .block_id = e->block->parts[r].parent};
			e->fetch_at = n->now + n->cfg.fetch_cooldown;
			e->fetch_tries++;
			emit(ctx, n, EC_EV_PARENT_COMMIT_REQ, &e->id, r);
			return send_item(n, ctx, to, &it);
		}
		return EC_OK;
	}
	uint16_t code = role_code(e->block, r);
	RF(e)[r] = (uint8_t)((RF(e)[r] & ~(RF_WANT | RF_WAIT)) | RF_VOTED | (v > 0 ? RF_YES : 0));
	emit(ctx, n, r == e->block->nparts ? EC_EV_VOTE_REQ_WITNESS : EC_EV_VOTE_REQ_TOKEN, &e->id,
	     (uint64_t)(v > 0));
	if ((err = add_vote(ctx, e, n->pos, code, v, (uint32_t)(2 * n->now))))
		return err;
	if (RF(e)[r] & RF_SPREAD) {
		RF(e)[r] &= (uint8_t)~RF_SPREAD;
		e->spread_at = n->now;
		if ((err = spread(n, ctx, e, r, v, 0)))
			return err;
	}
	if (e->origin && e->origin != n->pos) {
		ecp_item it = {.kind = ECP_VOTE, .value = v, .role = code, .block_id = e->id};
		if ((err = send_item(n, ctx, e->origin, &it)))
			return err;
	}
	return EC_OK;
}

/* ---- message handling ------------------------------------------------- */

static ec_err
on_block(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	entry *e;
	ec_err err;
	if (!it->block || !ec_id_eq(&it->block->id, &it->block_id))
		return EC_OK;
	if (!find(n, &it->block_id) &&
	    ecp_store(&ctx->store)->xblock_get(ctx->store.impl, &it->block_id, NULL, NULL))
		/* decided and forgotten: the store answers a re-poll (the other
		 * copies, fellows' votes and late first-wave copies, ask nothing) */
		return it->flags & ECP_F_POLL ? send_stored(n, ctx, from, &it->block_id, NULL) : EC_OK;
	if ((err = entry_get(n, ctx, &it->block_id, &e)) ||
	    (err = entry_set_block(n, ctx, e, it->block)))
		return err;
	if (!e->block)
		return EC_OK;
	if (!e->origin)
		e->origin = it->origin;
	uint32_t r = role_index(e->block, it->role);
	if (r >= e->nroles)
		return EC_OK;
	uint64_t key = role_key(e->block, r);
	ec_range w = e->win[r];
	bool fellow = ec_range_contains(w, from);
	if (it->value && fellow) {
		if ((err = add_vote(ctx, e, from, it->role, it->value > 0 ? 1 : -1, n->stamp)))
			return err;
		if (it->value > 0 && r < e->block->nparts)
			e->fetch_peer = from; /* a yes voter knows the parent */
	}
	if (!e->fetch_peer)
		e->fetch_peer = from;
	if (e->state != ST_PENDING) {
		/* only a re-poll asks: not a fellow passing its vote on, nor a
		 * late copy of the first wave */
		return it->flags & ECP_F_POLL ? send_terminal(n, ctx, e, from, it->role) : EC_OK;
	}
	if (ec_range_contains(w, n->pos)) { /* a member */
		if (!(RF(e)[r] & RF_VOTED)) {
			RF(e)[r] |= RF_WANT;
			if (!fellow && !(it->flags & ECP_F_COVERED))
				RF(e)[r] |= RF_SPREAD;
		} else if (!fellow && (it->flags & ECP_F_POLL)) {
			/* a re-poll: my vote may have been lost; the window may
			 * have missed the block.  (Later copies of the first wave,
			 * from its parallel paths, are not: answering them cost
			 * half of all BLOCK messages.) */
			ecp_item v = {.kind = ECP_VOTE, .role = it->role, .block_id = e->id};
			for (uint32_t k = 0; k < e->nvotes; k++)
				if (e->votes[k].voter == n->pos && e->votes[k].role == it->role)
					v.value = e->votes[k].value;
			if (v.value && e->origin && (err = send_item(n, ctx, e->origin, &v)))
				return err;
			if (n->now >= e->spread_at + n->cfg.poll_first) {
				e->spread_at = n->now;
				if ((err = spread(n, ctx, e, r, v.value, 0)))
					return err;
			}
		}
		return EC_OK;
	}
	/* a relay: forward towards the key, once per poll period */
	if (it->hops >= n->cfg.max_hops)
		return EC_OK;
	if ((RF(e)[r] & RF_ROUTED) && n->now < e->routed_at + n->cfg.poll_first)
		return EC_OK;
	RF(e)[r] |= RF_ROUTED;
	e->routed_at = n->now;
	emit(ctx, n, EC_EV_QUERY_FORWARDED, &e->id, r);
	return route(n, ctx, e, r, (uint16_t)(it->hops + 1), ring_dist(n->pos, key), 0,
	             (uint8_t)(it->flags & ECP_F_POLL));
}

static ec_err
on_vote(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	entry *e = find(n, &it->block_id);
	if (!e) /* a block I decided and forgot: the store answers; else ignore */
		return send_stored(n, ctx, from, &it->block_id, NULL);
	if (e->state != ST_PENDING)
		return send_terminal(n, ctx, e, from, it->role);
	/* token voters are told the outcome; witnesses store nothing */
	ec_err err = it->role == ECP_ROLE_WITNESS ? EC_OK : add_interest(ctx, e, from);
	if (!err)
		err = add_vote(ctx, e, from, it->role, it->value > 0 ? 1 : -1, n->stamp);
	emit(ctx, n, EC_EV_VOTE_TRUSTED, &e->id, 0);
	return err;
}

static ec_err
on_commit(ecp_node *n, const ec_ctx *ctx, const ecp_item *it)
{
	if (!it->block || !it->cert || !ec_id_eq(&it->block->id, &it->block_id))
		return EC_OK;
	entry *e = find(n, &it->block_id);
	ec_err err;
	if (!e) {
		if (ecp_store(&ctx->store)->xblock_get(ctx->store.impl, &it->block_id, NULL, NULL))
			return EC_OK;
		/* an answer to a parent fetch, or a push for a forgotten entry */
		if ((err = entry_get(n, ctx, &it->block_id, &e)))
			return err;
	}
	if (e->state == ST_COMMITTED)
		return EC_OK;
	if ((err = entry_set_block(n, ctx, e, it->block)))
		return err;
	/* The certificate is judged on its own votes, not mixed with what I
	 * heard since (my own later withdrawal must not undo the submitter's
	 * decision), against windows twice as wide: a member's view of its
	 * neighbourhood can be narrower than the submitter's (dense graphs that
	 * miss some ring neighbours), while only members in their own view
	 * vote at all.  A certificate outranks a local block. */
	uint16_t role;
	if (!e->block || decide(n, e, it->cert->v, it->cert->n, 2 * n->cfg.window, &role) != DEC_COMMIT)
		return EC_OK;
	/* votes are not proof of a valid transfer: where I hold the parent,
	 * I check the part myself and refuse a certificate for a bad one */
	for (uint32_t r = 0; r < e->block->nparts; r++) {
		const ecp_part *part = &e->block->parts[r];
		ec_id cur = {{0, 0, 0, 0}};
		uint64_t t;
		if (!ec_range_contains(e->win[r], n->pos))
			continue;
		(void)ecp_store(&ctx->store)->xtoken_get(ctx->store.impl, &part->token, &cur, &t);
		if (ec_id_eq(&cur, &part->parent) && !check_part(n, ctx, e, r))
			return EC_OK;
	}
	e->state = ST_PENDING;
	return commit(n, ctx, e, it->cert);
}

static ec_err
on_blocked(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	entry *e = find(n, &it->block_id);
	if (!e || e->state != ST_PENDING)
		return EC_OK;
	return add_vote(ctx, e, from, it->role, -1, n->stamp + 1);
}

static ec_err
on_poll(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	entry *e = find(n, &it->block_id);
	if (!e)
		return send_stored(n, ctx, from, &it->block_id, NULL);
	if (e->state != ST_PENDING)
		return send_terminal(n, ctx, e, from, it->role);
	return add_interest(ctx, e, from);
}

static ec_err
on_withdraw(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	entry *e = find(n, &it->block_id);
	ecp_item ack = {.kind = ECP_WITHDRAWN, .role = it->role, .block_id = it->block_id};
	if (!e) {
		bool found;
		ec_err err = send_stored(n, ctx, from, &it->block_id, &found);
		/* not committed here and not pending: nothing here can count it */
		return err || found ? err : send_item(n, ctx, from, &ack);
	}
	if (e->state == ST_COMMITTED)
		return send_terminal(n, ctx, e, from, it->role);
	if (e->state == ST_PENDING) {
		ec_err err = add_vote(ctx, e, from, it->role, -1, n->stamp + 1);
		if (err)
			return err;
	}
	return send_item(n, ctx, from, &ack);
}

static ec_err
on_withdrawn(ecp_node *n, const ec_ctx *ctx, const ecp_item *it)
{
	entry *e = find(n, &it->block_id);
	if (!e || !e->block)
		return EC_OK;
	uint32_t r = role_index(e->block, it->role);
	if (r >= e->block->nparts)
		return EC_OK;
	RF(e)[r] &= (uint8_t)~(RF_YES | RF_WDRAW);
	/* my own record changes too, or a re-poll would repeat the old yes */
	return add_vote(ctx, e, n->pos, it->role, -1, (uint32_t)(2 * n->now + 1));
}

static ec_err
on_fetch(ecp_node *n, const ec_ctx *ctx, uint64_t from, const ecp_item *it)
{
	return send_stored(n, ctx, from, &it->block_id, NULL);
}

static ec_err
ec_handle(void *node, const ec_ctx *ctx, const ec_msg *msg)
{
	ecp_node *n = node;
	if (msg->type != EC_MSG_ENVELOPE || !msg->u.env.items)
		return EC_OK; /* not ours: ignored, never an error */
	n->stamp = (uint32_t)(2 * msg->time);
	for (uint32_t i = 0; i < msg->u.env.n; i++) {
		const ecp_item *it = &msg->u.env.items[i];
		ec_err err = EC_OK;
		switch (it->kind) {
		case ECP_BLOCK: err = on_block(n, ctx, msg->sender, it); break;
		case ECP_VOTE: err = on_vote(n, ctx, msg->sender, it); break;
		case ECP_COMMIT: err = on_commit(n, ctx, it); break;
		case ECP_BLOCKED: err = on_blocked(n, ctx, msg->sender, it); break;
		case ECP_POLL: err = on_poll(n, ctx, msg->sender, it); break;
		case ECP_FETCH: err = on_fetch(n, ctx, msg->sender, it); break;
		case ECP_WITHDRAW: err = on_withdraw(n, ctx, msg->sender, it); break;
		case ECP_WITHDRAWN: err = on_withdrawn(n, ctx, it); break;
		default: break; /* unknown kinds from a peer are dropped */
		}
		if (err)
			return err;
	}
	return EC_OK;
}

/* ---- the tick --------------------------------------------------------- */

/* Everything queued for the same receiver leaves as one envelope, in the
 * order it was queued (a stable sort by receiver, of indexes: outboxes are
 * short, their items are not).  A lone item is sent in place. */
static ec_err
flush(ecp_node *n, const ec_ctx *ctx)
{
	if (n->nout == 0)
		return EC_OK;
	ec_err err = EC_OK;
	const uint32_t nout = n->nout;
	uint32_t idx_stack[64];
	ecp_item env_stack[16];
	uint32_t *idx = idx_stack;
	ecp_item *env = env_stack;
	uint32_t envcap = 16;
	if (nout > 64 && !(idx = ctx->realloc_fn(ctx->alloc_user, NULL, 0, nout * sizeof *idx)))
		return EC_ENOMEM;
	for (uint32_t i = 0; i < nout; i++) {
		uint32_t j = i;
		uint64_t to = n->out[i].to;
		while (j > 0 && n->out[idx[j - 1]].to > to) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	for (uint32_t i = 0; i < nout;) {
		uint64_t to = n->out[idx[i]].to;
		uint32_t j = i + 1;
		while (n->cfg.batch && j < nout && n->out[idx[j]].to == to)
			j++;
		uint32_t k = j - i;
		ec_msg m = {.sender = n->pos, .receiver = to, .time = n->now, .type = EC_MSG_ENVELOPE};
		if (k == 1) {
			m.u.env.items = &n->out[idx[i]].item;
		} else {
			if (k > envcap) {
				ecp_item *e = ctx->realloc_fn(ctx->alloc_user, env == env_stack ? NULL : env,
				                              env == env_stack ? 0 : envcap * sizeof *env,
				                              k * sizeof *env);
				if (!e) {
					err = EC_ENOMEM;
					break;
				}
				env = e;
				envcap = k;
			}
			for (uint32_t x = 0; x < k; x++)
				env[x] = n->out[idx[i + x]].item;
			m.u.env.items = env;
		}
		m.u.env.n = k;
		if ((err = ctx->send(ctx->send_user, &m)))
			break;
		i = j;
	}
	if (env != env_stack)
		ctx->realloc_fn(ctx->alloc_user, env, envcap * sizeof *env, 0);
	if (idx != idx_stack)
		ctx->realloc_fn(ctx->alloc_user, idx, nout * sizeof *idx, 0);
	if (err)
		return err;
	/* the outbox lives only from the first send to the end of the tick:
	 * a million mostly quiet nodes must not each keep their busiest
	 * round's buffers */
	ctx->realloc_fn(ctx->alloc_user, n->out, n->outcap * sizeof *n->out, 0);
	n->out = NULL;
	n->outcap = n->nout = 0;
	return EC_OK;
}

static ec_err
poll_entry(ecp_node *n, const ec_ctx *ctx, entry *e)
{
	ec_err err;
	uint32_t attempt = 0;
	for (uint32_t g = n->cfg.poll_first; g < e->poll_gap; g *= 2)
		attempt++;
	e->next_poll = n->now + e->poll_gap;
	e->poll_gap = e->poll_gap * 2 > n->cfg.poll_max ? n->cfg.poll_max : e->poll_gap * 2;
	if (e->mine) {
		/* re-send the first wave for the roles not yet decided here */
		for (uint32_t r = 0; r < e->nroles; r++) {
			ec_range w = e->win[r];
			uint16_t code = role_code(e->block, r);
			uint32_t yes = 0;
			for (uint32_t v = 0; v < e->nvotes; v++)
				yes += e->votes[v].role == code && e->votes[v].value > 0 &&
				       ec_range_contains(w, e->votes[v].voter);
			if (yes > n->cfg.threshold && (r == e->block->nparts || yes >= quorum(n)))
				continue;
			if (ec_range_contains(w, n->pos)) {
				if ((err = spread(n, ctx, e, r, 0, ECP_F_POLL)))
					return err;
				continue;
			}
			/* members whose votes reached me have the block: one hop to
			 * them (each answers again and passes the block to its
			 * window) instead of routing through the graph; other voters
			 * on later attempts */
			ecp_item it = {.kind = ECP_BLOCK, .role = code, .flags = ECP_F_POLL,
			               .origin = e->origin, .block_id = e->id, .block = e->block};
			uint64_t to[16]; /* fanout <= 16 */
			uint32_t sent = 0, seen = 0;
			for (uint32_t v = e->nvotes; v-- > 0 && sent < n->cfg.fanout;) {
				uint64_t q = e->votes[v].voter;
				bool again = false; /* a voter may have voted twice */
				for (uint32_t k = 0; k < sent && !again; k++)
					again = to[k] == q;
				if (e->votes[v].role != code || again || q == n->pos ||
				    !ec_range_contains(w, q) || seen++ < attempt * n->cfg.fanout)
					continue;
				if ((err = send_item(n, ctx, q, &it)))
					return err;
				to[sent++] = q;
			}
			if (sent == 0 &&
			    (err = route(n, ctx, e, r, 0, UINT64_MAX, attempt % 2, ECP_F_POLL)))
				return err;
		}
		return EC_OK;
	}
	/* a token member that voted asks the origin for the outcome */
	bool voted = false;
	for (uint32_t r = 0; r < e->block->nparts && !voted; r++)
		voted = (RF(e)[r] & RF_VOTED) != 0;
	if (voted && e->origin) {
		ecp_item it = {.kind = ECP_POLL, .block_id = e->id};
		return send_item(n, ctx, e->origin, &it);
	}
	return EC_OK;
}

static int
cmp_entry_desc(const void *a, const void *b)
{
	return -ec_id_cmp(&(*(entry *const *)a)->id, &(*(entry *const *)b)->id);
}

static ec_err
ec_tick(void *node, const ec_ctx *ctx)
{
	ecp_node *n = node;
	ec_err err;
	n->now++;
	/* certificates and votes that arrived this round */
	for (uint32_t i = 0; i < n->npool; i++)
		if ((n->pool[i].dirty || (n->pool[i].ready_at && n->now >= n->pool[i].ready_at)) &&
		    (err = tally(n, ctx, &n->pool[i])))
			return err;
	/* votes, highest block id first */
	entry *want[64];
	uint32_t nwant;
	do {
		nwant = 0;
		for (uint32_t i = 0; i < n->npool && nwant < 64; i++) {
			entry *e = &n->pool[i];
			if (e->state != ST_PENDING || !e->block)
				continue;
			for (uint32_t r = 0; r < e->nroles; r++)
				if (RF(e)[r] & (RF_WANT | RF_WAIT)) {
					want[nwant++] = e;
					break;
				}
		}
		if (nwant > 1)
			qsort(want, nwant, sizeof *want, cmp_entry_desc);
		uint32_t progressed = 0;
		for (uint32_t k = 0; k < nwant; k++) {
			entry *e = want[k];
			for (uint32_t r = 0; r < e->nroles; r++)
				if (RF(e)[r] & (RF_WANT | RF_WAIT)) {
					if ((err = vote(n, ctx, e, r)))
						return err;
					progressed += !(RF(e)[r] & (RF_WANT | RF_WAIT));
				}
		}
		if (progressed == 0)
			break;
	} while (nwant == 64);
	for (uint32_t i = 0; i < n->npool; i++) {
		entry *e = &n->pool[i];
		if (e->dirty && (err = tally(n, ctx, e)))
			return err;
		if (e->state == ST_PENDING && e->block && n->now >= e->next_poll &&
		    (err = poll_entry(n, ctx, e)))
			return err;
	}
	/* forget decided entries after a while, and other nodes' undecided
	 * ones once they expire (the origin keeps polling its own) */
	uint32_t k = 0;
	for (uint32_t i = 0; i < n->npool; i++) {
		entry *e = &n->pool[i];
		bool drop = e->state != ST_PENDING ? n->now >= e->done_at + n->cfg.linger
		                                   : !e->mine && n->now >= e->created + n->cfg.expiry;
		if (drop && e->state != ST_COMMITTED && holds_yes(ctx, e))
			drop = false;
		/* a relay's entry only stops it forwarding the same copy twice, and
		 * a witness keeps nothing once it has voted: both go soon */
		bool relay = !e->mine && e->state == ST_PENDING && e->nroles > 0;
		for (uint32_t r = 0; relay && r + 1 < e->nroles; r++)
			relay = (RF(e)[r] & ~RF_ROUTED) == 0;
		if (relay && (RF(e)[e->nroles - 1] & ~(RF_ROUTED | RF_VOTED | RF_YES)) == 0 &&
		    n->now >= e->created + n->cfg.poll_first)
			drop = true;
		if (drop) {
			if (e->state == ST_PENDING)
				emit(ctx, n, EC_EV_EXPIRED, &e->id, 0);
			entry_free(ctx, e);
			continue;
		}
		if (k != i)
			n->pool[k] = *e;
		k++;
	}
	n->npool = k;
	if (k == 0 && n->pool) {
		ctx->realloc_fn(ctx->alloc_user, n->pool, n->poolcap * sizeof *n->pool, 0);
		n->pool = NULL;
		n->poolcap = 0;
	}
	return flush(n, ctx);
}

/* ---- the protocol table ----------------------------------------------- */

static ec_err
ec_node_init(void *node, ec_peer_id id, const void *config)
{
	ecp_node *n = node;
	memset(n, 0, sizeof *n);
	n->pos = id;
	if (config)
		n->cfg = *(const ecp_config *)config;
	else
		ecp_config_default(&n->cfg);
	if (ecp_config_check(&n->cfg))
		return EC_EINVAL;
	ec_peers_init(&n->peers);
	n->lat16 = 16 * n->cfg.poll_first;
	return EC_OK;
}

static void
ec_node_fini(void *node, const ec_ctx *ctx)
{
	ecp_node *n = node;
	for (uint32_t i = 0; i < n->npool; i++)
		entry_free(ctx, &n->pool[i]);
	if (n->pool)
		ctx->realloc_fn(ctx->alloc_user, n->pool, n->poolcap * sizeof *n->pool, 0);
	if (n->out)
		ctx->realloc_fn(ctx->alloc_user, n->out, n->outcap * sizeof *n->out, 0);
	ec_peers_fini(&n->peers, ctx);
	memset(n, 0, sizeof *n);
}

static ec_err
ec_set_peers(void *node, const ec_ctx *ctx, const uint64_t *sorted, size_t count)
{
	ecp_node *n = node;
	ec_err err = ec_peers_assign(&n->peers, ctx, sorted, count);
	if (err)
		return err;
	/* A node whose quarter of nearest peers on each side (at least a
	 * window's worth) sit at least 8 times denser than its peers on
	 * average takes them to be all the nodes there: its ring neighbours
	 * (small-world, core-tail).  A node of a dense random graph sees no
	 * such contrast and never assumes it knows a window. */
	uint32_t L = n->peers.len, c = L / 4 > n->cfg.window + 1 ? L / 4 : n->cfg.window + 1;
	n->near_dn = n->near_up = 0;
	if (L >= 2 * c) {
		uint32_t i;
		(void)ec_peers_search(&n->peers, n->pos, &i);
		uint64_t up = n->peers.ids[(i + c - 1) % L] - n->pos;
		uint64_t dn = n->pos - n->peers.ids[(i + L - c) % L];
		double near_gap = ((double)up + (double)dn) / (2.0 * c);
		double mean_gap = 18446744073709551616.0 / L;
		if (near_gap * 8 <= mean_gap) {
			n->near_up = up;
			n->near_dn = dn;
		}
	}
	return EC_OK;
}

static size_t
ec_peer_count(const void *node)
{
	return ((const ecp_node *)node)->peers.len;
}

static bool
ec_idle(const void *node)
{
	const ecp_node *n = node;
	return n->npool == 0 && n->nout == 0;
}

/* When the next tick has work, mirroring the conditions of ec_tick (which
 * compares after its n->now++: a condition "now >= t" falls due at the tick
 * that starts at clock t - 1).  Handles and submits change the pool, and
 * the driver asks again after every tick. */
static uint64_t
ec_wake_at(const void *node)
{
	const ecp_node *n = node;
	if (n->nout)
		return n->now;
	uint64_t at = UINT64_MAX; /* as a post-increment time */
	for (uint32_t i = 0; i < n->npool; i++) {
		const entry *e = &n->pool[i];
		if (e->dirty)
			return n->now;
		uint64_t t;
		if (e->state == ST_PENDING) {
			if (e->block) {
				for (uint32_t r = 0; r < e->nroles; r++)
					if (RF(e)[r] & (RF_WANT | RF_WAIT))
						return n->now;
				if (e->ready_at && e->ready_at < at)
					at = e->ready_at;
				if (e->next_poll < at)
					at = e->next_poll;
			}
			if (e->mine)
				continue;
			t = e->created + n->cfg.expiry;
			bool relay = e->nroles > 0;
			for (uint32_t r = 0; relay && r + 1 < e->nroles; r++)
				relay = (RF(e)[r] & ~RF_ROUTED) == 0;
			if (relay && (RF(e)[e->nroles - 1] & ~(RF_ROUTED | RF_VOTED | RF_YES)) == 0 &&
			    e->created + n->cfg.poll_first < t)
				t = e->created + n->cfg.poll_first;
		} else {
			t = e->done_at + n->cfg.linger;
		}
		/* a drop held back by my standing yes is retried every tick */
		if (t < at)
			at = t;
	}
	if (at == UINT64_MAX)
		return UINT64_MAX; /* an empty pool */
	return at <= n->now + 1 ? n->now : at - 1;
}

static void
ec_advance(void *node, uint64_t ticks)
{
	((ecp_node *)node)->now += ticks;
}

static uint64_t
ec_now(const void *node)
{
	return ((const ecp_node *)node)->now;
}

/* The memory a handle or tick reaches: stage 0, through the node itself,
 * the outbox, the pool (whose ids find() scans and whose fields tick()
 * reads) and the peer list (windows, routing); stage 1, through the
 * entries, their windows, votes, trails and block bodies, and the store's
 * slot for a block the message may bring. */
static void
ec_prefetch(const void *node, const ec_ctx *ctx, const ec_msg *msg, unsigned stage)
{
	const ecp_node *n = node;
	const uint32_t few = n->npool < 4 ? n->npool : 4;
	if (stage == 0) {
		if (n->out) /* where the next item goes, or what flush sorts */
			__builtin_prefetch(msg ? (const void *)(n->out + n->nout) : (const void *)n->out);
		if (n->pool) {
			const char *p = (const char *)n->pool;
			for (size_t off = 0; off < few * sizeof *n->pool; off += 64)
				__builtin_prefetch(p + off);
		} else if (!msg) {
			return; /* a tick with an empty pool only flushes */
		}
		const uint64_t *ids = n->peers.ids;
		for (uint32_t k = 0; k < n->peers.len; k += 8)
			__builtin_prefetch(ids + k);
		return;
	}
	for (uint32_t i = 0; i < few; i++) {
		const entry *e = &n->pool[i];
		if (e->win)
			__builtin_prefetch(e->win);
		if (e->votes)
			__builtin_prefetch(e->votes);
		if (e->interest)
			__builtin_prefetch(e->interest);
		if (e->block)
			__builtin_prefetch(e->block);
	}
	if (msg && msg->type == EC_MSG_ENVELOPE && msg->u.env.items && ecp_store(&ctx->store)->xblock_prefetch)
		for (uint32_t i = 0; i < msg->u.env.n; i++)
			if (msg->u.env.items[i].kind == ECP_BLOCK) {
				/* a node with no entry for the block asks its store first */
				ecp_store(&ctx->store)->xblock_prefetch(ctx->store.impl, &msg->u.env.items[i].block_id);
				break;
			}
}

void
ecp_block_from_txn(const ec_txn *t, ecp_block *out)
{
	out->time = t->time;
	out->nparts = t->used;
	for (uint32_t i = 0; i < t->used; i++) { /* in token order, as canonical */
		ecp_part p = {.token = ec_id_expand(t->parts[i].token),
		              .parent = ec_id_expand(t->parts[i].last),
		              .next_key = ec_id_expand(t->parts[i].key)};
		uint32_t j = i;
		for (; j > 0 && ec_id_cmp(&out->parts[j - 1].token, &p.token) > 0; j--)
			out->parts[j] = out->parts[j - 1];
		out->parts[j] = p;
	}
	ecp_block_id(out, &out->id);
}

static ec_err
ec_submit(void *node, const ec_ctx *ctx, const ec_txn *txn)
{
	ecp_node *n = node;
	if (txn->used < 1 || txn->used > ECP_MAX_PARTS || !ctx->intern)
		return EC_EINVAL;
	size_t size = ecp_block_size(txn->used);
	const ecp_block *b;
	if (txn->block) { /* a wallet's signed block */
		if (txn->block->nparts != txn->used)
			return EC_EINVAL;
		b = ctx->intern(ctx->intern_user, txn->block, size);
	} else {
		ecp_block *tmp = ctx->realloc_fn(ctx->alloc_user, NULL, 0, size);
		if (!tmp)
			return EC_ENOMEM;
		ecp_block_from_txn(txn, tmp);
		b = ctx->intern(ctx->intern_user, tmp, size);
		ctx->realloc_fn(ctx->alloc_user, tmp, size, 0);
	}
	if (!b)
		return EC_ENOMEM;
	entry *e;
	ec_err err;
	if ((err = entry_get(n, ctx, &b->id, &e)) || (err = entry_set_block(n, ctx, e, b)))
		return err;
	e->mine = 1;
	e->origin = n->pos;
	e->next_poll = n->now + first_poll(n);
	for (uint32_t r = 0; r < e->nroles; r++) {
		if (ec_range_contains(e->win[r], n->pos))
			RF(e)[r] |= RF_WANT | RF_SPREAD;
		else if ((err = route(n, ctx, e, r, 0, UINT64_MAX, 0, 0)))
			return err;
	}
	return EC_OK;
}

/* Block ids are content hashes: the 64-bit handle alone cannot name one,
 * so the driver passes the full id. */
static bool
ec_committed(const void *node, const ec_ctx *ctx, ec_block_id id, const ec_id *full)
{
	(void)node;
	(void)id;
	return full && ecp_store(&ctx->store)->xblock_get(ctx->store.impl, full, NULL, NULL);
}

uint64_t
ecp_item_wire_size(const ecp_item *it)
{
	return ec_wire_item_size(it); /* the canonical encoding's exact length */
}

const ec_protocol ec_protocol_ec = {
	.name = "ec",
	.config = &ecp_config_ops,
	.store_api = ECP_STORE_API,
	.msg = &ecp_msg_ops,
	.workload = &ecp_workload_ops,
	.node_size = sizeof(ecp_node),
	.max_block_tokens = ECP_MAX_PARTS,
	.node_init = ec_node_init,
	.node_fini = ec_node_fini,
	.set_peers = ec_set_peers,
	.peer_count = ec_peer_count,
	.idle = ec_idle,
	.wake_at = ec_wake_at,
	.advance = ec_advance,
	.now = ec_now,
	.submit = ec_submit,
	.committed = ec_committed,
	.handle = ec_handle,
	.tick = ec_tick,
	.prefetch = ec_prefetch,
};
