/* SPDX-License-Identifier: MIT */
/*
 * The commands that only ask the node: status, peers, token, block, watch
 * and stop.  With --json each prints the node's result object as it came;
 * without, readable lines.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "blocks.h"
#include "ecctl.h"

/* A plain query: the result as JSON, or flattened. */
static int
query(ecctl_session *s, const char *method)
{
	json_t *res;
	int rc = ecctl_call_or_report(s, method, NULL, &res);
	if (rc)
		return rc;
	if (s->o->json)
		ecctl_print_json(res);
	else
		ecctl_print_flat(res);
	json_decref(res);
	return ecctl_finish_output();
}

int
ecctl_cmd_status(ecctl_session *s)
{
	return query(s, "status");
}

int
ecctl_cmd_peers(ecctl_session *s)
{
	json_t *res;
	int rc = ecctl_call_or_report(s, "peers", NULL, &res);
	if (rc)
		return rc;
	const json_t *peers = json_object_get(res, "peers");
	if (s->o->json) {
		ecctl_print_json(res);
	} else if (!json_is_array(peers)) {
		ecctl_print_flat(res);
	} else {
		size_t i;
		const json_t *p;
		if (json_array_size(peers) == 0)
			puts("no peers");
		json_array_foreach(peers, i, p) {
			const char *id = ecctl_get_str(p, "id"), *addr = ecctl_get_str(p, "addr"),
			           *pk = ecctl_get_str(p, "pk");
			printf("%s  %s  %s\n", id ? id : "?", addr ? addr : "?", pk ? pk : "?");
		}
	}
	json_decref(res);
	return ecctl_finish_output();
}

/* Calls method with {"id": ID} for the positional ID (64 hex), reporting
 * "not found" in the words of what. */
static int
by_id(ecctl_session *s, const char *method, const char *missing, json_t **res)
{
	ec_id id;
	if (!s->o->arg || !ecctl_id_parse(s->o->arg, &id))
		return ecctl_usage_error("%s: expected an id of 64 hex digits, got '%s'", method,
		                         s->o->arg ? s->o->arg : "");
	char hex[ECCTL_ID_HEX];
	ecctl_id_format(&id, hex);
	return ecctl_call_id(s, method, hex, missing, res);
}

int
ecctl_cmd_token(ecctl_session *s)
{
	json_t *res;
	int rc = by_id(s, "token", "the node holds no mapping for it", &res);
	if (rc)
		return rc;
	if (s->o->json)
		ecctl_print_json(res);
	else
		ecctl_print_flat(res);
	json_decref(res);
	return ecctl_finish_output();
}

int
ecctl_cmd_block(ecctl_session *s)
{
	json_t *res;
	int rc = by_id(s, "block", "not committed at the node", &res);
	if (rc)
		return rc;
	if (s->o->json) {
		ecctl_print_json(res);
	} else {
		/* the votes and the encoding are for programs: count them */
		json_t *shown = json_copy(res);
		const json_t *cert = json_object_get(res, "cert");
		const char *enc = ecctl_get_str(res, "encoding");
		if (shown && json_is_array(cert))
			json_object_set_new(shown, "cert",
			                    json_sprintf("%zu vote%s", json_array_size(cert),
			                                 json_array_size(cert) == 1 ? "" : "s"));
		if (shown && enc)
			json_object_set_new(shown, "encoding", json_sprintf("%zu bytes", strlen(enc) / 2));
		ecctl_print_flat(shown ? shown : res);
		json_decref(shown);
	}
	json_decref(res);
	return ecctl_finish_output();
}

int
ecctl_cmd_stop(ecctl_session *s)
{
	json_t *res;
	int rc = ecctl_call_or_report(s, "stop", NULL, &res);
	if (rc)
		return rc;
	if (s->o->json)
		ecctl_print_json(res);
	else
		puts("ecnode is stopping");
	json_decref(res);
	return ecctl_finish_output();
}

/* ---- watch ------------------------------------------------------------- */

static volatile sig_atomic_t stop_watch;
static volatile sig_atomic_t watch_fd = -1;

/* Sets the flag and shuts the connection down, so that a wait that has
 * not begun yet when the signal arrives ends at once too (a flag alone
 * would be missed by a poll entered just after it was checked). */
static void
on_stop_signal(int sig)
{
	(void)sig;
	stop_watch = 1;
	if (watch_fd >= 0)
		shutdown(watch_fd, SHUT_RDWR); /* async-signal-safe */
}

/* SIGINT and SIGTERM end the watch, with status 0; SIGPIPE is ignored for
 * the whole process (main.c), so a closed stdout shows as a failed
 * flush. */
static void
catch_stop_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* One notification: the JSON line, or "commit BLOCK tick N time_ms T
 * [mine]".  Returns false once stdout is gone (a closed pipe). */
static bool
print_note(const ecctl_session *s, const json_t *note)
{
	const char *method = ecctl_get_str(note, "method");
	const json_t *params = json_object_get(note, "params");
	if (s->o->json) {
		ecctl_print_json(note);
	} else if (strcmp(method, "commit") == 0 && ecctl_get_str(params, "block")) {
		uint64_t tick = 0, ms = 0;
		bool have_tick = ecctl_get_u64(params, "tick", &tick);
		bool have_ms = ecctl_get_u64(params, "time_ms", &ms);
		printf("commit %s", ecctl_get_str(params, "block"));
		if (have_tick)
			printf(" tick %llu", (unsigned long long)tick);
		if (have_ms)
			printf(" time_ms %llu", (unsigned long long)ms);
		if (json_is_true(json_object_get(params, "mine")))
			fputs(" mine", stdout);
		fputc('\n', stdout);
	} else {
		printf("%s ", method);
		ecctl_print_json(params ? params : json_null());
	}
	return fflush(stdout) == 0 && !ferror(stdout);
}

int
ecctl_cmd_watch(ecctl_session *s)
{
	ecctl_rpc_err err;
	if (ecctl_rpc_open(s->o->rpc, s->o->timeout_ms, &s->rpc, &err) != ECCTL_RPC_OK)
		return ecctl_report("watch", &err);
	watch_fd = ecctl_rpc_fd(s->rpc);
	catch_stop_signals();
	json_t *res;
	if (ecctl_call(s, "watch", NULL, &res, &err) != ECCTL_RPC_OK)
		return stop_watch ? ECCTL_EXIT_OK : ecctl_report("watch", &err);
	json_decref(res);
	for (;;) {
		json_t *msg = NULL;
		ecctl_rpc_status st = ecctl_rpc_recv(s->rpc, -1, &msg, &err);
		if (stop_watch) {
			json_decref(msg);
			break; /* asked to stop: whatever the wait ended with */
		}
		if (st == ECCTL_RPC_INTERRUPTED)
			continue; /* another signal */
		if (st == ECCTL_RPC_CLOSED)
			break; /* the node went away: the stream ends */
		if (st)
			return ecctl_report("watch", &err);
		bool more = !ecctl_rpc_is_notification(msg) || print_note(s, msg);
		json_decref(msg);
		if (!more)
			break; /* nobody reads stdout any more: done, quietly */
	}
	return ECCTL_EXIT_OK;
}
