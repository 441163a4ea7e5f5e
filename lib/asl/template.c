/*
 * State machines in a loaded document: the document itself, or each
 * AWS::StepFunctions::StateMachine and AWS::Serverless::StateMachine of a
 * CloudFormation/SAM template.
 *
 * A machine's definition comes from
 *   Definition            an object in the template: its values are copied
 *                         and the document shares the template's source
 *                         map, so positions point into the template;
 *   DefinitionString      a string, or Fn::Sub / Fn::Join building one: the
 *                         text is rebuilt with every byte remembering where
 *                         in the template it came from (a string literal's
 *                         escapes and a YAML literal block's indentation are
 *                         decoded for that), then parsed;
 *   DefinitionUri,        a local path relative to the template (what
 *   DefinitionS3Location  'sam build' and 'aws cloudformation package'
 *                         accept); a bucket and key cannot be read locally.
 * Intrinsic functions are not evaluated against a stack: Ref, Fn::GetAtt
 * and pseudo parameters (${AWS::Region}) become plausible stand-ins (an ARN
 * for an Arn attribute, a parameter's Default) with a warning
 * SFN_UNRESOLVED_PLACEHOLDER. DefinitionSubstitutions then replace ${Name}
 * in the definition's strings (keys too); a ${Name} with no value stays as
 * text, with the same warning.
 */
#include "asl/asl.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asl/asl_int.h"

#define CODE_PLACEHOLDER "SFN_UNRESOLVED_PLACEHOLDER"
#define REGION		 "us-east-1"
#define ACCOUNT		 "123456789012"

/* Text whose every byte knows its place in the template. */
struct tmap {
	struct sfn_strbuf t;
	int32_t *line, *col;
	size_t alloc;
};

struct tctx {
	struct sfn_doc *doc; /* the template */
	size_t scan_budget;  /* source bytes add_literal() may still scan */
	json_t *resources;   /* borrowed */
	json_t *parameters;  /* borrowed; may be NULL */
	struct sfn_diags *diags;
	size_t diags_from; /* diags before that are not the template's */
	struct sfn_error *err;
};

static void tmap_init(struct tmap *m)
{
	sfn_strbuf_init(&m->t, 0);
	m->line = m->col = NULL;
	m->alloc = 0;
}

static void tmap_release(struct tmap *m)
{
	sfn_strbuf_release(&m->t);
	free(m->line);
	free(m->col);
	m->line = m->col = NULL;
	m->alloc = 0;
}

static void tmap_reserve(struct tmap *m, size_t n)
{
	if (m->t.len + n <= m->alloc)
		return;
	size_t a = m->alloc ? m->alloc : 64;
	while (a < m->t.len + n)
		a *= 2;
	m->line = sfn_xrealloc(m->line, a * sizeof(*m->line));
	m->col = sfn_xrealloc(m->col, a * sizeof(*m->col));
	m->alloc = a;
}

/* Appends @n bytes that all stand at @line:@col. */
static void tmap_add(struct tmap *m, const char *s, size_t n, int line, int col)
{
	tmap_reserve(m, n);
	for (size_t i = 0; i < n; i++) {
		m->line[m->t.len + i] = line;
		m->col[m->t.len + i] = col;
	}
	sfn_strbuf_add(&m->t, s, n);
}

static void tmap_add_from(struct tmap *m, const struct tmap *src, size_t off,
			  size_t n)
{
	if (!n)
		return; /* @src may have no arrays yet: NULL + 0 */
	tmap_reserve(m, n);
	memcpy(m->line + m->t.len, src->line + off, n * sizeof(*m->line));
	memcpy(m->col + m->t.len, src->col + off, n * sizeof(*m->col));
	sfn_strbuf_add(&m->t, src->t.buf + off, n);
}

/* ---- diagnostics ---- */

static void warn(struct tctx *tc, const char *where, int line, int col,
		 const char *fmt, ...) SFN_PRINTF(5, 6);

static void warn(struct tctx *tc, const char *where, int line, int col,
		 const char *fmt, ...)
{
	if (!tc->diags)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = sfn_xvasprintf(fmt, ap);
	va_end(ap);
	/*
	 * A stand-in met again (a variable of Fn::Sub used twice, a
	 * substitution used in several strings) is warned about once.
	 */
	for (size_t i = tc->diags->n; i-- > tc->diags_from;) {
		const struct sfn_diag *o = &tc->diags->v[i];
		if (o->line == line && o->col == col &&
		    !strcmp(o->code, CODE_PLACEHOLDER) &&
		    !strcmp(o->message, msg)) {
			free(msg);
			return;
		}
	}
	struct sfn_diag *d = sfn_diags_addf(tc->diags, SFN_SEV_WARNING,
					    CODE_PLACEHOLDER, where, "%s", msg);
	d->line = line;
	d->col = col;
	free(msg);
}

static int fail_at(struct tctx *tc, const char *name, const char *where,
		   const char *fmt, ...) SFN_PRINTF(4, 5);

static int fail_at(struct tctx *tc, const char *name, const char *where,
		   const char *fmt, ...)
{
	struct sfn_error *err = tc->err;
	if (!err || sfn_error_is_set(err))
		return -1;
	va_list ap;
	va_start(ap, fmt);
	sfn_verrorf(err, name, where, fmt, ap);
	va_end(ap);
	sfn_doc_locate(tc->doc, err);
	return -1;
}

static void pos(struct tctx *tc, const char *ptr, int *line, int *col)
{
	sfn_doc_pos(tc->doc, ptr, false, line, col);
}

/* ---- decoding a string literal's source, byte by byte ---- */

struct cursor {
	const char *p, *end;
	int line, col;
};

static void adv(struct cursor *c)
{
	if (*c->p == '\n') {
		c->line++;
		c->col = 1;
		c->p++;
		return;
	}
	c->p++;
	while (c->p < c->end && ((unsigned char)*c->p & 0xC0) == 0x80)
		c->p++;
	c->col++;
}

static size_t seq_len(const char *p, const char *end)
{
	size_t n = 1;
	while (p + n < end && ((unsigned char)p[n] & 0xC0) == 0x80)
		n++;
	return n;
}

/* A quoted scalar on one line: JSON escapes ("), or '' (single). */
static bool decode_quoted(struct cursor *c, struct tmap *m)
{
	char q = *c->p;
	adv(c);
	while (c->p < c->end && *c->p != '\n' && *c->p != '\r') {
		int line = c->line, col = c->col;
		if (*c->p == q) {
			if (q == '\'' && c->p + 1 < c->end && c->p[1] == '\'') {
				tmap_add(m, "'", 1, line, col);
				adv(c);
				adv(c);
				continue;
			}
			return true;
		}
		if (q == '"' && *c->p == '\\') {
			if (c->p + 1 >= c->end)
				return false;
			const char *e = c->p + 1;
			static const char from[] = "\"\\/bfnrt";
			static const char to[] = "\"\\/\b\f\n\r\t";
			const char *k = strchr(from, *e);
			if (k && *e) {
				tmap_add(m, &to[k - from], 1, line, col);
				adv(c);
				adv(c);
				continue;
			}
			if (*e != 'u' || c->end - e < 5)
				return false;
			unsigned cp = (unsigned)strtoul(
				(char[]){ e[1], e[2], e[3], e[4], 0 }, NULL,
				16);
			for (int i = 0; i < 6; i++)
				adv(c);
			if (cp >= 0xD800 && cp <= 0xDBFF &&
			    c->end - c->p >= 6 && c->p[0] == '\\' &&
			    c->p[1] == 'u') {
				unsigned lo = (unsigned)strtoul(
					(char[]){ c->p[2], c->p[3], c->p[4],
						  c->p[5], 0 },
					NULL, 16);
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				     (lo - 0xDC00);
				for (int i = 0; i < 6; i++)
					adv(c);
			}
			char b[4];
			size_t n = 0;
			if (cp < 0x80) {
				b[n++] = (char)cp;
			} else if (cp < 0x800) {
				b[n++] = (char)(0xC0 | (cp >> 6));
				b[n++] = (char)(0x80 | (cp & 0x3F));
			} else if (cp < 0x10000) {
				b[n++] = (char)(0xE0 | (cp >> 12));
				b[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
				b[n++] = (char)(0x80 | (cp & 0x3F));
			} else {
				b[n++] = (char)(0xF0 | (cp >> 18));
				b[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
				b[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
				b[n++] = (char)(0x80 | (cp & 0x3F));
			}
			tmap_add(m, b, n, line, col);
			continue;
		}
		size_t n = seq_len(c->p, c->end);
		tmap_add(m, c->p, n, line, col);
		adv(c);
	}
	return false;
}

/* A YAML literal block (|): lines without their indentation. */
static bool decode_literal_block(struct cursor *c, struct tmap *m)
{
	while (c->p < c->end && *c->p != '\n')
		adv(c);
	if (c->p >= c->end)
		return false;
	adv(c);
	int indent = -1;
	while (c->p < c->end) {
		const char *ls = c->p;
		int n = 0;
		while (ls + n < c->end && ls[n] == ' ')
			n++;
		bool blank = ls + n >= c->end || ls[n] == '\n' || ls[n] == '\r';
		if (!blank && indent < 0)
			indent = n;
		if (!blank && n < indent)
			break;
		for (int i = 0; i < (blank ? n : indent); i++)
			adv(c);
		while (c->p < c->end && *c->p != '\n') {
			if (*c->p == '\r') {
				adv(c);
				continue;
			}
			size_t k = seq_len(c->p, c->end);
			tmap_add(m, c->p, k, c->line, c->col);
			adv(c);
		}
		if (c->p >= c->end)
			break;
		tmap_add(m, "\n", 1, c->line, c->col);
		adv(c);
	}
	return indent >= 0;
}

/*
 * The bytes of string @v (at @ptr in the template), each placed where the
 * template has it. Falls back to placing all at the string's start when
 * the source is not one of the forms decoded here.
 */
static void add_literal(struct tctx *tc, struct tmap *m, const json_t *v,
			const char *ptr)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	int line, col;
	pos(tc, ptr, &line, &col);
	const struct sfn_srcmap *map = tc->doc->map;
	/* Finding the source costs a scan from its start: within a budget
	 * of passes over the template, else positions are pinned. */
	const char *p = NULL;
	if (map->src && tc->scan_budget > 0) {
		p = sfn_text_at(map->src, map->src_len, line, col);
		size_t cost = p ? (size_t)(p - map->src) : map->src_len;
		tc->scan_budget =
			cost < tc->scan_budget ? tc->scan_budget - cost : 0;
	}
	struct tmap d;
	tmap_init(&d);
	bool ok = false;
	if (p) {
		struct cursor c = { p, map->src + map->src_len, line, col };
		/* Skip a YAML tag (!Sub) and an anchor before the scalar. */
		while (c.p < c.end && (*c.p == '!' || *c.p == '&')) {
			while (c.p < c.end && *c.p != ' ' && *c.p != '\n')
				adv(&c);
			while (c.p < c.end && *c.p == ' ')
				adv(&c);
		}
		char kind = c.p < c.end ? *c.p : 0;
		if (c.p < c.end && (*c.p == '"' || *c.p == '\''))
			ok = decode_quoted(&c, &d);
		else if (c.p < c.end && *c.p == '|')
			ok = decode_literal_block(&c, &d);
		else if (c.p < c.end)
			ok = true,
			tmap_add(&d, c.p, strcspn(c.p, "\r\n"), c.line, c.col);
		/* Chomping: drop extra final newlines the value lacks. */
		while (ok && d.t.len > n && d.t.buf[d.t.len - 1] == '\n')
			d.t.buf[--d.t.len] = '\0';
		ok = ok && d.t.len == n && !memcmp(d.t.buf, s, n);
		if (ok && kind != '"' && kind != '\'' && kind != '|')
			/* A plain scalar: one position per character. */
			for (size_t i = 0, cc = (size_t)c.col; i < n; i++) {
				d.col[i] = (int32_t)cc;
				if (i + 1 < n &&
				    ((unsigned char)s[i + 1] & 0xC0) != 0x80)
					cc++;
			}
	}
	if (ok)
		tmap_add_from(m, &d, 0, d.t.len);
	else
		tmap_add(m, s, n, line, col);
	tmap_release(&d);
}

/* ---- stand-ins for what only a deployed stack knows ---- */

static const char *pseudo(const char *name)
{
	static const char *const tab[][2] = {
		{ "AWS::Region", REGION },
		{ "AWS::AccountId", ACCOUNT },
		{ "AWS::Partition", "aws" },
		{ "AWS::URLSuffix", "amazonaws.com" },
		{ "AWS::StackName", "sfn-local" },
		{ "AWS::StackId",
		  "arn:aws:cloudformation:" REGION ":" ACCOUNT
		  ":stack/sfn-local/00000000-0000-0000-0000-000000000000" },
		{ "AWS::NotificationARNs", "" },
		{ "AWS::NoValue", "" },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(tab[i][0], name))
			return tab[i][1];
	return NULL;
}

static const char *res_type(struct tctx *tc, const char *id)
{
	json_t *r = json_object_get(tc->resources, id);
	return json_string_value(json_object_get(r, "Type"));
}

/* A new string: what Ref @id would plausibly give. */
static char *ref_value(struct tctx *tc, const char *id)
{
	const char *p = pseudo(id);
	if (p)
		return sfn_xstrdup(p);
	json_t *param = json_object_get(tc->parameters, id);
	if (param) {
		json_t *def = json_object_get(param, "Default");
		if (json_is_string(def))
			return sfn_xstrdup(json_string_value(def));
		if (json_is_number(def) || json_is_boolean(def))
			return sfn_json_dumps(def, 0);
		return sfn_xstrdup(id);
	}
	const char *t = res_type(tc, id);
	if (!t)
		return sfn_xstrdup(id);
	if (!strcmp(t, "AWS::StepFunctions::StateMachine") ||
	    !strcmp(t, "AWS::Serverless::StateMachine"))
		return sfn_xasprintf("arn:aws:states:%s:%s:stateMachine:%s",
				     REGION, ACCOUNT, id);
	if (!strcmp(t, "AWS::StepFunctions::Activity"))
		return sfn_xasprintf("arn:aws:states:%s:%s:activity:%s", REGION,
				     ACCOUNT, id);
	if (!strcmp(t, "AWS::SNS::Topic"))
		return sfn_xasprintf("arn:aws:sns:%s:%s:%s", REGION, ACCOUNT,
				     id);
	if (!strcmp(t, "AWS::SQS::Queue"))
		return sfn_xasprintf("https://sqs.%s.amazonaws.com/%s/%s",
				     REGION, ACCOUNT, id);
	return sfn_xstrdup(id);
}

/* A new string: what Fn::GetAtt @id.@attr would plausibly give. */
static char *getatt_value(struct tctx *tc, const char *id, const char *attr)
{
	const char *t = res_type(tc, id);
	if (!t)
		t = "";
	bool arn = strstr(attr, "Arn") != NULL;
	if (!strcmp(t, "AWS::Lambda::Function") ||
	    !strcmp(t, "AWS::Serverless::Function"))
		return arn ? sfn_xasprintf("arn:aws:lambda:%s:%s:function:%s",
					   REGION, ACCOUNT, id)
			   : sfn_xstrdup(id);
	if (!strcmp(t, "AWS::SQS::Queue") && !strcmp(attr, "QueueUrl"))
		return sfn_xasprintf("https://sqs.%s.amazonaws.com/%s/%s",
				     REGION, ACCOUNT, id);
	if (!arn) {
		/*
		 * Not an ARN: a state machine's Name, a queue's QueueName, a
		 * topic's TopicName are the (stand-in) name; others unknown.
		 */
		if (!strcmp(attr, "Name") || !strcmp(attr, "QueueName") ||
		    !strcmp(attr, "TopicName"))
			return sfn_xstrdup(id);
		return sfn_xasprintf("%s.%s", id, attr);
	}
	if (!strcmp(t, "AWS::SQS::Queue"))
		return sfn_xasprintf("arn:aws:sqs:%s:%s:%s", REGION, ACCOUNT,
				     id);
	if (!strcmp(t, "AWS::DynamoDB::Table"))
		return sfn_xasprintf("arn:aws:dynamodb:%s:%s:table/%s", REGION,
				     ACCOUNT, id);
	if (!strcmp(t, "AWS::IAM::Role"))
		return sfn_xasprintf("arn:aws:iam::%s:role/%s", ACCOUNT, id);
	if (!strcmp(t, "AWS::S3::Bucket"))
		return sfn_xasprintf("arn:aws:s3:::%s", id);
	if (!strcmp(t, "AWS::SNS::Topic"))
		return sfn_xasprintf("arn:aws:sns:%s:%s:%s", REGION, ACCOUNT,
				     id);
	if (!strcmp(t, "AWS::StepFunctions::StateMachine") ||
	    !strcmp(t, "AWS::Serverless::StateMachine"))
		return sfn_xasprintf("arn:aws:states:%s:%s:stateMachine:%s",
				     REGION, ACCOUNT, id);
	if (arn && !strncmp(t, "AWS::", 5)) {
		/* arn:aws:<service>:region:account:<resource>/<id> */
		const char *svc = t + 5, *e = strstr(svc, "::");
		size_t n = e ? (size_t)(e - svc) : strlen(svc);
		char *s = sfn_xasprintf("arn:aws:%.*s:%s:%s:%s/%s", (int)n, svc,
					REGION, ACCOUNT, e ? e + 2 : "", id);
		for (char *q = s + 8; *q && *q != ':'; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q = (char)(*q - 'A' + 'a');
		return s;
	}
	return sfn_xasprintf("%s.%s", id, attr);
}

/* ---- turning intrinsic functions into text ---- */

static int to_text(struct tctx *tc, const json_t *v, struct sfn_strbuf *ptr,
		   struct tmap *out);

static void push(struct sfn_strbuf *ptr, const char *tok, size_t *mark)
{
	*mark = ptr->len;
	sfn_pointer_add(ptr, tok);
}

static void pushi(struct sfn_strbuf *ptr, size_t i, size_t *mark)
{
	*mark = ptr->len;
	sfn_pointer_addi(ptr, i);
}

static void pop(struct sfn_strbuf *ptr, size_t mark)
{
	ptr->len = mark;
	ptr->buf[mark] = '\0';
}

static const char *find2(const char *s, size_t n, size_t from)
{
	for (size_t i = from; i + 1 < n; i++)
		if (s[i] == '$' && s[i + 1] == '{')
			return s + i;
	return NULL;
}

/*
 * Fn::Sub: @text (at @ptr) with ${Name} from @vars (at @vptr; both may be
 * NULL), pseudo parameters, parameters and resources.
 */
static int sub(struct tctx *tc, const json_t *text, struct sfn_strbuf *ptr,
	       const json_t *vars, struct sfn_strbuf *vptr, struct tmap *out)
{
	struct tmap src;
	tmap_init(&src);
	add_literal(tc, &src, text, ptr->buf);
	const char *s = src.t.buf;
	size_t n = src.t.len, i = 0;
	int rc = 0;
	while (i < n) {
		const char *d = find2(s, n, i);
		size_t at = d ? (size_t)(d - s) : n;
		tmap_add_from(out, &src, i, at - i);
		if (!d)
			break;
		int line = src.line[at], col = src.col[at];
		if (at + 2 < n && s[at + 2] == '!') {
			/* ${!Literal} is the text ${Literal}. */
			tmap_add(out, "${", 2, line, col);
			i = at + 3;
			continue;
		}
		const char *close = memchr(s + at, '}', n - at);
		if (!close) {
			tmap_add_from(out, &src, at, n - at);
			break;
		}
		size_t end = (size_t)(close - s) + 1;
		char *name = sfn_xstrndup(s + at + 2, end - at - 3);
		json_t *var = vars ? json_object_get(vars, name) : NULL;
		const char *dot = strchr(name, '.');
		if (var) {
			size_t m1;
			push(vptr, name, &m1);
			struct tmap vt;
			tmap_init(&vt);
			rc = to_text(tc, var, vptr, &vt);
			tmap_add(out, vt.t.buf, vt.t.len, line, col);
			tmap_release(&vt);
			pop(vptr, m1);
		} else if (pseudo(name) ||
			   json_object_get(tc->parameters, name) ||
			   json_object_get(tc->resources, name)) {
			char *val = ref_value(tc, name);
			warn(tc, ptr->buf, line, col,
			     "'${%s}' has no value outside a deployed stack; "
			     "'%s' stands in for it",
			     name, val);
			tmap_add(out, val, strlen(val), line, col);
			free(val);
		} else if (dot && strlen(name) < 512) {
			char id[512];
			memcpy(id, name, (size_t)(dot - name));
			id[dot - name] = '\0';
			if (json_object_get(tc->resources, id)) {
				char *val = getatt_value(tc, id, dot + 1);
				warn(tc, ptr->buf, line, col,
				     "'${%s}' has no value outside a deployed "
				     "stack; '%s' stands in for it",
				     name, val);
				tmap_add(out, val, strlen(val), line, col);
				free(val);
			} else {
				tmap_add_from(out, &src, at, end - at);
			}
		} else {
			/* Maybe a DefinitionSubstitutions name: kept. */
			tmap_add_from(out, &src, at, end - at);
		}
		free(name);
		i = end;
		if (rc < 0)
			break;
	}
	tmap_release(&src);
	return rc;
}

/*
 * Fn::FindInMap [map, key, key] (@arg, at @ptr): a new string, the mapped
 * value when every key is known without a stack (a literal, a parameter's
 * Default) and the Mappings have it; NULL if not (*rc < 0 on an error).
 */
static char *find_in_map(struct tctx *tc, const json_t *arg,
			 struct sfn_strbuf *ptr, int *rc)
{
	json_t *v = json_object_get(tc->doc->root, "Mappings");
	for (size_t k = 0; k < 3; k++) {
		json_t *key = json_array_get(arg, k);
		if (!json_is_string(key) &&
		    !(json_is_object(key) && json_object_size(key) == 1))
			return NULL;
		size_t mark;
		struct tmap t;
		tmap_init(&t);
		pushi(ptr, k, &mark);
		*rc = to_text(tc, key, ptr, &t);
		pop(ptr, mark);
		bool known = *rc == 0 && !strstr(t.t.buf, "${");
		v = known ? json_object_get(v, t.t.buf) : NULL;
		tmap_release(&t);
		if (!v)
			return NULL;
	}
	if (json_is_string(v))
		return sfn_xstrdup(json_string_value(v));
	if (json_is_number(v) || json_is_boolean(v))
		return sfn_json_dumps(v, 0);
	return NULL;
}

/* The text a value makes in a DefinitionString (or a substitution). */
static int to_text(struct tctx *tc, const json_t *v, struct sfn_strbuf *ptr,
		   struct tmap *out)
{
	int line, col;
	pos(tc, ptr->buf, &line, &col);
	if (json_is_string(v)) {
		add_literal(tc, out, v, ptr->buf);
		return 0;
	}
	if (json_is_number(v) || json_is_boolean(v)) {
		char *s = sfn_json_dumps(v, 0);
		tmap_add(out, s, strlen(s), line, col);
		free(s);
		return 0;
	}
	if (!json_is_object(v) || json_object_size(v) != 1)
		return fail_at(tc, "SFN_PARSE", ptr->buf,
			       "expected a string or an intrinsic function "
			       "(Ref, Fn::Sub, Fn::Join, ...)");
	const char *fn = json_object_iter_key(json_object_iter((json_t *)v));
	json_t *arg = json_object_iter_value(json_object_iter((json_t *)v));
	size_t mark, mark2;
	int rc = 0;
	char *mapped;
	push(ptr, fn, &mark);
	if (!strcmp(fn, "Ref") && json_is_string(arg)) {
		const char *id = json_string_value(arg);
		char *val = ref_value(tc, id);
		warn(tc, ptr->buf, line, col,
		     "Ref '%s' has no value outside a deployed stack; '%s' "
		     "stands in for it",
		     id, val);
		tmap_add(out, val, strlen(val), line, col);
		free(val);
	} else if (!strcmp(fn, "Fn::GetAtt") &&
		   ((json_is_array(arg) && json_array_size(arg) == 2 &&
		     json_is_string(json_array_get(arg, 0)) &&
		     json_is_string(json_array_get(arg, 1))) ||
		    json_is_string(arg))) {
		char *id, *attr;
		if (json_is_string(arg)) {
			const char *s = json_string_value(arg);
			const char *dot = strchr(s, '.');
			id = sfn_xstrndup(s,
					  dot ? (size_t)(dot - s) : strlen(s));
			attr = sfn_xstrdup(dot ? dot + 1 : "");
		} else {
			id = sfn_xstrdup(
				json_string_value(json_array_get(arg, 0)));
			attr = sfn_xstrdup(
				json_string_value(json_array_get(arg, 1)));
		}
		char *val = getatt_value(tc, id, attr);
		warn(tc, ptr->buf, line, col,
		     "Fn::GetAtt '%s.%s' has no value outside a deployed "
		     "stack; '%s' stands in for it",
		     id, attr, val);
		tmap_add(out, val, strlen(val), line, col);
		free(val);
		free(id);
		free(attr);
	} else if (!strcmp(fn, "Fn::Sub") && json_is_string(arg)) {
		rc = sub(tc, arg, ptr, NULL, NULL, out);
	} else if (!strcmp(fn, "Fn::Sub") && json_is_array(arg) &&
		   json_array_size(arg) == 2 &&
		   json_is_string(json_array_get(arg, 0)) &&
		   json_is_object(json_array_get(arg, 1))) {
		struct sfn_strbuf vptr = SFN_STRBUF_INIT;
		sfn_strbuf_adds(&vptr, ptr->buf);
		sfn_pointer_add(&vptr, "1");
		push(ptr, "0", &mark2);
		rc = sub(tc, json_array_get(arg, 0), ptr,
			 json_array_get(arg, 1), &vptr, out);
		pop(ptr, mark2);
		sfn_strbuf_release(&vptr);
	} else if (!strcmp(fn, "Fn::Join") && json_is_array(arg) &&
		   json_array_size(arg) == 2 &&
		   json_is_string(json_array_get(arg, 0)) &&
		   json_is_array(json_array_get(arg, 1))) {
		const char *delim = json_string_value(json_array_get(arg, 0));
		json_t *parts = json_array_get(arg, 1);
		int dl, dc;
		push(ptr, "0", &mark2);
		pos(tc, ptr->buf, &dl, &dc);
		pop(ptr, mark2);
		size_t i, m1, m2;
		json_t *part;
		json_array_foreach(parts, i, part) {
			if (i)
				tmap_add(out, delim, strlen(delim), dl, dc);
			pushi(ptr, 1, &m1);
			pushi(ptr, i, &m2);
			rc = to_text(tc, part, ptr, out);
			pop(ptr, m1);
			if (rc < 0)
				break;
		}
	} else if (!strcmp(fn, "Fn::If") && json_is_array(arg) &&
		   json_array_size(arg) == 3) {
		warn(tc, ptr->buf, line, col,
		     "Fn::If is not evaluated outside a deployed stack; its "
		     "first branch stands in for it");
		pushi(ptr, 1, &mark2);
		rc = to_text(tc, json_array_get(arg, 1), ptr, out);
		pop(ptr, mark2);
	} else if (!strcmp(fn, "Fn::Select") && json_is_array(arg) &&
		   json_array_size(arg) == 2 &&
		   json_is_array(json_array_get(arg, 1)) &&
		   (json_is_integer(json_array_get(arg, 0)) ||
		    json_is_string(json_array_get(arg, 0)))) {
		json_t *ix = json_array_get(arg, 0);
		long long k =
			json_is_integer(ix)
				? json_integer_value(ix)
				: strtoll(json_string_value(ix), NULL, 10);
		json_t *list = json_array_get(arg, 1);
		if (k < 0 || (size_t)k >= json_array_size(list)) {
			rc = fail_at(tc, "SFN_PARSE", ptr->buf,
				     "Fn::Select index %lld is out of range",
				     k);
		} else {
			size_t m1, m2;
			pushi(ptr, 1, &m1);
			pushi(ptr, (size_t)k, &m2);
			rc = to_text(tc, json_array_get(list, (size_t)k), ptr,
				     out);
			pop(ptr, m1);
		}
	} else if (!strcmp(fn, "Fn::FindInMap") && json_is_array(arg) &&
		   json_array_size(arg) == 3 &&
		   (mapped = find_in_map(tc, arg, ptr, &rc)) != NULL) {
		tmap_add(out, mapped, strlen(mapped), line, col);
		free(mapped);
	} else if (rc < 0) {
		/* find_in_map() failed on a key. */
	} else {
		char *val = sfn_xasprintf("${%s}", fn);
		warn(tc, ptr->buf, line, col,
		     "%s is not evaluated outside a deployed stack; '%s' "
		     "stands in for it",
		     fn, val);
		tmap_add(out, val, strlen(val), line, col);
		free(val);
	}
	pop(ptr, mark);
	return rc;
}

/* ---- DefinitionSubstitutions ---- */

/* Replaces ${Name} in @s from @subs; warns about names it lacks. */
static char *substitute(struct tctx *tc, const char *s, const json_t *subs,
			const struct sfn_doc *mdoc, const char *where,
			bool *changed)
{
	struct sfn_strbuf sb = SFN_STRBUF_INIT;
	const char *p = s;
	*changed = false;
	for (;;) {
		const char *d = strstr(p, "${");
		if (!d) {
			sfn_strbuf_adds(&sb, p);
			break;
		}
		sfn_strbuf_add(&sb, p, (size_t)(d - p));
		const char *close = strchr(d, '}');
		if (!close) {
			sfn_strbuf_adds(&sb, d);
			break;
		}
		char *name = sfn_xstrndup(d + 2, (size_t)(close - d - 2));
		json_t *v = subs ? json_object_get(subs, name) : NULL;
		if (v) {
			sfn_strbuf_adds(&sb, json_string_value(v));
			*changed = true;
		} else if (!strncmp(name, "Fn::", 4)) {
			/* The stand-in of a function, warned about already. */
			sfn_strbuf_add(&sb, d, (size_t)(close - d) + 1);
		} else {
			int line, col;
			sfn_doc_pos(mdoc, where, false, &line, &col);
			warn(tc, where, line, col,
			     "placeholder '${%s}' has no value in "
			     "DefinitionSubstitutions; it stays as text",
			     name);
			sfn_strbuf_add(&sb, d, (size_t)(close - d) + 1);
		}
		free(name);
		p = close + 1;
	}
	return sfn_strbuf_detach(&sb, NULL);
}

static uint64_t pointer_hash(uint64_t base, const char *pointer);

struct pos_copy {
	struct sfn_pos_ent *v;
	size_t n, alloc;
};

/* Collects the positions of @v (hashed @from) and below, for @to. */
static void collect_positions(const struct sfn_srcmap *map, const json_t *v,
			      uint64_t from, uint64_t to, struct pos_copy *pc)
{
	const struct sfn_pos_ent *e = sfn_srcmap_get(map, from);
	if (e) {
		if (pc->n == pc->alloc) {
			pc->alloc = pc->alloc ? 2 * pc->alloc : 16;
			pc->v = sfn_xrealloc(pc->v, pc->alloc * sizeof(*pc->v));
		}
		pc->v[pc->n] = *e;
		pc->v[pc->n++].hash = to;
	}
	if (json_is_object(v)) {
		const char *k;
		json_t *e2;
		json_object_foreach((json_t *)v, k, e2) {
			size_t n = strlen(k);
			collect_positions(map, e2, sfn_hash_token(from, k, n),
					  sfn_hash_token(to, k, n), pc);
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			collect_positions(map, json_array_get(v, i),
					  sfn_hash_index(from, i),
					  sfn_hash_index(to, i), pc);
	}
}

/*
 * A key renamed by a substitution (at @parent, @old to @nk): what it
 * holds keeps its positions under the new name.
 */
static void rename_positions(const struct sfn_doc *mdoc, const char *parent,
			     const char *old, const char *nk, const json_t *v)
{
	uint64_t h = pointer_hash(mdoc->base, parent);
	struct pos_copy pc = { 0 };
	collect_positions(mdoc->map, v, sfn_hash_token(h, old, strlen(old)),
			  sfn_hash_token(h, nk, strlen(nk)), &pc);
	for (size_t i = 0; i < pc.n; i++)
		sfn_srcmap_put(mdoc->map, pc.v[i].hash, pc.v[i].line,
			       pc.v[i].col, pc.v[i].kline, pc.v[i].kcol);
	free(pc.v);
}

static json_t *apply_subs(struct tctx *tc, json_t *v, const json_t *subs,
			  const struct sfn_doc *mdoc, struct sfn_strbuf *ptr)
{
	bool changed;
	if (json_is_string(v) && strstr(json_string_value(v), "${")) {
		char *s = substitute(tc, json_string_value(v), subs, mdoc,
				     ptr->buf, &changed);
		if (changed) {
			json_t *n = json_string(s);
			free(s);
			if (n) {
				json_decref(v);
				return n;
			}
			return v;
		}
		free(s);
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			size_t mark;
			pushi(ptr, i, &mark);
			json_t *e = json_incref(json_array_get(v, i));
			json_array_set_new(v, i,
					   apply_subs(tc, e, subs, mdoc, ptr));
			pop(ptr, mark);
		}
	} else if (json_is_object(v)) {
		bool rename = false;
		const char *k;
		json_t *e;
		json_object_foreach(v, k, e) {
			size_t mark;
			push(ptr, k, &mark);
			json_object_set_new(v, k,
					    apply_subs(tc, json_incref(e), subs,
						       mdoc, ptr));
			pop(ptr, mark);
			rename = rename || strstr(k, "${");
		}
		if (rename) {
			json_t *n = json_object();
			json_object_foreach(v, k, e) {
				size_t mark;
				push(ptr, k, &mark);
				char *nk =
					strstr(k, "${")
						? substitute(tc, k, subs, mdoc,
							     ptr->buf, &changed)
						: sfn_xstrdup(k);
				pop(ptr, mark);
				if (strcmp(nk, k) != 0)
					rename_positions(mdoc, ptr->buf, k, nk,
							 e);
				json_object_set(n, nk, e);
				free(nk);
			}
			json_decref(v);
			return n;
		}
	}
	return v;
}

/* ---- intrinsics inside an inline Definition ---- */

static bool is_intrinsic(const json_t *v)
{
	if (!json_is_object(v) || json_object_size(v) != 1)
		return false;
	const char *k = json_object_iter_key(json_object_iter((json_t *)v));
	return !strcmp(k, "Ref") || !strncmp(k, "Fn::", 4);
}

/* Replaces Ref/Fn::* objects in @v by the text they stand for. */
static json_t *flatten_intrinsics(struct tctx *tc, json_t *v,
				  struct sfn_strbuf *ptr, int *rc)
{
	if (is_intrinsic(v)) {
		struct tmap t;
		tmap_init(&t);
		if (to_text(tc, v, ptr, &t) < 0)
			*rc = -1;
		json_t *s = json_stringn(t.t.buf, t.t.len);
		tmap_release(&t);
		if (s) {
			json_decref(v);
			return s;
		}
		return v;
	}
	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			size_t mark;
			pushi(ptr, i, &mark);
			json_t *e = json_incref(json_array_get(v, i));
			json_array_set_new(v, i,
					   flatten_intrinsics(tc, e, ptr, rc));
			pop(ptr, mark);
		}
	} else if (json_is_object(v)) {
		const char *k;
		json_t *e;
		json_object_foreach(v, k, e) {
			size_t mark;
			push(ptr, k, &mark);
			json_object_set_new(v, k,
					    flatten_intrinsics(tc,
							       json_incref(e),
							       ptr, rc));
			pop(ptr, mark);
		}
	}
	return v;
}

/* ---- one machine ---- */

/* The source map's hash of @pointer below @base. */
static uint64_t pointer_hash(uint64_t base, const char *pointer)
{
	uint64_t h = base;
	const char *p = pointer;
	struct sfn_strbuf tok = SFN_STRBUF_INIT;
	while (*p == '/') {
		p++;
		sfn_strbuf_reset(&tok);
		while (*p && *p != '/') {
			if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
				sfn_strbuf_addch(&tok, p[1] == '0' ? '~' : '/');
				p += 2;
			} else {
				sfn_strbuf_addch(&tok, *p++);
			}
		}
		h = sfn_hash_token(h, tok.buf, tok.len);
	}
	sfn_strbuf_release(&tok);
	return h;
}

static char *local_path(const struct sfn_doc *doc, const char *rel)
{
	/* "-" is a file here, never standard input again. */
	if (rel[0] == '/' || !strcmp(doc->name, "<stdin>"))
		return strcmp(rel, "-") ? sfn_xstrdup(rel) : sfn_xstrdup("./-");
	char *copy = sfn_xstrdup(doc->name);
	char *dir = dirname(copy);
	char *p = !strcmp(dir, ".") && strcmp(rel, "-")
			  ? sfn_xstrdup(rel)
			  : sfn_xasprintf("%s/%s", dir, rel);
	free(copy);
	return p;
}

/* Moves @from's diagnostics to @tc's, placed at @line:@col. */
static void move_file_diags(struct tctx *tc, struct sfn_diags *from,
			    const char *file, const char *where, int line,
			    int col)
{
	for (size_t i = 0; i < from->n && tc->diags; i++) {
		struct sfn_diag *d = &from->v[i];
		struct sfn_diag *n =
			sfn_diags_addf(tc->diags, d->severity, d->code, where,
				       "%s (in '%s' at %d:%d)", d->message,
				       file, d->line, d->col);
		n->line = line;
		n->col = col;
	}
	sfn_diags_release(from);
}

static struct sfn_doc *load_uri(struct tctx *tc, const char *field,
				const char *rel, const char *where)
{
	char *path = local_path(tc->doc, rel);
	struct sfn_diags fd = SFN_DIAGS_INIT;
	struct sfn_error ferr = SFN_ERROR_INIT;
	int line, col;
	sfn_doc_pos(tc->doc, where, false, &line, &col);
	struct sfn_doc *d = sfn_doc_load_file(path, 0, &fd, &ferr);
	if (!d) {
		if (ferr.line > 0)
			fail_at(tc, ferr.name, where,
				"cannot load %s '%s': %s:%d:%d: %s", field,
				path, path, ferr.line, ferr.col, ferr.cause);
		else
			fail_at(tc, ferr.name, where, "cannot load %s '%s': %s",
				field, path, ferr.cause);
	}
	move_file_diags(tc, &fd, path, where, line, col);
	sfn_error_release(&ferr);
	free(path);
	return d;
}

static struct sfn_doc *machine_doc(struct tctx *tc, const char *id, json_t *res,
				   struct sfn_strbuf *ptr)
{
	const char *type = json_string_value(json_object_get(res, "Type"));
	bool sam = !strcmp(type, "AWS::Serverless::StateMachine");
	json_t *props = json_object_get(res, "Properties");
	struct sfn_doc *mdoc = NULL;
	size_t mark;
	push(ptr, "Properties", &mark);
	if (!json_is_object(props)) {
		fail_at(tc, "SFN_PARSE", ptr->buf,
			"state machine '%s' has no Properties", id);
		goto out;
	}
	json_t *def = json_object_get(props, "Definition");
	json_t *str = json_object_get(props, "DefinitionString");
	json_t *uri = json_object_get(props, sam ? "DefinitionUri"
						 : "DefinitionS3Location");
	const char *uri_field = sam ? "DefinitionUri" : "DefinitionS3Location";
	size_t m2;
	if (def) {
		push(ptr, "Definition", &m2);
		if (!json_is_object(def)) {
			fail_at(tc, "SFN_PARSE", ptr->buf,
				"Definition of '%s' must be an object", id);
		} else {
			struct sfn_strbuf mp = SFN_STRBUF_INIT;
			int rc = 0;
			json_t *copy = json_deep_copy(def);
			sfn_strbuf_adds(&mp, ptr->buf);
			copy = flatten_intrinsics(tc, copy, &mp, &rc);
			sfn_strbuf_release(&mp);
			uint64_t h = pointer_hash(tc->doc->base, ptr->buf);
			mdoc = sfn_doc_make(tc->doc->name, copy, tc->doc->map,
					    h);
			if (rc < 0) {
				sfn_doc_free(mdoc);
				mdoc = NULL;
			}
		}
		pop(ptr, m2);
	} else if (str) {
		push(ptr, "DefinitionString", &m2);
		struct tmap t;
		tmap_init(&t);
		if (to_text(tc, str, ptr, &t) == 0) {
			int line, col;
			pos(tc, ptr->buf, &line, &col);
			size_t nl = 1;
			for (size_t i = 0; i < t.t.len; i++)
				nl += t.t.buf[i] == '\n' ||
				      (t.t.buf[i] == '\r' &&
				       (i + 1 >= t.t.len ||
					t.t.buf[i + 1] != '\n'));
			size_t *starts = sfn_xmalloc(nl * sizeof(*starts));
			size_t k = 0;
			starts[k++] = 0;
			for (size_t i = 0; i < t.t.len; i++)
				if (t.t.buf[i] == '\n' ||
				    (t.t.buf[i] == '\r' &&
				     (i + 1 >= t.t.len ||
				      t.t.buf[i + 1] != '\n')))
					starts[k++] = i + 1;
			struct sfn_xform_cache cache = { 0, 0, 0 };
			struct sfn_xform x = {
				.cache = &cache,
				.mode = SFN_XFORM_MAP,
				.line0 = line,
				.col0 = col,
				.text = t.t.buf,
				.len = t.t.len,
				.line = t.line,
				.col = t.col,
				.line_starts = starts,
				.n_lines = nl,
			};
			struct sfn_error perr = SFN_ERROR_INIT;
			mdoc = sfn_doc_parse(tc->doc->name, t.t.buf, t.t.len, 0,
					     &x, tc->diags, &perr);
			if (!mdoc) {
				if (tc->err && !sfn_error_is_set(tc->err)) {
					sfn_error_move(tc->err, &perr);
					char *c = sfn_xasprintf(
						"in DefinitionString of '%s': "
						"%s",
						id, tc->err->cause);
					free(tc->err->cause);
					tc->err->cause = c;
				}
			}
			sfn_error_release(&perr);
			free(starts);
		}
		tmap_release(&t);
		pop(ptr, m2);
	} else if (uri) {
		push(ptr, uri_field, &m2);
		if (json_is_string(uri) &&
		    !strncmp(json_string_value(uri), "s3://", 5)) {
			/* What 'sam package' writes in place of a path. */
			fail_at(tc, "SFN_IO", ptr->buf,
				"%s of '%s' is in S3 (%s), which cannot be "
				"read locally; give a local path instead",
				uri_field, id, json_string_value(uri));
		} else if (json_is_string(uri)) {
			mdoc = load_uri(tc, uri_field, json_string_value(uri),
					ptr->buf);
		} else {
			json_t *b = json_object_get(uri, "Bucket");
			json_t *k = json_object_get(uri, "Key");
			fail_at(tc, "SFN_IO", ptr->buf,
				"%s of '%s' is in S3 (s3://%s/%s), which "
				"cannot be read locally; give a local path "
				"instead",
				uri_field, id,
				json_is_string(b) ? json_string_value(b) : "?",
				json_is_string(k) ? json_string_value(k) : "?");
		}
		pop(ptr, m2);
	} else {
		fail_at(tc, "SFN_PARSE", ptr->buf,
			"state machine '%s' has no Definition, "
			"DefinitionString or %s",
			id, uri_field);
	}
	if (!mdoc)
		goto out;

	/* DefinitionSubstitutions: each value as text. */
	json_t *subs = json_object_get(props, "DefinitionSubstitutions");
	json_t *texts = json_object();
	if (json_is_object(subs)) {
		const char *k;
		json_t *v;
		push(ptr, "DefinitionSubstitutions", &m2);
		json_object_foreach(subs, k, v) {
			size_t m3;
			struct tmap t;
			tmap_init(&t);
			push(ptr, k, &m3);
			if (to_text(tc, v, ptr, &t) == 0)
				json_object_set_new(
					texts, k,
					json_stringn(t.t.buf, t.t.len));
			pop(ptr, m3);
			tmap_release(&t);
		}
		pop(ptr, m2);
	}
	/*
	 * Every diagnostic added here stands in the template: those about a
	 * DefinitionUri file go to its DefinitionUri property, naming the
	 * place in the file (as load_uri() does for the file's own).
	 */
	struct sfn_strbuf mp = SFN_STRBUF_INIT;
	struct sfn_diags file_diags = SFN_DIAGS_INIT;
	struct sfn_diags *saved = tc->diags;
	size_t saved_from = tc->diags_from;
	bool other_file = strcmp(mdoc->name, tc->doc->name) != 0;
	if (other_file && saved) {
		tc->diags = &file_diags;
		tc->diags_from = 0;
	}
	mdoc->root = apply_subs(tc, mdoc->root, texts, mdoc, &mp);
	tc->diags = saved;
	tc->diags_from = saved_from;
	if (other_file) {
		int line, col;
		sfn_strbuf_reset(&mp);
		sfn_strbuf_adds(&mp, ptr->buf);
		sfn_pointer_add(&mp, uri_field);
		sfn_doc_pos(tc->doc, mp.buf, false, &line, &col);
		move_file_diags(tc, &file_diags, mdoc->name, mp.buf, line, col);
	}
	sfn_strbuf_release(&mp);
	json_decref(texts);
out:
	pop(ptr, mark);
	return mdoc;
}

static bool is_machine_type(const char *t)
{
	return t && (!strcmp(t, "AWS::StepFunctions::StateMachine") ||
		     !strcmp(t, "AWS::Serverless::StateMachine"));
}

int sfn_doc_machines(struct sfn_doc *doc, const char *logical_id,
		     struct sfn_machine_list *out, struct sfn_diags *diags,
		     struct sfn_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!sfn_is_template(doc->root)) {
		if (logical_id)
			return sfn_errorf(err, "SFN_PARSE", NULL,
					  "no resource '%s': the file is a "
					  "state machine definition, not a "
					  "template",
					  logical_id);
		out->v = sfn_xcalloc(1, sizeof(*out->v));
		out->n = 1;
		out->v[0].doc = sfn_doc_make(doc->name, json_incref(doc->root),
					     doc->map, doc->base);
		return 0;
	}
	out->is_template = true;
	struct tctx tc = {
		.doc = doc,
		.resources = json_object_get(doc->root, "Resources"),
		.parameters = json_object_get(doc->root, "Parameters"),
		.diags = diags,
		.diags_from = diags ? diags->n : 0,
		.err = err,
		.scan_budget =
			64 * (doc->map ? doc->map->src_len : 0) + (1 << 20),
	};
	if (!json_is_object(tc.resources))
		return fail_at(&tc, "SFN_PARSE", "/Resources",
			       "the template has no Resources object");
	struct sfn_strbuf ptr = SFN_STRBUF_INIT;
	struct sfn_strbuf ids = SFN_STRBUF_INIT;
	const char *id;
	json_t *res;
	size_t alloc = 0;
	int rc = 0;
	json_object_foreach(tc.resources, id, res) {
		if (!is_machine_type(
			    json_string_value(json_object_get(res, "Type"))))
			continue;
		sfn_strbuf_addf(&ids, "%s%s", ids.len ? ", " : "", id);
		if (logical_id && strcmp(logical_id, id))
			continue;
		sfn_strbuf_reset(&ptr);
		sfn_pointer_add(&ptr, "Resources");
		sfn_pointer_add(&ptr, id);
		struct sfn_doc *m = machine_doc(&tc, id, res, &ptr);
		if (!m) {
			rc = -1;
			break;
		}
		if (out->n == alloc) {
			alloc = alloc ? alloc * 2 : 4;
			out->v = sfn_xrealloc(out->v, alloc * sizeof(*out->v));
		}
		out->v[out->n++] = (struct sfn_machine_src){
			.logical_id = sfn_xstrdup(id),
			.doc = m,
		};
	}
	if (rc == 0 && out->n == 0) {
		if (logical_id && ids.len)
			rc = fail_at(&tc, "SFN_PARSE", "/Resources",
				     "no state machine '%s' in the template; "
				     "it has %s",
				     logical_id, ids.buf);
		else if (logical_id)
			rc = fail_at(&tc, "SFN_PARSE", "/Resources",
				     "no state machine '%s' in the template; "
				     "it has none",
				     logical_id);
		else
			rc = fail_at(&tc, "SFN_PARSE", "/Resources",
				     "the template has no "
				     "AWS::StepFunctions::StateMachine or "
				     "AWS::Serverless::StateMachine resource");
	}
	if (rc < 0)
		sfn_machine_list_release(out);
	out->is_template = true;
	sfn_strbuf_release(&ptr);
	sfn_strbuf_release(&ids);
	return rc;
}

void sfn_machine_list_release(struct sfn_machine_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->v[i].logical_id);
		sfn_doc_free(list->v[i].doc);
	}
	free(list->v);
	list->v = NULL;
	list->n = 0;
}
