/*
 * graph_int.h: the graph model shared by the builder (build.c) and the
 * writers (dot.c, mermaid.c, render.c). Labels are kept as raw UTF-8 text
 * with '\n' between lines; each writer escapes them for its format.
 */
#ifndef SFN_GRAPH_INT_H
#define SFN_GRAPH_INT_H

#include "graph/graph.h"

enum gnode_kind {
	GN_TASK,
	GN_PASS,
	GN_WAIT,
	GN_CHOICE,
	GN_SUCCEED,
	GN_FAIL,
	GN_PARALLEL,
	GN_MAP,
	GN_OTHER,   /* missing or unknown Type */
	GN_MISSING, /* a transition's target that does not exist; label is its
		       name */
};

enum gedge_kind {
	GE_NEXT,    /* Next, End, a branch's end to its join, Start */
	GE_CHOICE,  /* a Choice rule; label is its condition */
	GE_DEFAULT, /* a Choice's Default */
	GE_CATCH,   /* a catcher; label lists its errors */
	GE_ENTER,   /* Parallel/Map entry to a branch's first state */
};

struct gedge {
	char *from;	 /* node id; owned */
	char *to;	 /* node id; owned */
	char *from_name; /* state whose exit this is, for overlays; owned, NULL
			    for Start */
	char *to_name;	 /* state entered, for overlays; owned, NULL for End */
	char *label;	 /* owned, may be NULL */
	enum gedge_kind kind;
	char *ltail; /* leaves a Parallel/Map: its cluster id (DOT draws it from
			the border); owned, may be NULL */
};

struct gmachine;

struct gnode {
	char *name;  /* state name; owned; NULL for a missing-target node */
	char *id;    /* owned */
	char *label; /* owned; lines separated by '\n' */
	enum gnode_kind kind;
	bool distributed; /* Map in DISTRIBUTED mode */
	char *join_id;	  /* Parallel/Map: the node branches end in; owned */
	char *cluster_id; /* Parallel/Map: the cluster around it; owned */
	struct gmachine **subs; /* Parallel branches / Map processor; owned */
	size_t n_subs;
};

/* One States object: the root, a Parallel branch or a Map processor. */
struct gmachine {
	char *cluster_id;     /* owned; NULL for the root */
	char *title;	      /* owned; NULL for the root */
	struct gnode **nodes; /* owned, in definition order (missing-target
				 nodes last) */
	size_t n_nodes, alloc_nodes;
};

struct sfn_graph {
	struct gmachine root;
	char *title;	     /* the definition's Comment; owned, may be NULL */
	struct gedge *edges; /* owned, in build order */
	size_t n_edges, alloc_edges;
	char **ids; /* every id handed out, for uniqueness; owned */
	size_t n_ids, alloc_ids;
};

/* The error of svg, png and html without libgvc; %s is the format. */
#define GRAPH_NO_GRAPHVIZ                                                      \
	"sfn was built without Graphviz's libgvc, so it cannot write %s: "     \
	"install libgraphviz-dev and rebuild (cmake -DSFN_GRAPHVIZ=ON), or "   \
	"use --format dot and run Graphviz's dot yourself"

#define GRAPH_START_ID "sfn_start"
#define GRAPH_END_ID   "sfn_end"

/* The overlay's mark for @name, or NULL. */
const struct sfn_graph_mark *graph_mark(const struct sfn_graph_overlay *ov,
					const char *name);
/* Was the edge @e taken in @ov's path? */
bool graph_edge_taken(const struct sfn_graph_overlay *ov,
		      const struct gedge *e);
/* The status a node is drawn with under @ov (UNSET when @ov is NULL). */
enum sfn_graph_status graph_node_status(const struct sfn_graph_overlay *ov,
					const struct gnode *n);
/* Appends the overlay's extra label lines for @n ("\n"-prefixed). */
void graph_overlay_lines(struct sfn_strbuf *sb,
			 const struct sfn_graph_overlay *ov,
			 const struct gnode *n);

/* The node drawing the state named @name (nested ones too), or NULL. */
const struct gnode *graph_find_node(const struct sfn_graph *g,
				    const char *name);

/* DOT as sfn_graph_write_dot(), each node with id="<its node id>" when @ids
 * (Graphviz's SVG then carries the stable ids instead of node1, node2...). */
void graph_write_dot_ids(const struct sfn_graph *g,
			 const struct sfn_graph_overlay *ov, bool ids,
			 struct sfn_strbuf *out);
/* SVG of the graph whose nodes carry their stable ids, for the HTML page. */
int graph_render_svg_ids(const struct sfn_graph *g,
			 const struct sfn_graph_overlay *ov,
			 struct sfn_strbuf *out, struct sfn_error *err);

/*
 * Each entry into a state in @events (a history with x-scope), in order, as
 * a new array of {state, scope, where, attempt, status, entered, exited,
 * retries, events, error?, cause?}: entered/exited (null while open) and
 * events are indexes into @events; where labels the Map iteration (from 0)
 * or Parallel branch (from 1, as drawn) it ran in ("" at the top); status is
 * succeeded, caught (exited after a failure), failed, aborted or running;
 * attempt counts redrives. @g (may be NULL) tells Map iterations from Parallel
 * branches; @unfinished is the status of visits a history without a terminal
 * event leaves open
 * ("running", or "aborted" when its process died).
 */
json_t *graph_visits(const json_t *events, const struct sfn_graph *g,
		     const char *unfinished);
/* The page's data block: states, overlay marks, the execution (new). */
json_t *graph_page_data(const struct sfn_graph *g,
			const struct sfn_graph_overlay *ov,
			const json_t *definition,
			const struct sfn_graph_execution *exec);
/* Appends @v as JSON that cannot end a <script> element or start a
 * comment in it ('<', '>', '&', U+2028 and U+2029 as \u escapes). */
void graph_add_script_json(struct sfn_strbuf *out, const json_t *v);

#endif
