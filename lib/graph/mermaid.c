/*
 * mermaid.c: the graph as a Mermaid flowchart. Same nodes, clusters
 * (subgraphs) and edges as the DOT writer; styles are classDefs, and edge
 * colours go by edge number (linkStyle).
 */
#include "graph_int.h"

#include <string.h>

/*
 * Appends @s as the text of a quoted Mermaid label. Mermaid reads "#NN;" as
 * an entity, so every character that could end the quotes, start an entity,
 * a comment, an edge label or HTML is written as one: " # % & < > ` |.
 * Line breaks become <br>, other control characters spaces.
 */
static void quote(struct sfn_strbuf *sb, const char *s)
{
	sfn_strbuf_addch(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (strchr("\"#%&<>`|", c) && c) {
			sfn_strbuf_addf(sb, "#%d;", c);
		} else if (c == '\n') {
			sfn_strbuf_adds(sb, "<br>");
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
		sfn_strbuf_adds(sb, "    ");
}

/* Each kind's shape (the brackets around the label) and class. */
static void kind_shape(enum gnode_kind kind, const char **open,
		       const char **close, const char **cls)
{
	*open = "[";
	*close = "]";
	switch (kind) {
	case GN_TASK:
		*open = "(", *close = ")", *cls = "task";
		return;
	case GN_PASS:
		*open = "[/", *close = "/]", *cls = "pass";
		return;
	case GN_WAIT:
		*open = "{{", *close = "}}", *cls = "wait";
		return;
	case GN_CHOICE:
		*open = "{", *close = "}", *cls = "choice";
		return;
	case GN_SUCCEED:
		*open = "([", *close = "])", *cls = "succeed";
		return;
	case GN_FAIL:
		*open = "([", *close = "])", *cls = "fail";
		return;
	case GN_PARALLEL:
	case GN_MAP:
		*open = "[[", *close = "]]", *cls = "flow";
		return;
	case GN_MISSING:
		*cls = "missing";
		return;
	case GN_OTHER:
		break;
	}
	*cls = "other";
}

static const char *status_class(enum sfn_graph_status st)
{
	switch (st) {
	case SFN_GRAPH_SUCCEEDED:
		return "succeeded";
	case SFN_GRAPH_FAILED:
		return "failed";
	case SFN_GRAPH_CAUGHT:
		return "caught";
	case SFN_GRAPH_RUNNING:
		return "running";
	case SFN_GRAPH_UNSET:
	case SFN_GRAPH_NOT_REACHED:
		break;
	}
	return "notreached";
}

static void write_machine(struct sfn_strbuf *sb, const struct gmachine *m,
			  const struct sfn_graph_overlay *ov, int depth);

static void write_node(struct sfn_strbuf *sb, const struct gnode *n,
		       const struct sfn_graph_overlay *ov, int depth)
{
	const char *open, *close, *cls;
	struct sfn_strbuf label = SFN_STRBUF_INIT;
	kind_shape(n->kind, &open, &close, &cls);
	if (n->kind == GN_MISSING) {
		sfn_strbuf_addf(&label, "'%s'\nno such state", n->label);
	} else {
		sfn_strbuf_adds(&label, n->label);
		graph_overlay_lines(&label, ov, n);
	}
	if (ov && n->kind != GN_MISSING)
		cls = status_class(graph_node_status(ov, n));
	indent(sb, depth);
	sfn_strbuf_addf(sb, "%s%s", n->id, open);
	quote(sb, label.buf);
	sfn_strbuf_addf(sb, "%s:::%s\n", close, cls);
	sfn_strbuf_release(&label);
}

static void write_nested(struct sfn_strbuf *sb, const struct gnode *n,
			 const struct sfn_graph_overlay *ov, int depth)
{
	indent(sb, depth);
	sfn_strbuf_addf(sb, "subgraph %s [\" \"]\n", n->cluster_id);
	indent(sb, depth + 1);
	sfn_strbuf_adds(sb, "direction TB\n");
	write_node(sb, n, ov, depth + 1);
	for (size_t i = 0; i < n->n_subs; i++)
		write_machine(sb, n->subs[i], ov, depth + 1);
	indent(sb, depth + 1);
	sfn_strbuf_addf(sb, "%s((\" \")):::join\n", n->join_id);
	indent(sb, depth);
	sfn_strbuf_adds(sb, "end\n");
}

static void write_machine(struct sfn_strbuf *sb, const struct gmachine *m,
			  const struct sfn_graph_overlay *ov, int depth)
{
	int inner = depth;
	if (m->cluster_id) {
		indent(sb, depth);
		sfn_strbuf_addf(sb, "subgraph %s [", m->cluster_id);
		quote(sb, m->title);
		sfn_strbuf_adds(sb, "]\n");
		indent(sb, depth + 1);
		sfn_strbuf_adds(sb, "direction TB\n");
		inner = depth + 1;
	}
	for (size_t i = 0; i < m->n_nodes; i++) {
		const struct gnode *n = m->nodes[i];
		if (n->kind == GN_PARALLEL || n->kind == GN_MAP)
			write_nested(sb, n, ov, inner);
		else
			write_node(sb, n, ov, inner);
	}
	if (m->cluster_id) {
		indent(sb, depth);
		sfn_strbuf_adds(sb, "end\n");
	}
}

/* Cluster colours (Mermaid's default fills every subgraph yellow). */
static void style_clusters(struct sfn_strbuf *sb, const struct gmachine *m)
{
	if (m->cluster_id)
		sfn_strbuf_addf(sb,
				"    style %s fill:#ffffff,stroke:#9e9e9e,"
				"color:#616161\n",
				m->cluster_id);
	for (size_t i = 0; i < m->n_nodes; i++) {
		const struct gnode *n = m->nodes[i];
		if (n->kind != GN_PARALLEL && n->kind != GN_MAP)
			continue;
		sfn_strbuf_addf(sb,
				"    style %s fill:#faf8ff,stroke:#5e35b1%s\n",
				n->cluster_id,
				n->distributed ? ",stroke-width:2px"
					       : ",stroke-dasharray:5 4");
		for (size_t j = 0; j < n->n_subs; j++)
			style_clusters(sb, n->subs[j]);
	}
}

/* Appends "a,b,c" of the edge numbers in @idx, with a leading @prefix. */
static void add_link_style(struct sfn_strbuf *sb, const size_t *idx, size_t n,
			   const char *style)
{
	if (!n)
		return;
	sfn_strbuf_adds(sb, "    linkStyle ");
	for (size_t i = 0; i < n; i++)
		sfn_strbuf_addf(sb, "%s%zu", i ? "," : "", idx[i]);
	sfn_strbuf_addf(sb, " %s\n", style);
}

void sfn_graph_write_mermaid(const struct sfn_graph *g,
			     const struct sfn_graph_overlay *ov,
			     struct sfn_strbuf *out)
{
	if (g->title) {
		/* front matter is YAML; a JSON string is a YAML string */
		struct sfn_strbuf t = SFN_STRBUF_INIT;
		sfn_json_quote(&t, g->title, strlen(g->title), 0);
		sfn_strbuf_addf(out, "---\ntitle: %s\n---\n", t.buf);
		sfn_strbuf_release(&t);
	}
	sfn_strbuf_adds(out, "flowchart TB\n");
	sfn_strbuf_adds(out, "    " GRAPH_START_ID "((\"Start\")):::marker\n");
	write_machine(out, &g->root, ov, 1);
	sfn_strbuf_adds(out, "    " GRAPH_END_ID "(((\"End\"))):::marker\n");

	size_t *catches = sfn_xcalloc(g->n_edges + 1, sizeof(size_t));
	size_t *taken = sfn_xcalloc(g->n_edges + 1, sizeof(size_t));
	size_t n_catches = 0, n_taken = 0;
	for (size_t i = 0; i < g->n_edges; i++) {
		const struct gedge *e = &g->edges[i];
		const char *arrow = e->kind == GE_CATCH ? "-.->" : "-->";
		if (ov && graph_edge_taken(ov, e)) {
			taken[n_taken++] = i;
			if (e->kind != GE_CATCH)
				arrow = "==>";
		} else if (e->kind == GE_CATCH) {
			catches[n_catches++] = i;
		}
		sfn_strbuf_addf(out, "    %s %s", e->from, arrow);
		if (e->label) {
			sfn_strbuf_addch(out, '|');
			quote(out, e->label);
			sfn_strbuf_addch(out, '|');
		}
		sfn_strbuf_addf(out, " %s\n", e->to);
	}
	sfn_strbuf_adds(out,
			"    classDef task fill:#e3ecfa,stroke:#3b5998\n"
			"    classDef pass fill:#f1f3f4,stroke:#6b6b6b\n"
			"    classDef wait fill:#fff8e1,stroke:#b08900\n"
			"    classDef choice fill:#fff4d6,stroke:#b08900\n"
			"    classDef succeed "
			"fill:#e8f5e9,stroke:#2e7d32,stroke-width:2px\n"
			"    classDef fail "
			"fill:#ffebee,stroke:#c62828,stroke-width:3px\n"
			"    classDef flow fill:#ede7f6,stroke:#5e35b1\n"
			"    classDef join fill:#5e35b1,stroke:#5e35b1\n"
			"    classDef marker "
			"fill:#263238,stroke:#263238,color:#ffffff\n"
			"    classDef missing "
			"fill:#ffffff,stroke:#c62828,color:#c62828,stroke-"
			"dasharray:4 3\n"
			"    classDef other "
			"fill:#ffffff,stroke:#6b6b6b,stroke-dasharray:4 3\n");
	if (ov)
		sfn_strbuf_adds(out,
				"    classDef succeeded "
				"fill:#c8e6c9,stroke:#2e7d32,stroke-width:2px\n"
				"    classDef failed "
				"fill:#ffcdd2,stroke:#c62828,stroke-width:3px\n"
				"    classDef caught "
				"fill:#ffe0b2,stroke:#ef6c00,stroke-width:2px\n"
				"    classDef running "
				"fill:#bbdefb,stroke:#1565c0,stroke-width:2px\n"
				"    classDef notreached "
				"fill:#f5f5f5,stroke:#bdbdbd,color:#9e9e9e\n");
	style_clusters(out, &g->root);
	add_link_style(out, catches, n_catches, "stroke:#c62828,color:#c62828");
	add_link_style(out, taken, n_taken, "stroke:#1565c0,stroke-width:3px");
	free(catches);
	free(taken);
}
