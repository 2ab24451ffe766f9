/* The terminal's view of the event stream: steps on stdout (progress a user
 * reads, like lvcreate's "created" line), warnings and debug on stderr. */
#include "config.h"
#include "cmd.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void cli_progress_begin(struct session *s, bool json)
{
	/* On a terminal, or asked for: cron mail keeps only the result. */
	s->progress = !s->quiet && !json && (s->verbose || isatty(STDERR_FILENO));
	s->json_out = json;
}

static void print_event(const struct vss_event *ev, void *data)
{
	struct session *s = data;

	switch (ev->kind) {
	case VSS_EVENT_STEP:
		if (!s->quiet) {
			/* JSON on stdout is all of stdout: a pipe to jq reads it whole. */
			FILE *out = s->json_out ? stderr : stdout;

			if (s->verbose)
				fprintf(out, "[%7.3f s] %s\n", ev->elapsed_us / 1e6, ev->text);
			else
				fprintf(out, "%s\n", ev->text);
			fflush(out);
		}
		break;
	case VSS_EVENT_WRITER:
		/* Each writer's answer; its start only when asked for detail. */
		if ((s->progress && (!ev->writer_busy || strstr(ev->text, "attempt"))) || s->verbose >= 2)
			fprintf(stderr, "%s: [%7.3f s]   writer %s: %s\n", s->prog, ev->elapsed_us / 1e6,
				ev->writer, ev->text);
		break;
	case VSS_EVENT_PHASE:
		if (s->verbose || s->progress)
			fprintf(stderr, "%s: [%7.3f s] set %.8s: %s\n", s->prog, ev->elapsed_us / 1e6,
				ev->set ? ev->set : "?", ev->text);
		break;
	case VSS_EVENT_END:
		/* The face reports the outcome itself, from the return value. */
		break;
	case VSS_EVENT_LOG:
		if (ev->level <= VSS_LEVEL_WARNING)
			fprintf(stderr, "%s: %s: %s\n", s->prog,
				ev->level == VSS_LEVEL_ERROR ? "error" : "warning", ev->text);
		else if ((ev->level == VSS_LEVEL_INFO && s->verbose >= 1) ||
			 (ev->level == VSS_LEVEL_DEBUG && s->verbose >= 2))
			fprintf(stderr, "%s: [%7.3f s] %s\n", s->prog, ev->elapsed_us / 1e6, ev->text);
		break;
	}
}

void cli_printer_attach(struct session *s)
{
	vss_subscribe(s->ctx, print_event, s);
}
