/* SPDX-License-Identifier: MIT */
/*
 * Daemon options from one table: the command line, a `key = value` file,
 * the --help text and a dump of the effective values (docs/config.md).
 *
 * A table is an array of ecn_opt descriptors.  Each names an option
 * ("listen"), its kind, where its value goes in the caller's config struct
 * (a byte offset from a base pointer), its default as text and its help.
 * Every value, default included, goes through the same parser, whichever
 * place it comes from, so the command line, the file and the defaults can
 * never disagree on a syntax.
 *
 * Storage per kind (the field at `offset` in the caller's struct):
 *   ECN_OPT_STRING    char *        owned by the struct: ecn_conf_free
 *   ECN_OPT_UINT      uint64_t      decimal, within [min, max]
 *   ECN_OPT_BOOL      bool          a flag on the command line
 *   ECN_OPT_DURATION  uint64_t      milliseconds: "250ms", "5s", "2m",
 *                                   "1h", or a bare number of ms
 *   ECN_OPT_SIZE      uint64_t      bytes: "4096", "64k", "16M", "1G"
 *                                   (binary: k = 1024)
 *   ECN_OPT_LIST      ecn_strlist   comma-separated strings, owned
 * The ECN_OFF_* macros give an offset and refuse (at compile time) a field
 * of the wrong type.
 *
 * Errors are values: every function that can fail fills an ecn_conf_err
 * with one sentence naming the option, or the file and line, and the
 * problem.  Nothing here exits or prints unless asked to print.  No
 * globals; nothing is kept between calls but what the caller's struct
 * holds.
 */
#ifndef ECN_CONF_H
#define ECN_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ec/err.h"

#define ECN_CONF_LINE_MAX 4096u         /* bytes of one file line, newline excluded */
#define ECN_CONF_FILE_MAX (1u << 20)    /* bytes of a config file */
#define ECN_CONF_VALUE_MAX 4096u        /* bytes of one value */
#define ECN_CONF_LIST_MAX 256u          /* items of one list option */
#define ECN_CONF_ERR_MAX 320u           /* bytes of an error message, NUL included */
#define ECN_CONF_HELP_WIDTH 79u         /* help text wraps at this column */

typedef enum ecn_opt_kind {
	ECN_OPT_STRING = 1,
	ECN_OPT_UINT,
	ECN_OPT_BOOL,
	ECN_OPT_DURATION,
	ECN_OPT_SIZE,
	ECN_OPT_LIST
} ecn_opt_kind;

/* Option flags. */
#define ECN_OPT_CLI_ONLY 0x1u /* refused in a config file, left out of the dump
                                 (--config itself) */

/* A list value: n strings, each NUL-terminated.  Owned by the config
 * struct that holds it; ecn_conf_free releases it. */
typedef struct ecn_strlist {
	char **items;
	size_t n;
} ecn_strlist;

/* One option.  Plain constant data: tables are usually static const. */
typedef struct ecn_opt {
	const char *name;    /* long name, [a-z0-9-], starts with a letter: "listen" */
	ecn_opt_kind kind;
	unsigned flags;      /* ECN_OPT_CLI_ONLY or 0 */
	size_t offset;       /* of the field in the config struct: ECN_OFF_* */
	const char *def;     /* default as text (same syntax as a value); NULL:
	                        none (NULL string, empty list, 0, false) */
	uint64_t min, max;   /* UINT, DURATION (ms), SIZE (bytes): inclusive
	                        bounds; both 0 means no bound */
	const char *metavar; /* placeholder in the help ("ADDR"); NULL: from kind */
	const char *help;    /* one or more sentences; wrapped by the printer */
} ecn_opt;

/* Offsets that check the field's type: a field of another type does not
 * compile (_Generic without a default). */
#define ECN_OFF_STR(type, field) _Generic(((type *)0)->field, char *: offsetof(type, field))
#define ECN_OFF_U64(type, field) _Generic(((type *)0)->field, uint64_t: offsetof(type, field))
#define ECN_OFF_BOOL(type, field) _Generic(((type *)0)->field, bool: offsetof(type, field))
#define ECN_OFF_LIST(type, field) \
	_Generic(((type *)0)->field, ecn_strlist: offsetof(type, field))

/* An error: one sentence, NUL-terminated; empty when there is none. */
typedef struct ecn_conf_err {
	char msg[ECN_CONF_ERR_MAX];
} ecn_conf_err;

/* What the command line asked for besides options. */
typedef enum ecn_conf_action {
	ECN_CONF_RUN = 0,  /* run with the parsed options */
	ECN_CONF_HELP,     /* --help or -h was given: print help, exit 0 */
	ECN_CONF_VERSION   /* --version was given: print the version, exit 0 */
} ecn_conf_action;

/* Checks the table (names of [a-z0-9-], starting with a letter, unique,
 * not help, version or no-*; kinds known; help text present; min <= max;
 * defaults parse and lie within bounds), then writes every option's
 * default into the struct at base.  Call it once on
 * zeroed storage before any parse.
 * Returns: EC_OK; EC_EINVAL with err naming the bad entry (a programming
 *          error in the table); EC_ENOMEM.  On error the struct may hold
 *          some defaults: release it with ecn_conf_free.
 * In:      opts, nopts: the table; base: the config struct.
 * Out:     err. */
ec_err ecn_conf_defaults(const ecn_opt *opts, size_t nopts, void *base, ecn_conf_err *err)
	EC_WUR;

/* Parses argv[1 .. argc) into the struct: `--name VALUE`, `--name=VALUE`,
 * flags as `--name`, `--no-name` or `--name=BOOL`, and the actions --help,
 * -h and --version.  Underscores in names count as dashes.  A later
 * occurrence of an option replaces an earlier one, except a list given
 * again on the same command line, which appends.  Parsing stops at the first
 * action (the rest is not looked at) or the first error.
 * Returns: EC_OK with *action set; EC_EPARSE with err naming the argument
 *          (an unknown option also names the closest known one), for an
 *          unknown option, a missing or bad value, a positional argument;
 *          EC_EINVAL (a NULL argument); EC_ENOMEM.  After an error the
 *          struct holds the values parsed so far (still valid to free or
 *          parse again).
 * In:      opts, nopts, base as above; argc, argv: as main's (borrowed;
 *          values are copied).
 * Out:     action, err. */
ec_err ecn_conf_parse_args(const ecn_opt *opts, size_t nopts, void *base, int argc,
                           char *const *argv, ecn_conf_action *action, ecn_conf_err *err) EC_WUR;

/* Parses config file text: one `key = value` a line (spaces and tabs
 * around both optional, `\r\n` accepted), blank lines, and lines whose
 * first non-blank character is `#` or `;` (comments; there are no comments
 * after a value, so a value may hold '#').  Keys are option names (dashes
 * or underscores); a flag's value is true|false|1|0|yes|no.  A UTF-8 byte
 * order mark at the start is skipped.  Options marked ECN_OPT_CLI_ONLY are
 * refused.  Repetition as in ecn_conf_parse_args.
 * Returns: EC_OK; EC_EPARSE with err "NAME:LINE: problem" for a line longer
 *          than ECN_CONF_LINE_MAX, text longer than ECN_CONF_FILE_MAX, a NUL
 *          byte, a line without '=', an unknown key (with the closest known
 *          one), a bad value; EC_EINVAL (a NULL argument); EC_ENOMEM.  On
 *          error the struct holds the lines before the bad one.
 * In:      opts, nopts, base; name: shown in messages (a path); text, len:
 *          the bytes (need not be NUL-terminated).
 * Out:     err. */
ec_err ecn_conf_parse_text(const ecn_opt *opts, size_t nopts, void *base, const char *name,
                           const char *text, size_t len, ecn_conf_err *err) EC_WUR;

/* Reads the file at path (at most ECN_CONF_FILE_MAX bytes) and parses it
 * with ecn_conf_parse_text.
 * Returns: EC_OK; EC_EIO with err naming the path and the system's reason
 *          when it cannot be opened or read, or is not a regular file;
 *          EC_EPARSE, EC_ENOMEM as ecn_conf_parse_text. */
ec_err ecn_conf_parse_file(const ecn_opt *opts, size_t nopts, void *base, const char *path,
                           ecn_conf_err *err) EC_WUR;

/* The daemon's order in one call: defaults, then the file named by the
 * string option config_opt (usually "config") if the command line gives
 * it, then the whole command line again, so the command line wins.  The
 * command line is looked at before the file is read: --help, --version,
 * unknown options, missing values and a bad --config are reported without
 * touching the file (other bad values after it).
 * Returns: as ecn_conf_defaults, ecn_conf_parse_args, ecn_conf_parse_file;
 *          EC_EINVAL if config_opt is not a string option of the table.
 * In:      base: zeroed config struct; config_opt: NULL for no file.
 * Out:     action, err. */
ec_err ecn_conf_load(const ecn_opt *opts, size_t nopts, void *base, const char *config_opt,
                     int argc, char *const *argv, ecn_conf_action *action, ecn_conf_err *err)
	EC_WUR;

/* Writes the option list for --help: each option with its placeholder and
 * its help text, wrapped at ECN_CONF_HELP_WIDTH columns, then its default;
 * --help and --version last.  The caller prints the usage line first.
 * Returns: EC_OK; EC_EIO if writing to out failed; EC_EINVAL (a NULL
 *          argument). */
ec_err ecn_conf_print_help(FILE *out, const ecn_opt *opts, size_t nopts) EC_WUR;

/* Writes the effective configuration as `name=value` lines in table order,
 * which ecn_conf_parse_text reads back to the same values.  Unset strings
 * and empty lists are written as comments (`#name=`); ECN_OPT_CLI_ONLY
 * options are left out.
 * Returns: EC_OK; EC_EIO if writing to out failed; EC_EINVAL (a NULL
 *          argument); EC_ENOMEM. */
ec_err ecn_conf_print(FILE *out, const ecn_opt *opts, size_t nopts, const void *base) EC_WUR;

/* Formats one option's current value as the dump writes it into buf
 * (cap bytes, NUL included; "" for an unset string or an empty list).
 * Returns: EC_OK; EC_ERANGE if it does not fit (buf then holds "");
 *          EC_EINVAL for an unknown kind. */
ec_err ecn_conf_format_value(const ecn_opt *opt, const void *base, char *buf, size_t cap) EC_WUR;

/* Releases every string and list the table's options hold in the struct
 * and zeroes those fields.  Accepts a struct never parsed into (zeroed). */
void ecn_conf_free(const ecn_opt *opts, size_t nopts, void *base);

/* The value parsers, for callers that read values elsewhere (RPC, tests).
 * Each refuses an empty string, signs, surrounding blanks, trailing junk
 * and overflow of uint64_t.
 * Returns: EC_OK; EC_EPARSE (not a number of that form); EC_ERANGE (too
 *          large).  *out is written only on EC_OK. */
ec_err ecn_conf_parse_uint(const char *s, uint64_t *out) EC_WUR;
ec_err ecn_conf_parse_duration_ms(const char *s, uint64_t *out) EC_WUR;
ec_err ecn_conf_parse_size(const char *s, uint64_t *out) EC_WUR;
/* true|false|1|0|yes|no, case-insensitive.  Returns EC_OK or EC_EPARSE. */
ec_err ecn_conf_parse_bool(const char *s, bool *out) EC_WUR;

#endif
