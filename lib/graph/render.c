/*
 * render.c: SVG and PNG through Graphviz's library (libgvc/libcgraph, an
 * optional dependency: SFN_HAVE_GVC), and the HTML page around the SVG.
 */
#include "graph_int.h"

#include <string.h>

#ifdef SFN_HAVE_GVC
#include <gvc.h>
#endif

#define NO_GRAPHVIZ                                                            \
	"sfn was built without Graphviz's libgvc, so it cannot write %s: "     \
	"install libgraphviz-dev and rebuild (cmake -DSFN_GRAPHVIZ=ON), or "   \
	"use --format dot and run Graphviz's dot yourself"

bool sfn_graph_have_graphviz(void)
{
#ifdef SFN_HAVE_GVC
	return true;
#else
	return false;
#endif
}

int sfn_graph_render(const struct sfn_graph *g,
		     const struct sfn_graph_overlay *overlay,
		     enum sfn_graph_format format, struct sfn_strbuf *out,
		     struct sfn_error *err)
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

	sfn_graph_write_dot(g, overlay, &dot);
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
	(void)out;
	return sfn_errorf(err, "SFN_GRAPHVIZ", NULL, NO_GRAPHVIZ, fmt);
#endif
}

/* Appends @s with & < > " escaped for HTML text and attributes. */
static void html_escape(struct sfn_strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			sfn_strbuf_adds(sb, "&amp;");
			break;
		case '<':
			sfn_strbuf_adds(sb, "&lt;");
			break;
		case '>':
			sfn_strbuf_adds(sb, "&gt;");
			break;
		case '"':
			sfn_strbuf_adds(sb, "&quot;");
			break;
		default:
			sfn_strbuf_addch(sb, *s);
		}
	}
}

int sfn_graph_write_html(const struct sfn_graph *g,
			 const struct sfn_graph_overlay *overlay,
			 const char *title, struct sfn_strbuf *out,
			 struct sfn_error *err)
{
	if (!sfn_graph_have_graphviz())
		return sfn_errorf(err, "SFN_GRAPHVIZ", NULL, NO_GRAPHVIZ,
				  "html");
	struct sfn_strbuf svg = SFN_STRBUF_INIT;
	if (sfn_graph_render(g, overlay, SFN_GRAPH_SVG, &svg, err) < 0) {
		sfn_strbuf_release(&svg);
		return -1;
	}
	/* inline SVG: drop the XML declaration and DOCTYPE before <svg */
	const char *body = strstr(svg.buf, "<svg");
	if (!body)
		body = svg.buf;
	if (!title)
		title = g->title ? g->title : "state machine";
	sfn_strbuf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			     "<meta charset=\"utf-8\">\n"
			     "<meta name=\"viewport\" "
			     "content=\"width=device-width, "
			     "initial-scale=1\">\n"
			     "<meta name=\"generator\" content=\"sfn graph\">\n"
			     "<title>");
	html_escape(out, title);
	sfn_strbuf_adds(
		out, "</title>\n<style>\n"
		     "body{margin:0;font-family:Helvetica,Arial,sans-serif;"
		     "background:#fafafa;color:#212121}\n"
		     "header{padding:12px 20px;background:#fff;"
		     "border-bottom:1px solid #e0e0e0}\n"
		     "h1{font-size:18px;margin:0;font-weight:600}\n"
		     "header p{margin:4px 0 0;color:#616161;font-size:13px}\n"
		     "main{padding:20px;overflow:auto}\n"
		     "main svg{max-width:100%;height:auto}\n"
		     "</style>\n</head>\n<body>\n<header>\n<h1>");
	html_escape(out, title);
	sfn_strbuf_adds(out, "</h1>\n");
	if (g->title && strcmp(title, g->title)) {
		sfn_strbuf_adds(out, "<p>");
		html_escape(out, g->title);
		sfn_strbuf_adds(out, "</p>\n");
	}
	sfn_strbuf_adds(out, "</header>\n<main>\n");
	sfn_strbuf_adds(out, body);
	sfn_strbuf_adds(out, "</main>\n</body>\n</html>\n");
	sfn_strbuf_release(&svg);
	return 0;
}
