/* What keeps the dashboard alive between keys, in the main loop and under
 * a prompt alike: other processes' events, the job's output, the lists
 * read again when due, and a redraw. */
#include "config.h"
#include "tui.h"

#include <errno.h>
#include <signal.h>

static void on_feed(const struct vss_event *ev, void *data)
{
	struct ui *ui = data;

	ui->m->quiet_pid = ui->job.pid ? ui->job.pid : ui->last_job_pid;
	model_event(ui->m, ev);
}

void ui_pump(struct ui *ui)
{
	if (ui->feed)
		vss_feed_read(ui->feed, on_feed, ui);
	if (ui->job.pid) {
		pid_t pid = ui->job.pid;

		if (job_poll(&ui->job, ui->m))
			ui->last_job_pid = pid;
	}
	/* An operation whose process died (SIGKILL, power) never says it ended. */
	if (ui->m->op_pid && kill((pid_t)ui->m->op_pid, 0) < 0 && errno == ESRCH) {
		model_log(ui->m, VSS_LEVEL_WARNING, "%s: process %ld ended without finishing it "
			  "(the next vss command, or vss recover, cleans up)", ui->m->op, ui->m->op_pid);
		ui->m->op[0] = ui->m->op_phase[0] = '\0';
		ui->m->op_pid = 0;
		ui->m->stale = true;
	}
	if (ui->m->stale || tui_now_us() - ui->m->refreshed_us >= ui->refresh_us)
		model_refresh(ui->m, ui->ctx);
	view_draw(ui);
}
