/*
 * dot.c: the graph as Graphviz DOT. Every node is declared first, inside
 * the clusters of its Parallel/Map, then every edge at the top level (an
 * edge declared inside a cluster would pull its nodes in).
 */
#include "graph_int.h"

#include <string.h>

/*
 * Appends @s as a DOT quoted string: '"' and '\' escaped, line breaks as
 * "\n" (Graphviz's centred line break), other control characters as spaces.
 */
static void quote(struct sfn_strbuf *sb, const char *s)
{
	sfn_strbuf_addch(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			sfn_strbuf_addch(sb, '\\');
			sfn_strbuf_addch(sb, c);
		} else if (c == '\n') {
			sfn_strbuf_adds(sb, "\\n");
		} else if (c == '\r') {
			continue;
		} else if (c < 0x20 || c == 0x7f) {
			sfn_strbuf_addch(sb, ' ');
		} else {
			sfn_strbuf_addch(sb, c);
		}
	}
	sfn_strbuf_addch(sb, '"');
}

static void indent(struct sfn_strbuf *sb, int depth)
{
	for (int i = 0; i < depth; i++)
		sfn_strbuf_addch(sb, '\t');
}

/* The attributes that draw each kind of state. */
static const char *kind_attrs(enum gnode_kind kind)
{
	switch (kind) {
	case GN_TASK:
		return "shape=box, style=\"rounded,filled\", "
		       "fillcolor=\"#e3ecfa\", color=\"#3b5998\"";
	case GN_PASS:
		return "shape=parallelogram, style=filled, "
		       "fillcolor=\"#f1f3f4\", color=\"#6b6b6b\"";
	case GN_WAIT:
		return "shape=hexagon, style=filled, fillcolor=\"#fff8e1\", "
		       "color=\"#b08900\"";
	case GN_CHOICE:
		return "shape=diamond, style=filled, fillcolor=\"#fff4d6\", "
		       "color=\"#b08900\"";
	case GN_SUCCEED:
		return "shape=oval, style=\"filled,bold\", "
		       "fillcolor=\"#e8f5e9\", color=\"#2e7d32\"";
	case GN_FAIL:
		return "shape=oval, style=\"filled,bold\", "
		       "fillcolor=\"#ffebee\", color=\"#c62828\", "
		       "penwidth=2";
	case GN_PARALLEL:
	case GN_MAP:
		return "shape=box3d, style=filled, fillcolor=\"#ede7f6\", "
		       "color=\"#5e35b1\"";
	case GN_MISSING:
		return "shape=box, style=dashed, color=\"#c62828\", "
		       "fontcolor=\"#c62828\"";
	case GN_OTHER:
		break;
	}
	return "shape=box, style=dashed";
}

/* Overlay colours override the kind's fill. */
static const char *status_attrs(enum sfn_graph_status st)
{
	switch (st) {
	case SFN_GRAPH_NOT_REACHED:
	case SFN_GRAPH_UNSET:
		return "fillcolor=\"#f5f5f5\", color=\"#bdbdbd\", "
		       "fontcolor=\"#9e9e9e\"";
	case SFN_GRAPH_SUCCEEDED:
		return "fillcolor=\"#c8e6c9\", color=\"#2e7d32\", penwidth=2";
	case SFN_GRAPH_FAILED:
		return "fillcolor=\"#ffcdd2\", color=\"#c62828\", penwidth=3";
	case SFN_GRAPH_CAUGHT:
		return "fillcolor=\"#ffe0b2\", color=\"#ef6c00\", penwidth=2";
	case SFN_GRAPH_RUNNING:
		return "fillcolor=\"#bbdefb\", color=\"#1565c0\", penwidth=2";
	}
	return "";
}

static void write_machine(struct sfn_strbuf *sb, const struct gmachine *m,
			  const struct sfn_graph_overlay *ov, bool ids,
			  int depth);

static void write_node(struct sfn_strbuf *sb, const struct gnode *n,
		       const struct sfn_graph_overlay *ov, bool ids, int depth)
{
	struct sfn_strbuf label = SFN_STRBUF_INIT;
	if (n->kind == GN_MISSING) {
		sfn_strbuf_addf(&label, "'%s'\nno such state", n->label);
	} else {
		sfn_strbuf_adds(&label, n->label);
		graph_overlay_lines(&label, ov, n);
	}
	indent(sb, depth);
	sfn_strbuf_addf(sb, "%s [", n->id);
	if (ids)
		sfn_strbuf_addf(sb, "id=\"%s\", ", n->id);
	sfn_strbuf_adds(sb, "label=");
	quote(sb, label.buf);
	sfn_strbuf_addf(sb, ", %s", kind_attrs(n->kind));
	if (ov && n->kind != GN_MISSING)
		sfn_strbuf_addf(sb, ", %s",
				status_attrs(graph_node_status(ov, n)));
	sfn_strbuf_adds(sb, "];\n");
	sfn_strbuf_release(&label);
}

/* A Parallel/Map: a cluster holding its node, its branches, its join. */
static void write_nested(struct sfn_strbuf *sb, const struct gnode *n,
			 const struct sfn_graph_overlay *ov, bool ids,
			 int depth)
{
	indent(sb, depth);
	sfn_strbuf_addf(sb, "subgraph %s {\n", n->cluster_id);
	indent(sb, depth + 1);
	sfn_strbuf_addf(sb,
			"graph [label=\"\", style=\"rounded,%s\", "
			"color=\"#5e35b1\"];\n",
			n->distributed ? "bold" : "dashed");
	write_node(sb, n, ov, ids, depth + 1);
	for (size_t i = 0; i < n->n_subs; i++)
		write_machine(sb, n->subs[i], ov, ids, depth + 1);
	indent(sb, depth + 1);
	sfn_strbuf_addf(sb,
			"%s [label=\"\", shape=point, width=0.12, "
			"color=\"#5e35b1\"];\n",
			n->join_id);
	indent(sb, depth);
	sfn_strbuf_adds(sb, "}\n");
}

static void write_machine(struct sfn_strbuf *sb, const struct gmachine *m,
			  const struct sfn_graph_overlay *ov, bool ids,
			  int depth)
{
	int inner = depth;
	if (m->cluster_id) {
		indent(sb, depth);
		sfn_strbuf_addf(sb, "subgraph %s {\n", m->cluster_id);
		indent(sb, depth + 1);
		sfn_strbuf_adds(sb, "graph [label=");
		quote(sb, m->title);
		sfn_strbuf_adds(sb, ", style=rounded, color=\"#9e9e9e\", "
				    "fontcolor=\"#616161\"];\n");
		inner = depth + 1;
	}
	for (size_t i = 0; i < m->n_nodes; i++) {
		const struct gnode *n = m->nodes[i];
		if (n->kind == GN_PARALLEL || n->kind == GN_MAP)
			write_nested(sb, n, ov, ids, inner);
		else
			write_node(sb, n, ov, ids, inner);
	}
	if (m->cluster_id) {
		indent(sb, depth);
		sfn_strbuf_adds(sb, "}\n");
	}
}

static void write_edge(struct sfn_strbuf *sb, const struct gedge *e,
		       const struct sfn_graph_overlay *ov)
{
	struct sfn_strbuf attrs = SFN_STRBUF_INIT;
	if (e->label) {
		sfn_strbuf_adds(&attrs, ", label=");
		quote(&attrs, e->label);
	}
	if (e->kind == GE_CATCH)
		sfn_strbuf_adds(&attrs, ", style=dashed, color=\"#c62828\", "
					"fontcolor=\"#c62828\"");
	else if (e->kind == GE_DEFAULT)
		sfn_strbuf_adds(&attrs, ", fontcolor=\"#616161\"");
	if (e->ltail)
		sfn_strbuf_addf(&attrs, ", ltail=%s", e->ltail);
	if (ov && graph_edge_taken(ov, e))
		sfn_strbuf_adds(&attrs, ", penwidth=3, color=\"#1565c0\"");
	sfn_strbuf_addf(sb, "\t%s -> %s", e->from, e->to);
	if (attrs.len)
		sfn_strbuf_addf(sb, " [%s]", attrs.buf + 2);
	sfn_strbuf_adds(sb, ";\n");
	sfn_strbuf_release(&attrs);
}

void sfn_graph_write_dot(const struct sfn_graph *g,
			 const struct sfn_graph_overlay *ov,
			 struct sfn_strbuf *out)
{
	graph_write_dot_ids(g, ov, false, out);
}

void graph_write_dot_ids(const struct sfn_graph *g,
			 const struct sfn_graph_overlay *ov, bool ids,
			 struct sfn_strbuf *out)
{
	sfn_strbuf_adds(out, "digraph sfn {\n");
	sfn_strbuf_adds(out, "\tgraph [compound=true, rankdir=TB, "
			     "fontname=\"Helvetica\", nodesep=0.4, "
			     "ranksep=0.45");
	if (g->title) {
		sfn_strbuf_adds(out, ", labelloc=t, label=");
		quote(out, g->title);
	}
	sfn_strbuf_adds(out, "];\n");
	sfn_strbuf_adds(out, "\tnode [fontname=\"Helvetica\", fontsize=11];\n"
			     "\tedge [fontname=\"Helvetica\", fontsize=9, "
			     "color=\"#555555\"];\n\n");
	sfn_strbuf_adds(out, "\t" GRAPH_START_ID " [");
	if (ids)
		sfn_strbuf_adds(out, "id=\"" GRAPH_START_ID "\", ");
	sfn_strbuf_adds(out, "label=\"Start\", "
			     "shape=circle, style=filled, "
			     "fillcolor=\"#263238\", fontcolor=white, "
			     "fontsize=9, width=0.5, fixedsize=true];\n");
	write_machine(out, &g->root, ov, ids, 1);
	sfn_strbuf_adds(out, "\t" GRAPH_END_ID " [");
	if (ids)
		sfn_strbuf_adds(out, "id=\"" GRAPH_END_ID "\", ");
	sfn_strbuf_adds(out, "label=\"End\", "
			     "shape=doublecircle, style=filled, "
			     "fillcolor=\"#263238\", fontcolor=white, "
			     "fontsize=9, width=0.45, fixedsize=true];\n\n");
	for (size_t i = 0; i < g->n_edges; i++)
		write_edge(out, &g->edges[i], ov);
	sfn_strbuf_adds(out, "}\n");
}
