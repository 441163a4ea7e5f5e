/*
 * render.c: SVG and PNG through Graphviz's library (libgvc/libcgraph, an
 * optional dependency: SFN_HAVE_GVC); html.c wraps the SVG in a page.
 */
#include "graph_int.h"

#include <string.h>

#ifdef SFN_HAVE_GVC
#include <gvc.h>
#endif

bool sfn_graph_have_graphviz(void)
{
#ifdef SFN_HAVE_GVC
	return true;
#else
	return false;
#endif
}

static int render(const struct sfn_graph *g,
		  const struct sfn_graph_overlay *overlay,
		  enum sfn_graph_format format, bool ids,
		  struct sfn_strbuf *out, struct sfn_error *err)
{
	const char *fmt = format == SFN_GRAPH_SVG   ? "svg"
			  : format == SFN_GRAPH_PNG ? "png"
						    : NULL;
	if (!fmt)
		SFN_BUG("sfn_graph_render: format %d is not svg or png",
			(int)format);
#ifdef SFN_HAVE_GVC
	struct sfn_strbuf dot = SFN_STRBUF_INIT;
	GVC_t *gvc = NULL;
	Agraph_t *gr = NULL;
	bool laid_out = false;
	char *data = NULL;
	unsigned int len = 0;
	int ret = -1;

	graph_write_dot_ids(g, overlay, ids, &dot);
	/* Graphviz reports to stderr; lib/ must not print, and a warning
	 * about our own layout is nothing the user can act on. */
	agseterr(AGMAX);
	gvc = gvContext();
	if (!gvc) {
		sfn_errorf(err, "SFN_GRAPHVIZ", NULL,
			   "cannot start Graphviz (gvContext failed)");
		goto out;
	}
	gr = agmemread(dot.buf);
	if (!gr) {
		sfn_errorf(err, "SFN_GRAPHVIZ", NULL,
			   "Graphviz could not read the generated graph");
		goto out;
	}
	if (gvLayout(gvc, gr, "dot") != 0) {
		sfn_errorf(err, "SFN_GRAPHVIZ", NULL,
			   "Graphviz has no 'dot' layout: is the graphviz "
			   "plugin configuration installed (dot -c)?");
		goto out;
	}
	laid_out = true;
	if (gvRenderData(gvc, gr, fmt, &data, &len) != 0 || !data) {
		sfn_errorf(err, "SFN_GRAPHVIZ", NULL,
			   "Graphviz cannot render '%s': install its plugins "
			   "(Debian: libgvc6 with libcairo for png)",
			   fmt);
		goto out;
	}
	sfn_strbuf_add(out, data, len);
	ret = 0;
out:
	if (data)
		gvFreeRenderData(data);
	if (laid_out)
		gvFreeLayout(gvc, gr);
	if (gr)
		agclose(gr);
	if (gvc)
		gvFreeContext(gvc);
	sfn_strbuf_release(&dot);
	return ret;
#else
	(void)g;
	(void)overlay;
	(void)ids;
	(void)out;
	return sfn_errorf(err, "SFN_GRAPHVIZ", NULL, GRAPH_NO_GRAPHVIZ, fmt);
#endif
}

int sfn_graph_render(const struct sfn_graph *g,
		     const struct sfn_graph_overlay *overlay,
		     enum sfn_graph_format format, struct sfn_strbuf *out,
		     struct sfn_error *err)
{
	return render(g, overlay, format, false, out, err);
}

int graph_render_svg_ids(const struct sfn_graph *g,
			 const struct sfn_graph_overlay *ov,
			 struct sfn_strbuf *out, struct sfn_error *err)
{
	return render(g, ov, SFN_GRAPH_SVG, true, out, err);
}
