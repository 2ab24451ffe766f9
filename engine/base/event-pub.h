/* Publishing events under RUN_DIR/events for other processes (event-pub.c)
 * and what the follower (event-feed.c) shares with it. */
#ifndef VSS_EVENT_PUB_H
#define VSS_EVENT_PUB_H

#include "internal.h"

/* Appends EV to this process's file, when publishing and within an
 * operation; never fails the caller. */
void event_publish(struct vss_ctx *ctx, const struct vss_event *ev);
/* RUN_DIR/events into BUF. */
int event_pub_dir(const struct vss_ctx *ctx, char *buf, size_t len);
int event_kind_parse(const char *s, enum vss_event_kind *k);
int event_level_parse(const char *s, enum vss_level *l);

#endif
