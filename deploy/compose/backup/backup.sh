#!/bin/bash
# Backups of the Compose PostgreSQL: pg_dump in custom format (restore with pg_restore, any table
# alone if need be) into /backups, keeping the newest $BACKUP_KEEP.
#   backup.sh once   one dump now, then exit (exit code says whether it worked)
#   backup.sh loop   one dump every $BACKUP_INTERVAL_SECONDS
set -euo pipefail
printf '%s:5432:*:%s:%s\n' "$PGHOST" "$PGUSER" "$(tr -d '\n' <"$PASSWORD_FILE")" >"$PGPASSFILE"
chmod 600 "$PGPASSFILE"

dump() {
  local name
  name="/backups/${PGDATABASE}-$(date -u +%Y%m%dT%H%M%SZ).dump"
  pg_dump --format=custom --file="$name.partial" "$PGDATABASE"
  mv "$name.partial" "$name"
  echo "backup: wrote $name ($(stat -c %s "$name") bytes)"
  ls -1t /backups/"$PGDATABASE"-*.dump | tail -n +"$(( ${BACKUP_KEEP:-7} + 1 ))" | xargs -r rm -f
}

case "${1:-once}" in
  once) dump ;;
  loop)
    while true; do
      dump || echo "backup: pg_dump failed; next try in ${BACKUP_INTERVAL_SECONDS:-86400}s" >&2
      sleep "${BACKUP_INTERVAL_SECONDS:-86400}" & wait $!
    done
    ;;
  *) echo "usage: backup.sh once|loop" >&2; exit 2 ;;
esac
