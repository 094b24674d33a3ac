/* SPDX-License-Identifier: MIT */
/*
 * The script names only files this code named (summary.csv and the plots'
 * outputs, quoted as gnuplot strings), and gnuplot runs without a shell, so
 * that nothing in --out is ever parsed as a command.
 */
#include "sweep_plot.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "gnuplot.h"
#include "strfmt.h"

struct sweep_plot {
	int metric;
	const char *title;
};

static const struct sweep_plot all_plots[] = {{SWEEP_MPC, "messages per commit"},
                                              {SWEEP_MPNPC, "messages per node per commit"},
                                              {SWEEP_LAT, "latency (rounds, mean)"},
                                              {SWEEP_THR, "throughput (commits per round)"}};
_Static_assert(sizeof all_plots / sizeof all_plots[0] == SWEEP_PLOTS, "SWEEP_PLOTS");

/* Each plot is drawn twice: outputs 2 p and 2 p + 1 are plot p's PNG and
 * SVG. */
enum { N_OUTPUTS = 2 * SWEEP_PLOTS };
static const char *const plot_ext[2] = {"png", "svg"};

void
sweep_plots_choose(const sweep_grid *g, sweep_plots *out)
{
	out->n = 0;
	for (size_t p = 0; p < SWEEP_PLOTS; p++) {
		size_t metric = (size_t)all_plots[p].metric;
		bool any = false;
		for (size_t k = 0; k < g->nsizes; k++)
			any |= sweep_grid_positive(g, k, metric);
		if (any)
			out->plot[out->n++] = &all_plots[p];
		else
			fprintf(stderr, "ecsim sweep: no plot of %s: no size has a positive mean "
			                "(the axes are logarithmic)\n", sweep_metric_name[metric]);
	}
}

/* s as a gnuplot string: single quotes, a quote inside doubled. */
static void
gp_string(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

/* The plot script; output[2 p + fmt] names plot p's PNG (fmt 0) or SVG. */
static void
write_script(FILE *gp, const sweep_plots *plots, const double *b, char *const *output)
{
	fputs("# gnuplot script written by ecsim sweep: gnuplot plots.gp\n"
	      "set datafile separator ','\nset logscale xy\nset key top left\nset grid\n"
	      "set xlabel 'nodes (N)'\n"
	      "# an interval left empty (fewer than two runs) is drawn as the mean\n"
	      "ci(c, m) = valid(c) ? column(c) : column(m)\n", gp);
	for (size_t p = 0; p < plots->n; p++) {
		int metric = plots->plot[p]->metric;
		const char *title = plots->plot[p]->title;
		for (size_t fmt = 0; fmt < 2; fmt++) {
			fprintf(gp, "set terminal %s size 800,500 noenhanced\nset output ",
			        fmt ? "svg" : "pngcairo");
			gp_string(gp, output[2 * p + fmt]);
			fprintf(gp, "\nset ylabel '%s'\nset title '%s vs N (mean, 95%% CI; fitted exponent ",
			        title, title);
			if (isnan(b[metric]))
				fputs("n/a)'\n", gp);
			else
				fprintf(gp, "%.3f)'\n", b[metric]);
			/* summary.csv: nodes, runs, then mean,ci_low,ci_high per metric */
			int c = 3 + 3 * metric;
			fprintf(gp, "plot 'summary.csv' skip 1 using 1:%d:(ci(%d,%d)):(ci(%d,%d)) "
			            "with yerrorlines title '%s'\n", c, c + 1, c, c + 2, c,
			        sweep_metric_name[metric]);
		}
	}
}

static void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		names[i] = NULL;
	}
}

/* The real names of p's outputs, such as messages_per_commit.png, into
 * names[0 .. 2 p->n - 1] (owned by the caller: free_names).  Returns 0, or
 * 1 when out of memory (reported; nothing to free). */
static int
output_names(const sweep_plots *p, char *names[N_OUTPUTS])
{
	for (size_t i = 0; i < 2 * p->n; i++) {
		names[i] = strfmt("%s.%s", sweep_metric_name[p->plot[i / 2]->metric], plot_ext[i % 2]);
		if (!names[i]) {
			free_names(names, i);
			fprintf(stderr, "ecsim sweep: out of memory\n");
			return 1;
		}
	}
	return 0;
}

int
sweep_plots_write_script(FILE *f, const sweep_plots *p, const sweep_fit *fit)
{
	char *names[N_OUTPUTS] = {0};
	if (output_names(p, names))
		return 1;
	write_script(f, p, fit->b, names);
	free_names(names, 2 * p->n);
	return 0;
}

/* Whether gnuplot wrote something into every output. */
static int
check_outputs(const outdir *d, const outfile *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (fstatat(d->fd, out[i].tmp, &st, 0) || st.st_size == 0) {
			fprintf(stderr, "ecsim sweep: gnuplot wrote nothing into %s/%s; no plot written\n",
			        d->path, out[i].name);
			return 1;
		}
	}
	return 0;
}

/* Runs gnuplot on a temporary script drawing into out[i].tmp, and renames
 * every output into place if it succeeded. */
static int
draw(const outdir *d, const sweep_plots *p, const sweep_fit *fit, outfile *out)
{
	char *tmp_names[N_OUTPUTS] = {0};
	for (size_t i = 0; i < 2 * p->n; i++)
		tmp_names[i] = out[i].tmp;
	outfile script;
	int rc = outfile_create(d, "plots.gp", &script);
	if (!rc) {
		write_script(script.f, p, fit->b, tmp_names);
		rc = outfile_close(&script);
	}
	if (!rc) {
		gnuplot_result g = gnuplot_run(d, script.tmp, "plots.gp");
		rc = g == GNUPLOT_FAILED || (g == GNUPLOT_DONE && check_outputs(d, out, 2 * p->n));
		for (size_t i = 0; i < 2 * p->n && g == GNUPLOT_DONE && !rc; i++)
			rc = outfile_commit(&out[i]);
	}
	outfile_discard(&script);
	return rc;
}

int
sweep_plots_draw(const outdir *d, const sweep_plots *p, const sweep_fit *fit)
{
	if (p->n == 0)
		return 0;
	outfile out[N_OUTPUTS] = {{0}};
	char *names[N_OUTPUTS] = {0};
	int rc = output_names(p, names);
	for (size_t i = 0; i < 2 * p->n && !rc; i++) {
		rc = outfile_create(d, names[i], &out[i]);
		if (!rc)
			rc = outfile_close(&out[i]); /* gnuplot writes it */
	}
	if (!rc)
		rc = draw(d, p, fit, out);
	for (size_t i = 0; i < N_OUTPUTS; i++)
		outfile_discard(&out[i]);
	free_names(names, N_OUTPUTS);
	return rc;
}
