/*
 * graph: drawing a state machine. sfn_graph_build() turns a raw ASL
 * definition (plain JSON, as the loader returns it) into a graph of nodes
 * (one per state, with Parallel branches and Map item processors as nested
 * clusters) and labelled edges (Next, Choice rules, Default, Catch, Start and
 * End); the writers print it as Graphviz DOT or Mermaid, and, when sfn is
 * built with Graphviz's libgvc, as SVG, PNG or a self-contained HTML page.
 *
 * Output is deterministic: the same definition gives the same bytes. Node
 * ids derive from the state's name alone ("s_" + the name's letters and
 * digits + "_" + a hash of the whole name), so renaming one state changes no
 * other state's id, and diffs of committed graphs stay small.
 *
 * An overlay (what one execution did: a status per state, retries, the path
 * taken) can be drawn over the graph; it is filled by whoever reads the
 * execution (the journal), not by this module.
 */
#ifndef SFN_GRAPH_H
#define SFN_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/base.h"

struct sfn_graph;

enum sfn_graph_format {
	SFN_GRAPH_DOT,
	SFN_GRAPH_MERMAID,
	SFN_GRAPH_SVG,
	SFN_GRAPH_PNG,
	SFN_GRAPH_HTML,
};
/* "dot", "mermaid", ... -> the format; -1 if unknown. */
int sfn_graph_format_parse(const char *name);

/*
 * Builds the graph of @definition (an ASL definition; borrowed, not kept).
 * Definitions with errors still draw: a transition to a state that does not
 * exist points at a red "no such state" node, an unknown Type draws as a
 * plain box. Returns NULL with @err set (name "SFN_NOT_ASL") only when
 * @definition has no "States" object, or nests deeper than SFN_MAX_DEPTH.
 */
struct sfn_graph *sfn_graph_build(const json_t *definition,
				  struct sfn_error *err);
void sfn_graph_free(struct sfn_graph *g);

/* The stable node id of the state named @name (a new string). */
char *sfn_graph_node_id(const char *name);

/* ---- overlay: one execution drawn over the graph ---- */

enum sfn_graph_status {
	SFN_GRAPH_UNSET = 0, /* not in the overlay: drawn as not reached */
	SFN_GRAPH_NOT_REACHED,
	SFN_GRAPH_SUCCEEDED,
	SFN_GRAPH_FAILED,  /* failed and not caught */
	SFN_GRAPH_CAUGHT,  /* failed, a Catch took over */
	SFN_GRAPH_RUNNING, /* entered, not exited (yet) */
};

struct sfn_graph_mark {
	const char *state; /* state name; borrowed */
	enum sfn_graph_status status;
	unsigned retries; /* retries made; 0: none */
	unsigned redrive; /* redrive attempt that last ran it; 0: none */
	const char *note; /* one more label line ("12 succeeded, 1 failed");
			     borrowed, may be NULL */
};

/* One transition taken. @from NULL: the start; @to NULL: the end. */
struct sfn_graph_step {
	const char *from; /* borrowed */
	const char *to;	  /* borrowed */
};

struct sfn_graph_overlay {
	const struct sfn_graph_mark *marks; /* borrowed array of n_marks */
	size_t n_marks;
	const struct sfn_graph_step *path; /* borrowed array of n_path */
	size_t n_path;
};

/*
 * The overlay of an execution from its history (GetExecutionHistory
 * events with sfn's "x-scope", as a journal holds them; borrowed, and must
 * outlive the overlay): each state entered is marked succeeded, caught,
 * failed or running, with its retries, the redrive that last ran it, and
 * for a Map its iterations by outcome; the path is the top-level
 * transitions taken. @ended: the execution has a terminal event (a state
 * still open then failed; otherwise it is running, or its process died).
 */
struct sfn_graph_overlay *sfn_graph_overlay_from_history(json_t *events,
							 bool ended);
void sfn_graph_overlay_free(struct sfn_graph_overlay *o);

/* ---- writers; @overlay may be NULL (the plain graph) ---- */

/* Appends the graph as Graphviz DOT to @out. */
void sfn_graph_write_dot(const struct sfn_graph *g,
			 const struct sfn_graph_overlay *overlay,
			 struct sfn_strbuf *out);
/* Appends the graph as a Mermaid flowchart to @out. */
void sfn_graph_write_mermaid(const struct sfn_graph *g,
			     const struct sfn_graph_overlay *overlay,
			     struct sfn_strbuf *out);

/* Was sfn built with Graphviz's libgvc (svg, png, html)? */
bool sfn_graph_have_graphviz(void);
/*
 * Lays the graph out with Graphviz and appends it in @format (SFN_GRAPH_SVG
 * or SFN_GRAPH_PNG) to @out. Returns 0, or -1 with @err set ("SFN_GRAPHVIZ":
 * not built with libgvc, or Graphviz failed).
 */
int sfn_graph_render(const struct sfn_graph *g,
		     const struct sfn_graph_overlay *overlay,
		     enum sfn_graph_format format, struct sfn_strbuf *out,
		     struct sfn_error *err);
/*
 * Appends a self-contained HTML page (inline SVG and styles, nothing loaded
 * from the network) showing the graph, titled @title (may be NULL). Needs
 * Graphviz like sfn_graph_render().
 */
int sfn_graph_write_html(const struct sfn_graph *g,
			 const struct sfn_graph_overlay *overlay,
			 const char *title, struct sfn_strbuf *out,
			 struct sfn_error *err);

/* One execution as the HTML page shows it; everything borrowed. */
struct sfn_graph_execution {
	const json_t *events;	/* its history, as the journal holds it */
	const json_t *describe; /* DescribeExecution-shaped; may be NULL */
	bool ended;		/* it has a terminal event */
	bool died; /* no terminal event, and no process runs it any more */
};

/*
 * The HTML page of sfn_graph_write_html(), plus what makes it an execution
 * view: clicking a state (or Tab to it, Enter) shows its definition (from
 * @definition, the raw ASL the graph was built from; may be NULL) and, with
 * @exec (may be NULL), each of its visits (per Map iteration, Parallel
 * branch and redrive) with input, output, error, cause, retries and events,
 * beside a timeline of the execution. All data is embedded as one JSON
 * block escaped so that no payload can end its <script> element; the page
 * loads nothing.
 */
int sfn_graph_write_page(const struct sfn_graph *g,
			 const struct sfn_graph_overlay *overlay,
			 const json_t *definition,
			 const struct sfn_graph_execution *exec,
			 const char *title, struct sfn_strbuf *out,
			 struct sfn_error *err);

#endif
