#!/bin/sh
# Create Regiotafel's two PostgreSQL roles and its database, once, as a PostgreSQL superuser.
#
# - the OWNER role owns the database, its schema and every table; `regiotafel migrate` and
#   `regiotafel audit beveilig` run as it;
# - the APPLICATION role is what the web server and the workers log in as: not a superuser,
#   not a member of the owner, so it cannot TRUNCATE the audit log, drop its triggers or switch
#   them off (docs/audit.md). `regiotafel audit beveilig --app-rol …` gives it its rights.
#
# Reads REGIOTAFEL_OWNER_PASSWORD and REGIOTAFEL_APP_PASSWORD (deploy/make-env.py writes them
# to postgres.env) and optionally REGIOTAFEL_OWNER_ROLE, REGIOTAFEL_APP_ROLE,
# REGIOTAFEL_DATABASE. psql connects as usual (PGHOST, PGUSER, ...; by default the local
# socket as the current user). The compose file runs it from /docker-entrypoint-initdb.d;
# on Debian (docs/deployment.md):
#   set -a; . /etc/regiotafel/postgres.env; set +a
#   runuser -u postgres -- sh deploy/postgres/create-roles.sh
set -eu
: "${REGIOTAFEL_OWNER_PASSWORD:?set REGIOTAFEL_OWNER_PASSWORD (postgres.env)}"
: "${REGIOTAFEL_APP_PASSWORD:?set REGIOTAFEL_APP_PASSWORD (postgres.env)}"
owner="${REGIOTAFEL_OWNER_ROLE:-regiotafel}"
app="${REGIOTAFEL_APP_ROLE:-regiotafel_app}"
database="${REGIOTAFEL_DATABASE:-regiotafel}"

# psql variables (:"name" quotes an identifier, :'name' a literal) keep the passwords out of
# the command line (ps) and out of the SQL text; they only work in a script read from stdin.
psql -v ON_ERROR_STOP=1 -X -q --dbname postgres \
  -v owner="$owner" -v app="$app" -v database="$database" \
  -v owner_password="$REGIOTAFEL_OWNER_PASSWORD" -v app_password="$REGIOTAFEL_APP_PASSWORD" <<'SQL'
SET password_encryption = 'scram-sha-256';
CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'app_password';
CREATE DATABASE :"database" OWNER :"owner" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"app";
\connect :"database"
-- PostgreSQL 15 and later: the public schema belongs to the database owner and nobody else
-- may create in it; say so for older versions too.
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
echo "create-roles: roles $owner (owner) and $app (application), database $database"
