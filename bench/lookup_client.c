/*
 * bench/lookup_client.c: the client of the lookup benchmark (bench/lookups.sh)
 * and of the session benchmark (bench/sessions.sh).
 *
 *   lookup_client -s a|b|c|d -c CLIENTS -T SECONDS -t TENANTS -u USERS [-w WARMUP] [-r SEED] [-q SQL]... CONNINFO
 *   lookup_client -s e|f -F opaque|jws|jwe -c CLIENTS -T SECONDS [-w WARMUP] [-r SEED] [-q SQL]... CONNINFO
 *
 * Runs one scenario with CLIENTS connections, one process each, for SECONDS
 * seconds.  Every request picks a random tenant k (1..TENANTS) and user j
 * (1..USERS) and sends one prepared statement (PQexecPrepared, text
 * parameters); the answer must be exactly that user's row, else the client
 * stops with an error.  Keys are rebuilt here exactly as
 * bench/lookups_setup.sql derives them:
 *
 *   (a) SELECT * FROM multitenant.user_by_login_name($1, $2)
 *       $1 'user000042', $2 tenant k's signed token (read once from
 *       lookup_bench.tenants before the clock starts); run as the
 *       application role, with no tenant set in the session.
 *   (b) SELECT * FROM multitenant.users_projection WHERE instance_id = $1 AND username_lower = $2
 *       the floor: same index, run as a superuser (no RLS, no tenant switch).
 *   (c) SELECT * FROM multitenant.authenticate_pat($1)
 *   (d) SELECT instance_id, user_id, scopes FROM multitenant.personal_access_tokens_projection
 *        WHERE token_hash = pg_catalog.sha256(pg_catalog.convert_to($1, 'UTF8'))
 *       the floor: the same unique index, as a superuser.
 *
 * The session scenarios pick a random session of format FORMAT per request
 * among those of session_bench.tokens (bench/sessions_setup.sql; read, with
 * each session's id and tenant, before the clock starts); the answer must
 * be exactly that session, in its tenant:
 *
 *   (e) SELECT * FROM multitenant.validate_session($1, true)
 *       as the application role, no tenant set in the session: the token is
 *       validated and its tenant and principal entered in one statement.
 *   (f) SELECT instance_id, principal_id, realm_id, kind, expires_at, id FROM multitenant.principal_sessions
 *        WHERE token_hash = pg_catalog.sha256(pg_catalog.convert_to($1, 'UTF8'))
 *       the floor: the same unique index, as a superuser.
 *
 * -q SQL replaces the scenario's statement by a diagnostic variant that takes
 * the same parameters and answers with the same columns.  Given up to
 * MAX_VARIANTS times, the requests take the variants in turn, and the output
 * adds each one's mean wall time (mean_us_1=... mean_us_2=...): variants
 * that alternate request by request see the same load on the machine, so the
 * difference of their times is what one costs more than the other even when
 * other work makes the absolute figures drift.
 *
 * Each connection first touches every page its lookups read
 * (lookup_bench.touch_pages or session_bench.touch_pages, see below) and
 * sends WARMUP requests (default 200: the plans are built and cached), then
 * all connections start together.  Output, one line:
 *
 *   scenario=a clients=1 seconds=10.00 lookups=123456 lookups_per_s=12345.6 mean_us=81.0 server_cpu_us=40.1
 *
 * (for e and f with "format=opaque sessions=5000" after the scenario).
 *
 * mean_us is the mean wall time of one request as the client sees it (round
 * trip included); server_cpu_us is the CPU time (user + system, from
 * /proc/PID/stat, so the client must run on the server's machine) that the
 * serving backends spent per lookup, which other load on the machine
 * disturbs less than wall time.
 *
 * Build: gcc -O2 -o lookup_client lookup_client.c -I$(pg_config --includedir) -L$(pg_config --libdir) -lpq
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#define INSTANCE_BASE 200000000000000000LL
#define USER_BASE 300000000000000000LL

#define MAX_VARIANTS 8

typedef struct Result
{
	long		lookups;
	double		elapsed;		/* seconds */
	double		latency_sum;	/* seconds */
	double		variant_latency[MAX_VARIANTS];	/* seconds, per -q variant */
	long		variant_count[MAX_VARIANTS];
	double		server_cpu;		/* seconds */
	int			failed;
} Result;

static char scenario = 0;
static int	n_clients = 1;
static double seconds = 10.0;
static int	n_tenants = 0;
static int	n_users = 0;
static int	warmup = 200;
static unsigned long long seed = 42;
static const char *conninfo = NULL;
static char **tenant_tokens = NULL;	/* [1..n_tenants], scenario a only */
static const char *variants[MAX_VARIANTS];	/* -q: diagnostic variants */
static int	n_variants = 0;
static char statement_name[3] = "q0";	/* the prepared statement to send: q0..q7 */

/* Scenarios e and f: sessions [1..n_sessions] of one format. */
typedef struct Session
{
	char	   *token;
	char	   *session_id;
	char	   *tenant;
} Session;

static const char *session_format = "opaque";
static Session *sessions = NULL;
static int	n_sessions = 0;

#define SESSION_SCENARIO(s) ((s) == 'e' || (s) == 'f')

static const char *
statement_sql(char s)
{
	switch (s)
	{
		case 'a':
			return "SELECT * FROM multitenant.user_by_login_name($1, $2)";
		case 'b':
			return "SELECT * FROM multitenant.users_projection WHERE instance_id = $1 AND username_lower = $2";
		case 'c':
			return "SELECT * FROM multitenant.authenticate_pat($1)";
		case 'd':
			return "SELECT instance_id, user_id, scopes FROM multitenant.personal_access_tokens_projection"
				" WHERE token_hash = pg_catalog.sha256(pg_catalog.convert_to($1, 'UTF8'))";
		case 'e':
			return "SELECT * FROM multitenant.validate_session($1, true)";
		case 'f':
			return "SELECT instance_id, principal_id, realm_id, kind, expires_at, id FROM multitenant.principal_sessions"
				" WHERE token_hash = pg_catalog.sha256(pg_catalog.convert_to($1, 'UTF8'))";
	}
	return NULL;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: cheap, and good enough to pick keys. */
static uint64_t
next_random(uint64_t *state)
{
	uint64_t	x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 2685821657736338717ULL;
}

static void
die(PGconn *conn, const char *what)
{
	fprintf(stderr, "lookup_client: %s: %s", what, conn ? PQerrorMessage(conn) : "\n");
	exit(1);
}

static PGconn *
connect_or_die(void)
{
	PGconn	   *conn = PQconnectdb(conninfo);

	if (PQstatus(conn) != CONNECTION_OK)
		die(conn, "connection failed");
	return conn;
}

/* CPU seconds (utime + stime) that process pid has used so far. */
static double
process_cpu(int pid)
{
	char		path[64];
	char		buf[1024];
	FILE	   *f;
	size_t		n;
	char	   *p;
	unsigned long utime,
				stime;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* fields after the command name, which is in parentheses */
	p = strrchr(buf, ')');
	if (p == NULL ||
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
		return -1;
	return (double) (utime + stime) / sysconf(_SC_CLK_TCK);
}

static void
load_tokens(void)
{
	PGconn	   *conn = connect_or_die();
	char		sql[128];
	PGresult   *res;
	int			i;

	snprintf(sql, sizeof(sql), "SELECT k, token FROM lookup_bench.tenants WHERE k <= %d ORDER BY k", n_tenants);
	res = PQexec(conn, sql);

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		die(conn, "reading lookup_bench.tenants failed");
	if (PQntuples(res) != n_tenants)
	{
		fprintf(stderr, "lookup_client: lookup_bench.tenants has %d tenants, expected %d\n",
				PQntuples(res), n_tenants);
		exit(1);
	}
	tenant_tokens = calloc(n_tenants + 1, sizeof(char *));
	for (i = 0; i < n_tenants; i++)
		tenant_tokens[atoi(PQgetvalue(res, i, 0))] = strdup(PQgetvalue(res, i, 1));
	for (i = 1; i <= n_tenants; i++)
		if (tenant_tokens[i] == NULL)
		{
			fprintf(stderr, "lookup_client: no token for tenant %d\n", i);
			exit(1);
		}
	PQclear(res);
	PQfinish(conn);
}

/* The sessions of session_format, from session_bench.tokens. */
static void
load_sessions(void)
{
	PGconn	   *conn = connect_or_die();
	const char *values[1] = {session_format};
	PGresult   *res;
	int			i;

	res = PQexecParams(conn, "SELECT n, token, session_id, tenant FROM session_bench.tokens"
					   " WHERE format = $1 ORDER BY n", 1, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		die(conn, "reading session_bench.tokens failed");
	n_sessions = PQntuples(res);
	if (n_sessions == 0)
	{
		fprintf(stderr, "lookup_client: session_bench.tokens has no session of format %s\n", session_format);
		exit(1);
	}
	sessions = calloc(n_sessions + 1, sizeof(Session));
	for (i = 0; i < n_sessions; i++)
	{
		int			n = atoi(PQgetvalue(res, i, 0));

		if (n != i + 1)
		{
			fprintf(stderr, "lookup_client: session_bench.tokens: sessions of format %s not numbered 1..%d\n",
					session_format, n_sessions);
			exit(1);
		}
		sessions[n].token = strdup(PQgetvalue(res, i, 1));
		sessions[n].session_id = strdup(PQgetvalue(res, i, 2));
		sessions[n].tenant = strdup(PQgetvalue(res, i, 3));
	}
	PQclear(res);
	PQfinish(conn);
}

/* Request (k, j), for an error line. */
static void
describe(char *what, size_t size, int k, int j)
{
	if (SESSION_SCENARIO(scenario))
		snprintf(what, size, "scenario %c, %s session %d", scenario, session_format, k);
	else
		snprintf(what, size, "scenario %c, tenant %d, user %d", scenario, k, j);
}

/* The column an answer names first, else the other (may be NULL), else -1. */
static int
column(PGresult *res, const char *name, const char *other)
{
	int			col = PQfnumber(res, name);

	return (col >= 0 || other == NULL) ? col : PQfnumber(res, other);
}

/*
 * One request for tenant k, user j (scenarios a-d), or for session k
 * (e, f; j unused); returns 0 when the answer is exactly one row, that user,
 * or that session in its tenant, else prints why and returns -1.
 */
static int
request(PGconn *conn, int k, int j)
{
	char		login[32];
	char		instance[32];
	char		pat[64];
	char		expected_user[32];
	char		what[64];
	const char *values[2];
	int			nparams = 1;
	const char *expected_id = expected_user;
	const char *expected_tenant = NULL;
	PGresult   *res;
	int			id_col;
	int			tenant_col = -1;
	int			rc = 0;

	snprintf(expected_user, sizeof(expected_user), "%lld", USER_BASE + (long long) k * 1000000 + j);
	switch (scenario)
	{
		case 'a':
			snprintf(login, sizeof(login), "user%06d", j);
			values[0] = login;
			values[1] = tenant_tokens[k];
			nparams = 2;
			break;
		case 'b':
			snprintf(instance, sizeof(instance), "%lld", INSTANCE_BASE + k);
			snprintf(login, sizeof(login), "user%06d", j);
			values[0] = instance;
			values[1] = login;
			nparams = 2;
			break;
		case 'c':
		case 'd':
			snprintf(pat, sizeof(pat), "mtp_b%06du%07d%s", k, j, "xxxxxxxxxxxxxxxxxxxxxxxxxxxx");
			values[0] = pat;
			break;
		default:
			values[0] = sessions[k].token;
			expected_id = sessions[k].session_id;
			expected_tenant = sessions[k].tenant;
			break;
	}
	res = PQexecPrepared(conn, statement_name, nparams, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		describe(what, sizeof(what), k, j);
		fprintf(stderr, "lookup_client: %s: %s", what, PQerrorMessage(conn));
		rc = -1;
	}
	else if (PQntuples(res) != 1)
	{
		describe(what, sizeof(what), k, j);
		fprintf(stderr, "lookup_client: %s: %d rows, expected 1\n", what, PQntuples(res));
		rc = -1;
	}
	else
	{
		/* a session run may alternate both scenarios' statements (-q) */
		if (SESSION_SCENARIO(scenario))
		{
			id_col = column(res, "session_id", "id");
			tenant_col = column(res, "tenant", "instance_id");
		}
		else
			id_col = column(res, (scenario == 'a' || scenario == 'b') ? "id" : "user_id", NULL);
		if (id_col < 0 || strcmp(PQgetvalue(res, 0, id_col), expected_id) != 0 ||
			(expected_tenant != NULL &&
			 (tenant_col < 0 || strcmp(PQgetvalue(res, 0, tenant_col), expected_tenant) != 0)))
		{
			describe(what, sizeof(what), k, j);
			fprintf(stderr, "lookup_client: %s: got %s (tenant %s), expected %s (tenant %s)\n", what,
					id_col < 0 ? "no id column" : PQgetvalue(res, 0, id_col),
					tenant_col < 0 ? "-" : PQgetvalue(res, 0, tenant_col),
					expected_id, expected_tenant ? expected_tenant : "-");
			rc = -1;
		}
	}
	PQclear(res);
	return rc;
}

static void
run_client(int index, int ready_fd, int go_fd, int result_fd)
{
	PGconn	   *conn = connect_or_die();
	PGresult   *res;
	uint64_t	state = seed * 0x9E3779B97F4A7C15ULL + (uint64_t) index + 1;
	Result		r = {0};
	int			backend_pid;
	double		cpu0,
				start,
				deadline,
				t;
	char		c;
	int			i;

	for (i = 0; i < (n_variants > 0 ? n_variants : 1); i++)
	{
		statement_name[1] = '0' + i;
		res = PQprepare(conn, statement_name, n_variants > 0 ? variants[i] : statement_sql(scenario), 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			die(conn, "prepare failed");
		PQclear(res);
	}
	res = PQexec(conn, "SELECT pg_backend_pid()");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		die(conn, "pg_backend_pid() failed");
	backend_pid = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);

	/*
	 * A backend maps shared memory page by page on first touch (a page fault
	 * per 4 kB, expensive in this VM); lookup_bench.touch_pages() reads every
	 * page this scenario's lookups read once in this backend, so that the timed
	 * run measures lookups, not the faults of a fresh connection.
	 */
	res = PQexec(conn, SESSION_SCENARIO(scenario) ? "SELECT session_bench.touch_pages()"
				 : (scenario == 'a' || scenario == 'b') ? "SELECT lookup_bench.touch_pages('users')"
				 : "SELECT lookup_bench.touch_pages('pats')");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		die(conn, "touch_pages failed");
	PQclear(res);

	for (i = 0; i < warmup; i++)
	{
		statement_name[1] = '0' + (n_variants > 0 ? i % n_variants : 0);
		if (request(conn, 1 + next_random(&state) % n_tenants, 1 + next_random(&state) % n_users) != 0)
			exit(1);
	}

	if (write(ready_fd, "r", 1) != 1)
		exit(1);
	close(ready_fd);			/* so that the parent sees EOF if a client died */
	/* the parent closes the other end: everybody starts at once */
	while (read(go_fd, &c, 1) > 0)
		;

	cpu0 = process_cpu(backend_pid);
	start = now();
	deadline = start + seconds;
	t = start;
	while (t < deadline)
	{
		int			k = 1 + next_random(&state) % n_tenants;
		int			j = 1 + next_random(&state) % n_users;
		int			v = n_variants > 0 ? r.lookups % n_variants : 0;
		double		t1;

		statement_name[1] = '0' + v;
		if (request(conn, k, j) != 0)
		{
			r.failed = 1;
			break;
		}
		t1 = now();
		r.latency_sum += t1 - t;
		r.variant_latency[v] += t1 - t;
		r.variant_count[v]++;
		r.lookups++;
		t = t1;
	}
	r.elapsed = t - start;
	r.server_cpu = process_cpu(backend_pid) - cpu0;
	PQfinish(conn);
	if (write(result_fd, &r, sizeof(r)) != sizeof(r))
		exit(1);
	exit(r.failed);
}

static void
usage(void)
{
	fprintf(stderr, "usage: lookup_client -s a|b|c|d -c CLIENTS -T SECONDS -t TENANTS -u USERS"
			" [-w WARMUP] [-r SEED] [-q SQL]... CONNINFO\n"
			"       lookup_client -s e|f -F opaque|jws|jwe -c CLIENTS -T SECONDS"
			" [-w WARMUP] [-r SEED] [-q SQL]... CONNINFO\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int			opt;
	int			ready[2],
				go[2],
				results[2];
	int			i;
	int			v;
	int			failed = 0;
	long		lookups = 0;
	double		variant_latency[MAX_VARIANTS] = {0};
	long		variant_count[MAX_VARIANTS] = {0};
	double		rate = 0,
				latency_sum = 0,
				server_cpu = 0,
				elapsed = 0;
	int			cpu_known = 1;

	while ((opt = getopt(argc, argv, "s:c:T:t:u:w:r:q:F:")) != -1)
	{
		switch (opt)
		{
			case 's':
				scenario = optarg[0];
				break;
			case 'c':
				n_clients = atoi(optarg);
				break;
			case 'T':
				seconds = atof(optarg);
				break;
			case 't':
				n_tenants = atoi(optarg);
				break;
			case 'u':
				n_users = atoi(optarg);
				break;
			case 'w':
				warmup = atoi(optarg);
				break;
			case 'r':
				seed = strtoull(optarg, NULL, 10);
				break;
			case 'q':
				if (n_variants == MAX_VARIANTS)
					usage();
				variants[n_variants++] = optarg;
				break;
			case 'F':
				session_format = optarg;
				break;
			default:
				usage();
		}
	}
	if (optind != argc - 1 || statement_sql(scenario) == NULL || n_clients < 1 || seconds <= 0 ||
		(!SESSION_SCENARIO(scenario) && (n_tenants < 1 || n_users < 1 || n_users > 999999)))
		usage();
	conninfo = argv[optind];

	if (scenario == 'a')
		load_tokens();
	if (SESSION_SCENARIO(scenario))
	{
		/* a request picks a session k in 1..n_sessions, j is always 1 */
		load_sessions();
		n_tenants = n_sessions;
		n_users = 1;
	}

	if (pipe(ready) != 0 || pipe(go) != 0 || pipe(results) != 0)
	{
		perror("pipe");
		return 1;
	}
	for (i = 0; i < n_clients; i++)
	{
		pid_t		pid = fork();

		if (pid < 0)
		{
			perror("fork");
			return 1;
		}
		if (pid == 0)
		{
			close(ready[0]);
			close(go[1]);
			close(results[0]);
			run_client(i, ready[1], go[0], results[1]);
		}
	}
	close(ready[1]);
	close(go[0]);
	close(results[1]);

	for (i = 0; i < n_clients; i++)
	{
		char		c;

		if (read(ready[0], &c, 1) != 1)
		{
			fprintf(stderr, "lookup_client: a client failed before the start\n");
			failed = 1;
			break;
		}
	}
	close(go[1]);				/* start */

	for (i = 0; i < n_clients && !failed; i++)
	{
		Result		r;

		if (read(results[0], &r, sizeof(r)) != sizeof(r))
		{
			failed = 1;
			break;
		}
		failed |= r.failed;
		lookups += r.lookups;
		if (r.elapsed > 0)
			rate += r.lookups / r.elapsed;
		if (r.elapsed > elapsed)
			elapsed = r.elapsed;
		latency_sum += r.latency_sum;
		for (v = 0; v < MAX_VARIANTS; v++)
		{
			variant_latency[v] += r.variant_latency[v];
			variant_count[v] += r.variant_count[v];
		}
		if (r.server_cpu < 0)
			cpu_known = 0;
		server_cpu += r.server_cpu;
	}
	while (wait(&i) > 0)
		if (!WIFEXITED(i) || WEXITSTATUS(i) != 0)
			failed = 1;
	if (failed || lookups == 0)
	{
		fprintf(stderr, "lookup_client: scenario %c failed\n", scenario);
		return 1;
	}
	printf("scenario=%c", scenario);
	if (SESSION_SCENARIO(scenario))
		printf(" format=%s sessions=%d", session_format, n_sessions);
	printf(" clients=%d seconds=%.2f lookups=%ld lookups_per_s=%.1f mean_us=%.1f",
		   n_clients, elapsed, lookups, rate, latency_sum / lookups * 1e6);
	if (cpu_known)
		printf(" server_cpu_us=%.1f", server_cpu / lookups * 1e6);
	else
		printf(" server_cpu_us=n/a");
	for (i = 0; n_variants > 1 && i < n_variants; i++)
		printf(" mean_us_%d=%.2f", i + 1,
			   variant_count[i] > 0 ? variant_latency[i] / variant_count[i] * 1e6 : 0.0);
	printf("\n");
	return 0;
}
