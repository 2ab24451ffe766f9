/* vss.conf: defaults, then the file, then the environment (for tests). */
#ifndef VSS_CONFFILE_H
#define VSS_CONFFILE_H

#include "engine/vss.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSS_DEFAULT_MONITOR_INTERVAL_MS 10000

struct vss_config {
	char path[4096];        /* the file read, "" when none was */
	char state_dir[4096];
	char run_dir[4096];
	unsigned lock_timeout_ms;
	uint64_t cow_bytes;     /* cow_size as a size; 0 when it is a percentage */
	unsigned cow_percent;   /* cow_size as a percentage of each origin */
	uint64_t chunk_bytes;
	unsigned freeze_timeout_ms;
	enum vss_context context;     /* create-set's default */
	char hook_dir[4096];          /* "" when none */
	unsigned hook_timeout_ms;
	struct vss_policy policy;
	struct vss_retention retention;  /* prune's, unless its options say */
	unsigned monitor_interval_ms;
	struct vss_writer_def *writers;
	size_t nwriters;
	/* What the writer definitions point into. */
	struct conf_store *store;
};

/* Frees what vss_config_load allocated (the writers). */
void vss_config_free(struct vss_config *cfg);

/* "10%" or a size ("512M") -> *BYTES or *PERCENT (the other set to 0). */
int vss_parse_cow_size(const char *s, uint64_t *bytes, unsigned *percent);

/* PATH NULL: $VSS_CONFIG, else the default file if it exists. Errors are
 * "FILE:LINE: reason" lines, all of them, in ERR; returns -errno. STRICT
 * (check-config) also wants every program named to exist now. */
int vss_config_load(struct vss_config *cfg, const char *path, bool strict, char *err,
		    size_t errlen);

/* "10", "2.5", "500ms" -> milliseconds; -EINVAL when it is not a duration. */
int vss_parse_seconds(const char *s, unsigned *ms);

#endif
