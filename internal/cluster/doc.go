// Package cluster holds the suite of the national deployment: three surel processes
// (the real binary, built once per run) on one PostgreSQL, with their documents in a
// real S3-compatible bucket and their mail going to a real SMTP server, behind a real
// nginx (Debian's, started unprivileged on a loopback port with the configuration of
// docs/nginx, and stopped by its pid) doing round robin, so consecutive requests of one
// client land on different processes. It walks the applicant's and the staff's journey
// through nginx and checks, there, each point of several processes sharing a database:
// migrations, the leader, the secret key, spent captchas, lockouts, rate limits,
// documents, the SOP cache, jobs across kill -9 and SIGTERM.
//
// It needs PostgreSQL (SUREL_TEST_POSTGRES), an S3 server (SUREL_TEST_S3) and nginx
// (/usr/sbin/nginx or $SUREL_NGINX); it skips without them, and fails with CI=true.
// .ci/run provides all three. It skips under -short.
package cluster
