/* The store benchmark's harness (bench/store builds and runs it; not part of the build or of
 * make check). It drives src/store.c through its public API the way the daemon does:
 * store_sync_sources once, then one store_commit_fetch per fetched feed, store_load_merged
 * for the served feed, store_prune_entries in batches from the loop.
 *
 *   store_bench ingest DB ENTRIES        commits of feeds of PER_FEED (50) new entries from
 *                                        SOURCES (100) sources, continuing the numbering of
 *                                        what DB holds; prints the commit times
 *   store_bench repoll DB                every source's last feed committed again, unchanged
 *   store_bench newest DB RUNS LIMIT     store_load_merged(LIMIT), median of RUNS (after one)
 *   store_bench prune DB ENTRIES BATCH   retention by age that selects the ENTRIES oldest
 *                                        entries, store_prune_entries(BATCH) until done
 *   store_bench checkpoint DB            wal_checkpoint(TRUNCATE); prints entries and bytes
 *
 * env: PER_FEED, SOURCES; PRAGMAS ("PRAGMA cache_size = -65536; PRAGMA mmap_size = ..." run on
 * every connection the store opens, for experiments); WAL_AUTOCHECKPOINT (pages; 0: none;
 * a pragma would not hold: sqlite3_open sets it after the pragmas run); TRACE=1 (time per SQL statement, from
 * sqlite3_trace_v2's profile events).
 *
 * Entries are a pure function of their serial number (deterministic, no I/O): serial n is entry
 * j = n % PER_FEED of source k = (n / PER_FEED) % SOURCES in poll round r = n / (PER_FEED *
 * SOURCES), seen at T0 + r * ROUND_S. Output: "key value" lines for the script. */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "feed.h"
#include "log.h"
#include "store.h"
#include "store_checkpoint.h"
#include "store_int.h"
#include "util.h"

#define T0 INT64_C(1700000000)
#define ROUND_S 600

static size_t per_feed = 50, nsources = 100;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- generated entries ---------------------------------------------------------------------- */

static const char *const words[] = {
    "Chính phủ", "Thủ tướng", "Quốc hội", "đại biểu", "nhân dân", "thành phố", "Hà Nội",
    "Hồ Chí Minh", "Đà Nẵng", "Cần Thơ", "Hải Phòng", "tỉnh", "huyện", "xã", "phường",
    "kinh tế", "xã hội", "văn hóa", "giáo dục", "y tế", "khoa học", "công nghệ",
    "chuyển đổi số", "doanh nghiệp", "ngân hàng", "lãi suất", "tăng trưởng", "xuất khẩu",
    "nông nghiệp", "lúa gạo", "cà phê", "thủy sản", "du lịch", "giao thông", "cao tốc",
    "sân bay", "đường sắt", "bóng đá", "đội tuyển", "trận đấu", "học sinh", "sinh viên",
    "bệnh viện", "bác sĩ", "người dân", "cuộc sống", "môi trường", "biến đổi khí hậu", "mưa lũ",
    "bão", "miền Trung", "Tây Nguyên", "đồng bằng sông Cửu Long", "năm nay", "tháng trước",
    "tuần tới", "hôm qua", "theo báo cáo", "cho biết", "khẳng định", "đề xuất", "triển khai",
    "thực hiện", "chính sách", "mới", "quan trọng", "hiệu quả", "bền vững", "phát triển",
    "đầu tư", "hạ tầng", "dự án", "công trình", "vốn", "ngân sách", "thị trường",
    "chứng khoán", "bất động sản", "giá vàng", "xăng dầu", "điện", "năng lượng tái tạo",
    "hợp tác", "quốc tế", "Việt Nam", "Nhật Bản", "Hàn Quốc", "châu Âu", "hội nghị",
    "lễ hội", "âm nhạc", "điện ảnh", "báo chí", "an ninh", "pháp luật", "tòa án",
    "cơ quan chức năng", "lực lượng", "cán bộ", "công chức", "của", "và", "với", "trong",
    "đã", "sẽ", "được", "các", "những", "người", "cho", "từ", "để", "khi", "tại",
};
#define NWORDS (sizeof words / sizeof words[0])
static const char *const slugs[] = {
    "chinh-phu", "thu-tuong", "quoc-hoi", "ha-noi", "tp-hcm", "da-nang", "kinh-te", "giao-duc",
    "y-te", "cong-nghe", "doanh-nghiep", "ngan-hang", "lai-suat", "xuat-khau", "du-lich",
    "cao-toc", "san-bay", "bong-da", "hoc-sinh", "benh-vien", "mua-lu", "bao", "mien-trung",
    "du-an", "dau-tu", "gia-vang", "xang-dau", "dien", "hop-tac", "le-hoi", "phap-luat",
    "trien-khai", "de-xuat", "nguoi-dan", "thi-truong", "chung-khoan", "bat-dong-san",
};
#define NSLUGS (sizeof slugs / sizeof slugs[0])
static const char *const cats[] = {"thoi-su", "kinh-doanh", "the-gioi", "giao-duc", "suc-khoe",
                                   "the-thao", "giai-tri", "so-hoa", "du-lich", "phap-luat"};

static uint64_t rng_next(uint64_t *x)
{
	/* splitmix64 */
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Words until at least min bytes; a sentence starting upper case is not worth the bytes. */
static void words_until(struct buf *b, uint64_t *rng, size_t min)
{
	size_t start = b->len;
	while (b->len - start < min) {
		if (b->len > start)
			buf_puts(b, (rng_next(rng) % 9 == 0) ? ". " : " ");
		buf_puts(b, words[rng_next(rng) % NWORDS]);
	}
}

static char *dup_buf(struct buf *b)
{
	char *s = xstrndup(b->data, b->len);
	buf_reset(b);
	return s;
}

/* Fills e with entry serial n (j: its place in its feed, 0 the newest). */
static void gen_entry(struct entry *e, uint64_t n, size_t k, size_t j, int64_t seen_at)
{
	uint64_t rng = n * UINT64_C(0x2545f4914f6cdd1d) + 1;
	struct buf b;
	buf_init(&b, 0);
	const char *cat = cats[rng_next(&rng) % (sizeof cats / sizeof cats[0])];
	buf_printf(&b, "https://tin%zu.example.vn/%s/", k, cat);
	for (int w = 0, nw = 4 + (int)(rng_next(&rng) % 5); w < nw; w++)
		buf_printf(&b, "%s-", slugs[rng_next(&rng) % NSLUGS]);
	buf_printf(&b, "%" PRIu64 ".html", 4000000 + n);
	e->link = dup_buf(&b);
	/* Half the sources give the link as guid (isPermaLink), half an id of their own. */
	if (k % 2 == 0)
		e->id = xstrdup(e->link);
	else
		e->id = xasprintf("https://tin%zu.example.vn/?p=%" PRIu64, k, 4000000 + n);
	words_until(&b, &rng, 60 + rng_next(&rng) % 50);
	e->title = dup_buf(&b);
	buf_printf(&b, "<p>");
	words_until(&b, &rng, 450 + rng_next(&rng) % 100);
	buf_puts(&b, ".</p>");
	e->summary = dup_buf(&b);
	buf_printf(&b, "Tác giả %u", (unsigned)(rng_next(&rng) % 40));
	e->author = dup_buf(&b);
	entry_add_category(e, cat);
	e->published = seen_at - (int64_t)j * 60 - (int64_t)(rng_next(&rng) % 60);
	buf_free(&b);
}

/* The feed of source k in round r, entries [from, to) of it (to <= per_feed). */
static struct feed *gen_feed(size_t k, uint64_t r, size_t from, size_t to)
{
	struct feed *f = feed_new();
	f->format = FEED_FORMAT_RSS20;
	f->title = xasprintf("Tin %zu - Tin nhanh Việt Nam", k);
	f->link = xasprintf("https://tin%zu.example.vn/", k);
	int64_t seen_at = T0 + (int64_t)r * ROUND_S;
	for (size_t j = from; j < to; j++) {
		uint64_t n = r * nsources * per_feed + k * per_feed + j;
		/* Document order: the newest first; serials grow with j only for the numbering. */
		gen_entry(feed_add_entry(f), n, k, j, seen_at);
	}
	return f;
}

/* --- the store's connection: pragmas and statement profile ----------------------------------- */

static const char *pragmas;
static int trace_on;
static size_t batch_feeds = 1; /* BATCH: feeds a batch (store_batch_begin/commit), 1: none */
static double batch_s;         /* BATCH_S: or a batch ends after this long in the store */
static int wal_autocheckpoint = -1; /* WAL_AUTOCHECKPOINT: pages, set on the first statement */
struct stmt_time {
	char *sql;
	uint64_t ns, calls;
};
static struct stmt_time traced[128];
static size_t ntraced;

static int trace_cb(unsigned type, void *ctx, void *p, void *x)
{
	if (type == SQLITE_TRACE_STMT) {
		/* sqlite3_open sets the default after the auto extensions run: so here, once. */
		int *done = ctx;
		if (!*done) {
			*done = 1;
			sqlite3_wal_autocheckpoint(sqlite3_db_handle((sqlite3_stmt *)p),
			                           wal_autocheckpoint);
		}
		return 0;
	}
	if (type != SQLITE_TRACE_PROFILE || !trace_on)
		return 0;
	const char *sql = sqlite3_sql((sqlite3_stmt *)p);
	if (sql == NULL)
		return 0;
	size_t i;
	for (i = 0; i < ntraced; i++)
		if (strcmp(traced[i].sql, sql) == 0)
			break;
	if (i == ntraced) {
		if (ntraced == sizeof traced / sizeof traced[0])
			return 0;
		traced[ntraced++].sql = xstrdup(sql);
	}
	traced[i].ns += *(sqlite3_uint64 *)x;
	traced[i].calls++;
	return 0;
}

static int conn_init(sqlite3 *db, char **errmsg, const void *api)
{
	(void)api;
	if (pragmas != NULL && pragmas[0] != '\0' &&
	    sqlite3_exec(db, pragmas, NULL, NULL, errmsg) != SQLITE_OK)
		return SQLITE_ERROR;
	unsigned mask = (trace_on ? SQLITE_TRACE_PROFILE : 0) |
	                (wal_autocheckpoint >= 0 ? SQLITE_TRACE_STMT : 0);
	if (mask != 0)
		sqlite3_trace_v2(db, mask, trace_cb, xcalloc(1, sizeof(int))); /* one a connection */
	return SQLITE_OK;
}

static int cmp_traced(const void *a, const void *b)
{
	const struct stmt_time *x = a, *y = b;
	return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : 0;
}

static void trace_report(void)
{
	if (!trace_on)
		return;
	qsort(traced, ntraced, sizeof traced[0], cmp_traced);
	for (size_t i = 0; i < ntraced && i < 14; i++) {
		char shown[73];
		snprintf(shown, sizeof shown, "%s", traced[i].sql);
		for (char *c = shown; *c; c++)
			if (*c == '\n' || *c == '\t')
				*c = ' ';
		printf("stmt %.3f %" PRIu64 " %s\n", (double)traced[i].ns / 1e9, traced[i].calls,
		       shown);
	}
}

/* --- helpers ----------------------------------------------------------------------------------- */

static struct store *open_store(const char *path)
{
	char err[512];
	struct store *s = store_open(path, err, sizeof err);
	if (s == NULL) {
		fprintf(stderr, "store_bench: %s\n", err);
		exit(1);
	}
	/* CACHE_KB: a what-if page cache, set after the store's own (PRAGMAS run before it). */
	const char *cache_kb = getenv("CACHE_KB");
	if (cache_kb != NULL && atoi(cache_kb) > 0) {
		char *sql = xasprintf("PRAGMA cache_size = -%d", atoi(cache_kb));
		sqlite3_exec(store_db(s), sql, NULL, NULL, NULL);
		free(sql);
	}
	return s;
}

static sqlite3 *open_raw(const char *path)
{
	sqlite3 *db;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		fprintf(stderr, "store_bench: %s: %s\n", path, sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "store_bench: %s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Entries already stored (serials continue from there), with tombstones: the pruned ones. */
static uint64_t stored_serials(const char *path)
{
	struct stat sb;
	if (stat(path, &sb) != 0)
		return 0;
	sqlite3 *db = open_raw(path);
	int64_t n = query_int(db, "SELECT (SELECT count(*) FROM entries) +"
	                          " (SELECT count(*) FROM tombstones)");
	sqlite3_close(db);
	return n > 0 ? (uint64_t)n : 0;
}

/* CPU seconds (user + system) of this process so far. */
static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Bytes this process passed to write(2) and pwrite(2) so far (Linux; -1 elsewhere): the WAL's
 * frames and the checkpoints' copies of them. */
static long long written_bytes(void)
{
	FILE *fp = fopen("/proc/self/io", "r");
	long long v = -1;
	char line[128];
	while (fp != NULL && fgets(line, sizeof line, fp) != NULL)
		if (sscanf(line, "wchar: %lld", &v) == 1)
			break;
	if (fp != NULL)
		fclose(fp);
	return v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void sync_sources(struct store *s)
{
	struct store_source *list = xcalloc(nsources, sizeof *list);
	char **names = xcalloc(nsources, sizeof *names), **urls = xcalloc(nsources, sizeof *urls);
	for (size_t k = 0; k < nsources; k++) {
		names[k] = xasprintf("tin%zu", k);
		urls[k] = xasprintf("https://tin%zu.example.vn/rss/tin-moi-nhat.rss", k);
		list[k] = (struct store_source){.name = names[k], .url = urls[k]};
	}
	if (store_sync_sources(s, list, nsources, T0) != 0)
		exit(1);
	for (size_t k = 0; k < nsources; k++) {
		free(names[k]);
		free(urls[k]);
	}
	free(names);
	free(urls);
	free(list);
}

/* Prints the distribution of the times t[0..n) (seconds) as NAME_* lines, in ms. */
static void print_dist(const char *name, double *t, size_t n)
{
	if (n == 0)
		return;
	qsort(t, n, sizeof *t, cmp_double);
	printf("%s_p50_ms %.3f\n%s_p99_ms %.3f\n%s_max_ms %.3f\n", name, t[n / 2] * 1e3, name,
	       t[n * 99 / 100] * 1e3, name, t[n - 1] * 1e3);
}

/* --- commands ---------------------------------------------------------------------------------- */

static int cmd_ingest(const char *path, uint64_t count, int again)
{
	uint64_t first = stored_serials(path);
	struct store *s = open_store(path);
	double ts = now_s();
	sync_sources(s);
	printf("sync_ms %.3f\n", (now_s() - ts) * 1e3);
	uint64_t round_size = (uint64_t)nsources * per_feed;
	if (again) {
		/* The last complete round once more, a round later: every entry known, unchanged. */
		if (first < round_size) {
			fprintf(stderr, "store_bench: repoll needs a full round stored\n");
			return 1;
		}
		first = (first / round_size - 1) * round_size;
		count = round_size;
	}
	size_t ncommits = 0, cap = (size_t)(count / per_feed + 2);
	double *t = xcalloc(cap, sizeof *t);
	double commit_s = 0, gen_s = 0, t_start = now_s(), c_start = cpu_s();
	size_t max_at = 0;
	long long w_start = written_bytes();
	size_t added = 0;
	double in_batch_s = 0; /* store time of the open batch so far */
	for (uint64_t n = first; n < first + count && ncommits < cap;) {
		uint64_t r = n / round_size;
		size_t k = (size_t)(n % round_size / per_feed), j = (size_t)(n % per_feed);
		size_t to = per_feed;
		if (first + count - n < to - j)
			to = j + (size_t)(first + count - n);
		double tg = now_s();
		struct feed *f = gen_feed(k, r, j, to);
		gen_s += now_s() - tg;
		char name[32], url[96], etag[48];
		snprintf(name, sizeof name, "tin%zu", k);
		snprintf(url, sizeof url, "https://tin%zu.example.vn/rss/tin-moi-nhat.rss", k);
		snprintf(etag, sizeof etag, "\"%" PRIx64 "-%zu\"", r, k);
		int64_t seen_at = T0 + (int64_t)(r + (again ? 1 : 0)) * ROUND_S;
		size_t a = 0;
		double t0 = now_s();
		if (batch_feeds > 1 || batch_s > 0) {
			if (!store_batch_open(s))
				in_batch_s = 0;
			store_batch_begin(s);
		}
		/* The last argument NULL: what else changed (updated entries) is not counted. */
		if (store_commit_fetch(s, name, url, f, etag, "Tue, 14 Nov 2023 22:13:20 GMT", seen_at,
		                       STORE_IDENTITY_AUTO, &a, NULL) != 0) {
			fprintf(stderr, "store_bench: store_commit_fetch failed\n");
			return 1;
		}
		/* The batch's commit counts in the feed that ends it: the daemon's loop pays it. */
		int batch_ends =
		    batch_s > 0 ? in_batch_s + (now_s() - t0) >= batch_s
		                : (ncommits + 1) % batch_feeds == 0;
		if ((batch_feeds > 1 || batch_s > 0) && (batch_ends || n + (to - j) >= first + count) &&
		    store_batch_commit(s) != 0) {
			fprintf(stderr, "store_bench: store_batch_commit failed\n");
			return 1;
		}
		double dt = now_s() - t0;
		in_batch_s += dt;
		if (ncommits == 0 || dt > t[max_at])
			max_at = ncommits;
		t[ncommits++] = dt;
		commit_s += dt;
		added += a;
		feed_free(f);
		n += to - j;
	}
	double wall = now_s() - t_start;
	struct store_checkpoint_stats cs;
	store_checkpoints(s, &cs);
	long long w_end = written_bytes();
	store_close(s);
	printf("checkpoints %" PRIu64 "\ncheckpoint_s %.3f\ncheckpoint_longest_ms %.3f\n", cs.runs,
	       cs.seconds, cs.longest_s * 1e3);
	printf("checkpoint_waits %" PRIu64 "\ncheckpoint_wait_longest_ms %.3f\n", cs.waits,
	       cs.longest_wait_s * 1e3);
	if (w_start >= 0 && count > 0)
		printf("written_per_entry %.0f\n", (double)(w_end - w_start) / (double)count);
	printf("cpu_s %.3f\ngen_s %.3f\ncommit_max_at %zu\n", cpu_s() - c_start, gen_s, max_at);
	printf("entries %" PRIu64 "\nnew %zu\ncommits %zu\ncommit_s %.3f\nwall_s %.3f\n",
	       count, added, ncommits, commit_s, wall);
	printf("rate %.0f\n", commit_s > 0 ? (double)count / commit_s : 0);
	print_dist("commit", t, ncommits);
	trace_report();
	free(t);
	return 0;
}

static int cmd_newest(const char *path, size_t runs, size_t limit)
{
	struct store *s = open_store(path);
	double *t = xcalloc(runs + 1, sizeof *t);
	size_t got = 0;
	for (size_t i = 0; i <= runs; i++) { /* the first warms the cache and is not counted */
		struct merged m;
		double t0 = now_s();
		if (store_load_merged(s, limit, &m) != 0) {
			fprintf(stderr, "store_bench: store_load_merged failed\n");
			return 1;
		}
		double dt = now_s() - t0;
		got = m.nentries;
		merged_free(&m);
		if (i > 0)
			t[i - 1] = dt;
	}
	/* The plan of the statement the store ran, not of a copy of its text. */
	for (sqlite3_stmt *p = sqlite3_next_stmt(store_db(s), NULL); p != NULL;
	     p = sqlite3_next_stmt(store_db(s), p)) {
		const char *sql = sqlite3_sql(p);
		if (sql == NULL || strncmp(sql, "SELECT e.id,", 12) != 0)
			continue;
		char *explain = xasprintf("EXPLAIN QUERY PLAN %s", sql);
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(store_db(s), explain, -1, &q, NULL) == SQLITE_OK) {
			while (sqlite3_step(q) == SQLITE_ROW)
				printf("plan %s\n", (const char *)sqlite3_column_text(q, 3));
			sqlite3_finalize(q);
		}
		free(explain);
	}
	/* A cold read too: a new connection (the page cache of the OS stays warm). */
	store_close(s);
	s = open_store(path);
	struct merged m;
	double t0 = now_s();
	store_load_merged(s, limit, &m);
	double cold = now_s() - t0;
	merged_free(&m);
	store_close(s);
	printf("loaded %zu\nfirst_connection_ms %.3f\n", got, cold * 1e3);
	print_dist("newest", t, runs);
	printf("newest_min_ms %.3f\n", t[0] * 1e3);
	trace_report();
	free(t);
	return 0;
}

static int cmd_prune(const char *path, uint64_t count, size_t batch)
{
	/* A retention by age (keep_days) whose cutoff is the first_seen of the (count+1)-th
	 * oldest entry: a round's entries share one first_seen, so whole rounds go. */
	sqlite3 *db = open_raw(path);
	char sql[160];
	snprintf(sql, sizeof sql,
	         "SELECT first_seen FROM entries ORDER BY first_seen LIMIT 1 OFFSET %" PRIu64, count);
	int64_t cutoff = query_int(db, sql);
	int64_t newest = query_int(db, "SELECT max(first_seen) FROM entries");
	int64_t before = query_int(db, "SELECT count(*) FROM entries");
	sqlite3_close(db);
	if (cutoff < 0) {
		fprintf(stderr, "store_bench: fewer than %" PRIu64 " entries\n", count);
		return 1;
	}
	struct store *s = open_store(path);
	struct store_retention r = {
	    .now = newest + ROUND_S,
	    .older_than = cutoff,
	    .tombstones_before = cutoff, /* as the daemon: now - keep_days */
	};
	size_t nb = 0, cap = (size_t)(count / batch + 16), total = 0;
	double *t = xcalloc(cap, sizeof *t), sum = 0;
	int more = 1;
	double c_start = cpu_s();
	long long w_start = written_bytes();
	while (more && nb < cap) {
		size_t pruned = 0;
		double t0 = now_s();
		if (store_prune_entries(s, &r, batch, &pruned, &more) != 0)
			return 1;
		double dt = now_s() - t0;
		t[nb++] = dt;
		sum += dt;
		total += pruned;
		/* The daemon's batches are 50 ms apart (SOURCE_RETENTION_STEP_S): the checkpoint
		 * thread works meanwhile, and a batch does not wait for it. */
		struct timespec gap = {0, 50 * 1000 * 1000};
		if (more)
			nanosleep(&gap, NULL);
	}
	struct store_checkpoint_stats cs;
	store_checkpoints(s, &cs);
	printf("checkpoint_waits %" PRIu64 "\ncheckpoint_wait_longest_ms %.3f\n", cs.waits,
	       cs.longest_wait_s * 1e3);
	if (w_start >= 0 && total > 0)
		printf("written_per_entry %.0f\n", (double)(written_bytes() - w_start) / (double)total);
	store_close(s);
	printf("cpu_s %.3f\n", cpu_s() - c_start);
	db = open_raw(path);
	int64_t after = query_int(db, "SELECT count(*) FROM entries");
	sqlite3_close(db);
	printf("pruned %zu\nbefore %" PRId64 "\nafter %" PRId64 "\nbatches %zu\nprune_s %.3f\n",
	       total, before, after, nb, sum);
	print_dist("batch", t, nb);
	trace_report();
	free(t);
	return 0;
}

static int cmd_checkpoint(const char *path)
{
	sqlite3 *db = open_raw(path);
	if (sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "store_bench: checkpoint: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	printf("entries %" PRId64 "\ntombstones %" PRId64 "\npage_size %" PRId64
	       "\npages %" PRId64 "\nfreelist %" PRId64 "\n",
	       query_int(db, "SELECT count(*) FROM entries"),
	       query_int(db, "SELECT count(*) FROM tombstones"), query_int(db, "PRAGMA page_size"),
	       query_int(db, "PRAGMA page_count"), query_int(db, "PRAGMA freelist_count"));
	sqlite3_close(db);
	struct stat sb;
	if (stat(path, &sb) == 0)
		printf("bytes %lld\n", (long long)sb.st_size);
	return 0;
}

static size_t env_size(const char *name, size_t def)
{
	const char *v = getenv(name);
	return v != NULL && v[0] != '\0' ? (size_t)strtoull(v, NULL, 10) : def;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: store_bench ingest|repoll|newest|prune|checkpoint DB ...\n");
		return 2;
	}
	log_set_verbosity(0);
	per_feed = env_size("PER_FEED", 50);
	nsources = env_size("SOURCES", 100);
	if (per_feed == 0 || nsources == 0)
		return 2;
	pragmas = getenv("PRAGMAS");
	if (getenv("BATCH") != NULL && atoi(getenv("BATCH")) > 1)
		batch_feeds = (size_t)atoi(getenv("BATCH"));
	if (getenv("BATCH_S") != NULL && atof(getenv("BATCH_S")) > 0)
		batch_s = atof(getenv("BATCH_S"));
	trace_on = getenv("TRACE") != NULL && strcmp(getenv("TRACE"), "1") == 0;
	if (getenv("WAL_AUTOCHECKPOINT") != NULL && getenv("WAL_AUTOCHECKPOINT")[0] != '\0')
		wal_autocheckpoint = atoi(getenv("WAL_AUTOCHECKPOINT"));
	sqlite3_auto_extension((void (*)(void))conn_init);
	const char *cmd = argv[1], *db = argv[2];
	if (strcmp(cmd, "ingest") == 0 && argc == 4)
		return cmd_ingest(db, strtoull(argv[3], NULL, 10), 0);
	if (strcmp(cmd, "repoll") == 0 && argc == 3)
		return cmd_ingest(db, 0, 1);
	if (strcmp(cmd, "newest") == 0 && argc == 5)
		return cmd_newest(db, (size_t)strtoull(argv[3], NULL, 10),
		                  (size_t)strtoull(argv[4], NULL, 10));
	if (strcmp(cmd, "prune") == 0 && argc == 5)
		return cmd_prune(db, strtoull(argv[3], NULL, 10), (size_t)strtoull(argv[4], NULL, 10));
	if (strcmp(cmd, "checkpoint") == 0 && argc == 3)
		return cmd_checkpoint(db);
	fprintf(stderr, "store_bench: bad arguments\n");
	return 2;
}
