/* A persistent COW's exception table, read as the kernel left it on disk
 * (the format: cow-table.h). */
#include "config.h"
#include "cow-table.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SNAP_MAGIC 0x70416e53u
#define SNAP_VERSION 1
/* The largest chunk the kernel takes: more would overflow its int of bytes. */
#define CHUNK_MAX (1u << 21)
/* Direct I/O wants buffers and offsets aligned to the device's blocks; a
 * page covers every block size Linux has. */
#define ALIGN 4096

static uint32_t le32_at(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t le64_at(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* LEN bytes at OFF: 0, 1 when the COW ends before them, or -errno. */
static int read_at(int fd, unsigned char *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = pread(fd, buf + got, len - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		/* Nothing at all: the COW ends here. Part of it: damaged. */
		if (r == 0)
			return got ? -EBADMSG : 1;
		got += (size_t)r;
	}
	return 0;
}

static int by_old(const void *a, const void *b)
{
	const struct cow_exception *x = a, *y = b;

	return x->old_chunk < y->old_chunk ? -1 : x->old_chunk > y->old_chunk;
}

static int add(struct cow_table *t, size_t *cap, uint64_t old_chunk, uint64_t new_chunk)
{
	if (t->n == *cap) {
		size_t more = *cap ? *cap * 2 : 1024;
		struct cow_exception *e = realloc(t->e, more * sizeof(*e));

		if (!e)
			return -ENOMEM;
		t->e = e;
		*cap = more;
	}
	t->e[t->n].old_chunk = old_chunk;
	t->e[t->n++].new_chunk = new_chunk;
	if (new_chunk + 1 > t->used)
		t->used = new_chunk + 1;
	return 0;
}

static int damaged(struct vss_ctx *ctx, const char *what, const char *why)
{
	return vss_fail(ctx, EBADMSG, "%s: %s", what, why);
}

/* Every area in turn, until one that is not full. */
static int read_areas(struct vss_ctx *ctx, int fd, const char *what, struct cow_table *t,
		      unsigned char *area)
{
	size_t bytes = (size_t)t->chunk * 512, per_area = bytes / 16, cap = 0;
	bool full = true;
	int r;

	for (uint64_t i = 0; full; i++) {
		uint64_t at = 1 + i * (per_area + 1);

		if (r = read_at(fd, area, bytes, at * bytes), r == -EBADMSG)
			return damaged(ctx, what, "it ends inside a metadata area");
		if (r < 0)
			return vss_fail(ctx, -r, "%s: cannot read its exception table: %s", what,
					strerror(-r));
		/* The kernel zeroes the next area before it fills one: a COW
		 * that ends here ended with its last full area. */
		if (r == 1)
			break;
		full = false;
		for (size_t j = 0; j < per_area; j++) {
			uint64_t old_chunk = le64_at(area + j * 16), new_chunk = le64_at(area + j * 16 + 8);

			if (!new_chunk)
				break;
			/* Data lies after its area's metadata chunk, never in one. */
			if (new_chunk < 2 || (new_chunk - 1) % (per_area + 1) == 0)
				return damaged(ctx, what, "an exception points into its metadata");
			if ((r = add(t, &cap, old_chunk, new_chunk)))
				return vss_fail(ctx, -r, "out of memory");
			full = j + 1 == per_area;
		}
	}
	if (t->n)
		qsort(t->e, t->n, sizeof(*t->e), by_old);
	for (size_t i = 1; i < t->n; i++)
		if (t->e[i].old_chunk == t->e[i - 1].old_chunk)
			return damaged(ctx, what, "a chunk is held twice in its exception table");
	return 0;
}

int cow_table_read_fd(struct vss_ctx *ctx, int fd, const char *what, struct cow_table *t)
{
	unsigned char *buf = NULL;
	uint32_t magic, version, chunk;
	bool valid;
	int r;

	memset(t, 0, sizeof(*t));
	if (posix_memalign((void **)&buf, ALIGN, ALIGN))
		return vss_fail(ctx, ENOMEM, "out of memory");
	if ((r = read_at(fd, buf, ALIGN, 0))) {
		free(buf);
		return r < 0 && r != -EBADMSG ?
		       vss_fail(ctx, -r, "%s: cannot read its header: %s", what, strerror(-r)) :
		       damaged(ctx, what, "too small for a COW");
	}
	magic = le32_at(buf);
	/* Kept aside until the header is known good: a refused table is empty. */
	valid = le32_at(buf + 4) != 0;
	version = le32_at(buf + 8);
	chunk = le32_at(buf + 12);
	free(buf);
	if (magic == 0) {
		/* The kernel writes the header when it first loads the COW. */
		t->fresh = t->valid = true;
		return 0;
	}
	if (magic != SNAP_MAGIC)
		return damaged(ctx, what, "not a persistent snapshot COW (no SnAp header)");
	if (version != SNAP_VERSION)
		return damaged(ctx, what, "a COW of a version this vss does not read");
	if (!chunk || chunk > CHUNK_MAX || (chunk & (chunk - 1)))
		return damaged(ctx, what, "its header names a chunk size the kernel would refuse");
	if (chunk * 512u < ALIGN)
		return damaged(ctx, what, "its chunks are smaller than 4 KiB, which vss never makes");
	t->chunk = chunk;
	t->valid = valid;
	t->used = 2;
	if (posix_memalign((void **)&buf, ALIGN, (size_t)chunk * 512))
		return vss_fail(ctx, ENOMEM, "out of memory");
	r = read_areas(ctx, fd, what, t, buf);
	free(buf);
	if (r) {
		cow_table_free(t);
		memset(t, 0, sizeof(*t));
	}
	return r;
}

int cow_table_read(struct vss_ctx *ctx, const char *path, struct cow_table *t)
{
	int fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC), r;

	memset(t, 0, sizeof(*t));
	if (fd < 0)
		return vss_fail(ctx, errno, "%s: %s", path, strerror(errno));
	r = cow_table_read_fd(ctx, fd, path, t);
	close(fd);
	return r;
}

void cow_table_free(struct cow_table *t)
{
	free(t->e);
	t->e = NULL;
	t->n = 0;
}

const struct cow_exception *cow_table_find(const struct cow_table *t, uint64_t old_chunk)
{
	struct cow_exception key = { .old_chunk = old_chunk };

	return t->n ? bsearch(&key, t->e, t->n, sizeof(key), by_old) : NULL;
}

int cow_table_missing(struct vss_ctx *ctx, const struct cow_table *from,
		      const struct cow_table *into, uint64_t **chunks, size_t *n)
{
	size_t k = 0, j = 0;

	*chunks = NULL;
	*n = 0;
	if (from->chunk != into->chunk && from->n)
		return vss_fail(ctx, EINVAL, "the two COWs have chunks of %u and %u sectors",
				from->chunk, into->chunk);
	if (!from->n)
		return 0;
	if (!(*chunks = malloc(from->n * sizeof(**chunks))))
		return vss_fail(ctx, ENOMEM, "out of memory");
	/* Both are sorted by old_chunk: one walk finds what INTO lacks. */
	for (size_t i = 0; i < from->n; i++) {
		uint64_t c = from->e[i].old_chunk;

		while (j < into->n && into->e[j].old_chunk < c)
			j++;
		if (j < into->n && into->e[j].old_chunk == c)
			continue;
		(*chunks)[k++] = c;
	}
	*n = k;
	return 0;
}
