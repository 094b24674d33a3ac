/* SPDX-License-Identifier: MIT */
/* ecnode's option table (config.h); docs/node.md lists the same. */
#include "config.h"

#include <stddef.h>

#define S(f) ECN_OFF_STR(ecn_cfg, f)
#define U(f) ECN_OFF_U64(ecn_cfg, f)
#define B(f) ECN_OFF_BOOL(ecn_cfg, f)
#define L(f) ECN_OFF_LIST(ecn_cfg, f)

const ecn_opt ecn_cfg_opts[] = {
    {"config", ECN_OPT_STRING, ECN_OPT_CLI_ONLY, S(config), NULL, 0, 0, "FILE",
     "Read settings from FILE (key=value lines, every option a key); the command line wins."},
    {"datadir", ECN_OPT_STRING, 0, S(datadir), NULL, 0, 0, "DIR",
     "The node's data directory (created with mode 0700): its LMDB store, identity and keys. "
     "Required."},
    {"check", ECN_OPT_BOOL, ECN_OPT_CLI_ONLY, B(check), NULL, 0, 0, NULL,
     "Verify the store in --datadir (every block decodes and is its content hash, every "
     "signed part verifies against its parent, every mapping names a stored block) and "
     "exit 0 if it is sound, 1 if not."},
    {"listen", ECN_OPT_STRING, 0, S(listen), "127.0.0.1:7710", 0, 0, "ADDR:PORT",
     "UDP address to listen on (IPv4 a.b.c.d:port or IPv6 [addr]:port)."},
    {"advertise", ECN_OPT_STRING, 0, S(advertise), NULL, 0, 0, "ADDR:PORT",
     "The address other nodes reach this one at, as it tells them.  Default: --listen, "
     "which must then not be a wildcard (0.0.0.0, [::])."},
    {"bootstrap", ECN_OPT_LIST, 0, L(bootstrap), NULL, 0, 0, "[KEY@]ADDR:PORT[,...]",
     "Nodes to join through.  KEY (64 hex digits, the node's public key as its status shows) "
     "pins the node: one that answers with another key is not joined through.  Without any, "
     "a node that never joined starts a new network."},
    {"network", ECN_OPT_STRING, 0, S(network), "ecrust-testnet", 0, 0, "NAME",
     "Network name: its hash is mixed into every transport key, so networks never mix."},
    {"rpc", ECN_OPT_STRING, 0, S(rpc), NULL, 0, 0, "PATH",
     "Unix socket for ecctl (mode 0600).  Default: DATADIR/rpc.sock."},
    {"metrics", ECN_OPT_STRING, 0, S(metrics), NULL, 0, 0, "ADDR:PORT",
     "Serve Prometheus metrics over HTTP at ADDR:PORT (loopback only).  Default: off."},
    {"identity-bits", ECN_OPT_UINT, 0, U(identity_bits), "24", 0, 256, "B",
     "Argon2id proof-of-work difficulty of identities (trailing zero bits); the first start "
     "mines one (about 2^B evaluations).  Every node of a network uses the same value."},
    {"identity-memory", ECN_OPT_UINT, 0, U(identity_memory), "4096", 8, 4194304, "KIB",
     "Argon2id memory per evaluation, KiB (network-wide)."},
    {"identity-passes", ECN_OPT_UINT, 0, U(identity_passes), "1", 1, 1024, "N",
     "Argon2id passes (network-wide)."},
    {"tick-ms", ECN_OPT_DURATION, 0, U(tick_ms), "50", 1, 60000, "MS",
     "Length of one protocol round.  The core sees only ticks, never wall time."},
    {"proto", ECN_OPT_LIST, 0, L(proto), NULL, 0, 0, "NAME=VALUE[,...]",
     "Protocol settings, as ecsim names them (window=4,degree=64,...), applied in order "
     "after defences=default (witness rule, signed votes, convictions, floor, quotas; "
     "defences=off turns them off)."},
    {"mtu", ECN_OPT_SIZE, 0, U(mtu), "1280", 576, 65000, "BYTES",
     "Largest datagram; envelopes are split to fit (an item larger than this travels alone)."},
    {"map-size", ECN_OPT_SIZE, 0, U(map_size), "1G", 1048576, 1ull << 42, "BYTES",
     "Most the LMDB store may grow to; when full the node stops cleanly."},
    {"max-peers", ECN_OPT_UINT, 0, U(max_peers), "4096", 16, 1048576, "N",
     "Transport peer table size (least recently heard evicted)."},
    {"unknown-budget", ECN_OPT_UINT, 0, U(unknown_budget), "50", 1, 100000, "N",
     "Identity checks per second for unknown senders before a cookie is demanded."},
    {"log-file", ECN_OPT_STRING, 0, S(log_file), NULL, 0, 0, "PATH",
     "Append logs to PATH (reopened on SIGHUP).  Default: standard error."},
    {"log-level", ECN_OPT_STRING, 0, S(log_level), "info", 0, 0, "LEVEL",
     "error, warn, info or debug."},
    {"log-json", ECN_OPT_BOOL, 0, B(log_json), NULL, 0, 0, NULL,
     "Write logs as JSON lines (default: text)."},
    {"print-config", ECN_OPT_BOOL, ECN_OPT_CLI_ONLY, B(print_config), NULL, 0, 0, NULL,
     "Print the effective settings as key=value lines and exit."},
    {"vote-log", ECN_OPT_STRING, 0, S(vote_log), NULL, 0, 0, "PATH",
     "Test only: append every yes vote the node casts (token parent block, hex) to PATH."},
    {"impair-hold", ECN_OPT_STRING, 0, S(impair_hold), NULL, 0, 0, "P",
     "Test only: hold each incoming datagram one more tick with probability P, again and "
     "again (ecsim's --delay)."},
    {"impair-loss", ECN_OPT_STRING, 0, S(impair_loss), NULL, 0, 0, "F",
     "Test only: drop each incoming datagram with probability F (ecsim's --loss)."},
};

const size_t ecn_cfg_nopts = sizeof ecn_cfg_opts / sizeof ecn_cfg_opts[0];
