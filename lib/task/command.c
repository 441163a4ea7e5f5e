#include "task/task.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "task/task_int.h"

/*
 * Local handlers (docs/run.md): the config's "handlers" map a Task
 * resource ARN, a Lambda function name or a Lambda function ARN to a
 * command, run as argv without a shell in the config file's directory.
 * The Task input (for lambda:invoke, its Payload) goes to stdin as JSON;
 * stdout is the JSON result. A non-zero exit fails the Task: a Lambda-style
 * {"errorType", "errorMessage"} on stdout or stderr names the Error and is
 * the Cause, as Lambda reports it. A command that outlives TimeoutSeconds
 * (or HeartbeatSeconds: it cannot send heartbeats) or whose Task is
 * cancelled is killed with its process group.
 */

#define LAMBDA_INVOKE "arn:aws:states:::lambda:invoke"
#define OUTPUT_MAX    (64u << 20) /* bytes of stdout/stderr we keep */

struct handler {
	json_t *argv; /* borrowed array of strings */
	json_t *env;  /* borrowed object, may be NULL */
};

/*
 * The function's name in each form Lambda's FunctionName takes:
 * "arn:aws:lambda:us-east-1:123:function:NAME[:qualifier]",
 * "123:function:NAME[:qualifier]" or "NAME[:qualifier]" -> NAME.
 */
static char *function_name(const char *arn)
{
	const char *p = strstr(arn, ":function:");
	p = p ? p + strlen(":function:") : arn;
	size_t n = strcspn(p, ":");
	return sfn_xstrndup(p, n);
}

static bool find(json_t *handlers, const char *key, struct handler *h)
{
	json_t *v = key ? json_object_get(handlers, key) : NULL;
	if (!v)
		return false;
	h->env = NULL;
	if (json_is_object(v)) {
		h->env = json_object_get(v, "env");
		v = json_object_get(v, "command");
	}
	h->argv = v;
	return true;
}

static bool lookup(json_t *handlers, const char *resource, const char *fn,
		   struct handler *h)
{
	if (find(handlers, resource, h) || find(handlers, fn, h))
		return true;
	if (fn) {
		char *name = function_name(fn);
		bool ok = find(handlers, name, h);
		free(name);
		if (ok)
			return true;
	}
	return false;
}

/* The argv of @h: an array of strings, or one string split on blanks. */
static char **make_argv(const struct handler *h, struct sfn_error *err,
			const char *key)
{
	char **av = NULL;
	size_t n = 0;
	if (json_is_string(h->argv)) {
		char *s = sfn_xstrdup(json_string_value(h->argv));
		av = sfn_xcalloc(strlen(s) / 2 + 2, sizeof(char *));
		for (char *p = s; *p;) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (!*p)
				break;
			size_t len = strcspn(p, " \t");
			av[n++] = sfn_xstrndup(p, len);
			p += len;
		}
		free(s);
	} else if (json_is_array(h->argv)) {
		av = sfn_xcalloc(json_array_size(h->argv) + 1, sizeof(char *));
		size_t i;
		json_t *a;
		json_array_foreach(h->argv, i, a) {
			if (!json_is_string(a))
				break;
			av[n++] = sfn_xstrdup(json_string_value(a));
		}
	}
	if (!n) {
		free(av);
		sfn_errorf(
			err, SFN_E_RUNTIME, NULL,
			"the handler for '%s' in the config needs a command: "
			"an array of strings such as [\"/bin/sh\", "
			"\"handler.sh\"]",
			key);
		return NULL;
	}
	av[n] = NULL;
	return av;
}

static void free_argv(char **av)
{
	for (size_t i = 0; av && av[i]; i++)
		free(av[i]);
	free(av);
}

enum ended { ENDED_EXIT, ENDED_TIMEOUT, ENDED_CANCEL, ENDED_SPAWN };

/*
 * Runs @av with @in on stdin; collects stdout and stderr. Kills the process
 * group at @limit seconds (0: none) or when *@cancel turns non-zero.
 */
/*
 * Map iterations and Parallel branches spawn handlers from several threads
 * at once: every pipe is made close-on-exec before any other child can be
 * forked (spawn_lock), so no child inherits a sibling's pipe ends. One that
 * did would hold the sibling's stdin open, and a handler reading its input
 * to the end (`in=$(cat)`) would wait for ever.
 */
static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;

static int cloexec_pipe(int p[2])
{
	if (pipe(p) < 0)
		return -1;
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

static enum ended run(char **av, json_t *env, const char *dir, const char *in,
		      double limit, atomic_int *cancel, struct sfn_strbuf *out,
		      struct sfn_strbuf *errb, int *status)
{
	int pin[2], pout[2], perr[2];
	pthread_mutex_lock(&spawn_lock);
	if (cloexec_pipe(pin) < 0) {
		pthread_mutex_unlock(&spawn_lock);
		return ENDED_SPAWN;
	}
	if (cloexec_pipe(pout) < 0) {
		pthread_mutex_unlock(&spawn_lock);
		close(pin[0]);
		close(pin[1]);
		return ENDED_SPAWN;
	}
	if (cloexec_pipe(perr) < 0) {
		pthread_mutex_unlock(&spawn_lock);
		close(pin[0]);
		close(pin[1]);
		close(pout[0]);
		close(pout[1]);
		return ENDED_SPAWN;
	}
	pid_t pid = fork();
	if (pid != 0)
		pthread_mutex_unlock(&spawn_lock);
	if (pid < 0) {
		close(pin[0]);
		close(pin[1]);
		close(pout[0]);
		close(pout[1]);
		close(perr[0]);
		close(perr[1]);
		return ENDED_SPAWN;
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		close(pin[0]);
		close(pin[1]);
		close(pout[0]);
		close(pout[1]);
		close(perr[0]);
		close(perr[1]);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (dir && chdir(dir) < 0) {
			dprintf(2, "cannot enter '%s': %s\n", dir,
				strerror(errno));
			_exit(127);
		}
		const char *k;
		json_t *v;
		json_object_foreach(env, k, v) {
			if (json_is_string(v))
				setenv(k, json_string_value(v), 1);
		}
		execvp(av[0], av);
		dprintf(2, "cannot run '%s': %s\n", av[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	fcntl(pin[1], F_SETFL, O_NONBLOCK);
	size_t in_len = strlen(in), in_off = 0;
	int fds[3] = { pin[1], pout[0], perr[0] };
	double deadline = limit > 0 ? sfn_clock_monotonic() + limit : 0;
	enum ended how = ENDED_EXIT;
	while (fds[1] >= 0 || fds[2] >= 0) {
		struct pollfd p[3];
		nfds_t np = 0;
		int map[3];
		for (int i = 0; i < 3; i++) {
			if (fds[i] < 0)
				continue;
			p[np].fd = fds[i];
			p[np].events = i == 0 ? POLLOUT : POLLIN;
			p[np].revents = 0;
			map[np++] = i;
		}
		int r = poll(p, np, 20);
		if (cancel && atomic_load(cancel)) {
			how = ENDED_CANCEL;
			break;
		}
		if (deadline && sfn_clock_monotonic() >= deadline) {
			how = ENDED_TIMEOUT;
			break;
		}
		if (r <= 0)
			continue;
		for (nfds_t i = 0; i < np; i++) {
			int which = map[i];
			if (!p[i].revents)
				continue;
			if (which == 0) {
				ssize_t w = write(fds[0], in + in_off,
						  in_len - in_off);
				if (w > 0)
					in_off += (size_t)w;
				if (w < 0 && errno != EAGAIN) {
					close(fds[0]);
					fds[0] = -1;
				} else if (in_off == in_len) {
					close(fds[0]);
					fds[0] = -1;
				}
				continue;
			}
			char buf[8192];
			ssize_t got = read(fds[which], buf, sizeof(buf));
			if (got <= 0) {
				close(fds[which]);
				fds[which] = -1;
				continue;
			}
			struct sfn_strbuf *sb = which == 1 ? out : errb;
			if (sb->len < OUTPUT_MAX)
				sfn_strbuf_add(sb, buf, (size_t)got);
		}
		if (fds[0] >= 0 && in_off == in_len) {
			close(fds[0]);
			fds[0] = -1;
		}
	}
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (how != ENDED_EXIT)
		kill(-pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return how;
}

/* A Lambda-style error object in @s (whole text, or its last line). */
static json_t *lambda_error(const char *s)
{
	json_t *v = sfn_json_loads(s, JSON_DECODE_ANY, NULL);
	if (!json_is_object(v) ||
	    !json_is_string(json_object_get(v, "errorType"))) {
		json_decref(v);
		v = NULL;
		const char *end = s + strlen(s);
		while (end > s && (end[-1] == '\n' || end[-1] == ' '))
			end--;
		const char *line = end;
		while (line > s && line[-1] != '\n')
			line--;
		if (line < end) {
			v = sfn_json_loadb(line, (size_t)(end - line),
					   JSON_DECODE_ANY, NULL);
			if (!json_is_object(v) ||
			    !json_is_string(json_object_get(v, "errorType"))) {
				json_decref(v);
				v = NULL;
			}
		}
	}
	return v;
}

/*
 * The last line of @s into @buf (@n bytes), as text a cause can hold: a
 * sequence that is not UTF-8 becomes U+FFFD, and a long line is cut
 * between characters, never inside one.
 */
static void tail_line(const char *s, char *buf, size_t n)
{
	const char *end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	const char *line = end;
	while (line > s && line[-1] != '\n')
		line--;
	size_t o = 0;
	while (line < end) {
		unsigned char c = (unsigned char)*line;
		size_t len = c < 0x80			? 1
			     : (c >= 0xc2 && c <= 0xdf) ? 2
			     : (c >= 0xe0 && c <= 0xef) ? 3
			     : (c >= 0xf0 && c <= 0xf4) ? 4
							: 0;
		bool ok = len && len <= (size_t)(end - line) &&
			  sfn_utf8_valid(line, len);
		const char *from = ok ? line : "\xef\xbf\xbd";
		size_t k = ok ? len : 3;
		if (o + k >= n)
			break;
		memcpy(buf + o, from, k);
		o += k;
		line += ok ? len : 1;
	}
	buf[o] = '\0';
}

static enum sfn_task_outcome invoke(struct sfn_task_env *env,
				    const struct sfn_task_call *call,
				    json_t **result, struct sfn_error *err)
{
	json_t *handlers = json_object_get(env->config, "handlers");
	if (!json_is_object(handlers))
		return SFN_TASK_DECLINED;
	bool envelope =
		!strncmp(call->resource, LAMBDA_INVOKE, strlen(LAMBDA_INVOKE));
	const char *fn = NULL;
	json_t *payload = call->parameters;
	if (envelope) {
		fn = json_string_value(
			json_object_get(call->parameters, "FunctionName"));
		payload = json_object_get(call->parameters, "Payload");
	} else if (!strncmp(call->resource, "arn:aws:lambda:", 15)) {
		fn = call->resource;
	}
	struct handler h;
	if (!lookup(handlers, call->resource, fn, &h))
		return SFN_TASK_DECLINED;
	char **av = make_argv(&h, err, fn ? fn : call->resource);
	if (!av)
		return SFN_TASK_FAILED;
	char *in = payload ? sfn_json_dumps(payload, 0) : sfn_xstrdup("{}");
	double limit = call->timeout_seconds;
	if (call->heartbeat_seconds > 0 &&
	    (limit <= 0 || call->heartbeat_seconds < limit))
		limit = call->heartbeat_seconds;
	struct sfn_strbuf out = SFN_STRBUF_INIT, errb = SFN_STRBUF_INIT;
	int status = 0;
	enum ended how = run(av, h.env, env->base_dir, in, limit,
			     call->cancel ? call->cancel : env->cancel, &out,
			     &errb, &status);
	enum sfn_task_outcome o = SFN_TASK_FAILED;
	char last[512];
	switch (how) {
	case ENDED_SPAWN:
		sfn_errorf(err, SFN_E_TASK_FAILED, NULL,
			   "cannot start the handler '%s' of state '%s': %s",
			   av[0], call->state_name, strerror(errno));
		break;
	case ENDED_TIMEOUT:
		/* AWS reports a timeout without a cause. */
		sfn_errorf(err, SFN_E_TIMEOUT, NULL, "%s", "");
		free(err->cause);
		err->cause = NULL;
		break;
	case ENDED_CANCEL:
		sfn_errorf(err, SFN_E_TASK_FAILED, NULL,
			   "the handler '%s' was stopped: the Task was "
			   "cancelled",
			   av[0]);
		break;
	case ENDED_EXIT:
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		    out.len >= OUTPUT_MAX) {
			/* Cut short: far past the payload quota anyway. */
			sfn_errorf(err, SFN_E_DATA_LIMIT_EXCEEDED, NULL,
				   "The state/task '%s' returned a result with "
				   "a size exceeding the maximum number of "
				   "bytes service limit.",
				   call->resource);
			break;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			json_error_t je;
			json_t *v =
				out.len ? sfn_json_loadb(out.buf, out.len,
							 JSON_DECODE_ANY, &je)
					: json_null();
			if (!v) {
				tail_line(out.buf, last, 201);
				sfn_errorf(err, SFN_E_TASK_FAILED, NULL,
					   "the handler '%s' of state '%s' "
					   "printed no JSON on stdout (%s): "
					   "%s",
					   av[0], call->state_name, je.text,
					   last);
				break;
			}
			if (envelope) {
				*result = json_pack(
					"{s:s,s:o,s:{s:i},s:{s:s},s:i}",
					"ExecutedVersion", "$LATEST", "Payload",
					v, "SdkHttpMetadata", "HttpStatusCode",
					200, "SdkResponseMetadata", "RequestId",
					"00000000-0000-4000-8000-000000000000",
					"StatusCode", 200);
			} else {
				*result = v;
			}
			o = SFN_TASK_OK;
			break;
		}
		json_t *le = lambda_error(out.buf);
		if (!le)
			le = lambda_error(errb.buf);
		if (le) {
			char *cause = sfn_json_dumps(le, 0);
			sfn_errorf(err,
				   json_string_value(
					   json_object_get(le, "errorType")),
				   NULL, "%s", cause);
			free(cause);
			json_decref(le);
			break;
		}
		tail_line(errb.buf, last, sizeof(last));
		if (WIFEXITED(status))
			sfn_errorf(err, SFN_E_TASK_FAILED, NULL,
				   "the handler '%s' of state '%s' exited with "
				   "status %d%s%s",
				   av[0], call->state_name, WEXITSTATUS(status),
				   *last ? ": " : "", last);
		else
			sfn_errorf(err, SFN_E_TASK_FAILED, NULL,
				   "the handler '%s' of state '%s' was killed "
				   "by signal %d",
				   av[0], call->state_name, WTERMSIG(status));
		break;
	}
	sfn_strbuf_release(&out);
	sfn_strbuf_release(&errb);
	free(in);
	free_argv(av);
	return o;
}

const struct sfn_task_backend sfn_task_command = { "command", invoke, NULL };
