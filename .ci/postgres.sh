# Sourced by .ci/run and bench/run: the local PostgreSQL cluster, set up the same way for both.
#
# setup_postgres DATABASE — installs PostgreSQL when pg_ctlcluster is missing, creates and
# starts the newest version's "main" cluster, makes the role sigil/sigil, and creates DATABASE
# afresh (owned by sigil). Sets PG_URL to its connection URL.

pg_user=sigil
pg_password=sigil

setup_postgres() {
    local database=$1
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        echo "== installing PostgreSQL"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    local ver
    ver=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
    if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$ver main"; then
        pg_createcluster "$ver" main >/dev/null
    fi
    if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $4}' | grep -q online; then
        pg_ctlcluster --skip-systemctl-redirect "$ver" main start
    fi
    local pg_port
    pg_port=$(pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $3}')
    for _ in $(seq 1 30); do
        pg_isready -q -h 127.0.0.1 -p "$pg_port" && break
        sleep 1
    done
    runuser -u postgres -- psql -q -p "$pg_port" -v ON_ERROR_STOP=1 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$pg_user') THEN
    CREATE ROLE $pg_user LOGIN CREATEDB PASSWORD '$pg_password';
  ELSE
    ALTER ROLE $pg_user LOGIN CREATEDB PASSWORD '$pg_password';
  END IF;
END \$\$;
SQL
    runuser -u postgres -- dropdb -p "$pg_port" --if-exists --force "$database"
    runuser -u postgres -- createdb -p "$pg_port" -O "$pg_user" "$database"
    PG_URL="postgres://$pg_user:$pg_password@127.0.0.1:$pg_port/$database"
}
