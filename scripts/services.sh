# shellcheck shell=bash
# Throwaway PostgreSQL and RabbitMQ servers for tests. Source this file, don't run it:
#
#   source scripts/services.sh
#   trap services_stop EXIT
#   services_start_postgres     # exports PORTAL_TEST_POSTGRES
#   services_start_rabbitmq     # exports PORTAL_TEST_RABBITMQ
#
# Both bind to 127.0.0.1 on free ports, keep their data in a temp dir and leave nothing behind
# after services_stop. Every function returns non-zero with the log tail on failure, so it works
# under `set -e`. See ../shared/TOOLCHAIN.md for where the start commands come from.

_services_pg_dir=""
_services_rmq_dir=""
_services_rmq_node=""
_services_rmq_epmd_port=""
_services_rmq_dist_port=""

_services_now() { printf '%s' "${EPOCHREALTIME:-$(date +%s.%N)}"; }

_services_elapsed() {
    awk -v a="$1" -v b="$(_services_now)" 'BEGIN { printf "%.1f", b - a }'
}

_services_port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a loopback TCP port nobody listens on. The kernel picks it when python3 works;
# otherwise random probing. Either way another process may take it before we bind: rare,
# and the server's start then fails loudly rather than silently sharing a port.
_services_free_port() {
    local port tries
    if port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null) \
        && [[ $port =~ ^[0-9]+$ ]]; then
        printf '%s\n' "$port"
        return 0
    fi
    for ((tries = 0; tries < 200; tries++)); do
        port=$((20000 + RANDOM % 30000))
        if ! _services_port_busy "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    echo "services: found no free loopback port" >&2
    return 1
}

_services_fail() { # message, log file...
    local message=$1 log
    shift
    echo "services: $message" >&2
    for log in "$@"; do
        if [[ -s $log ]]; then
            echo "--- last lines of $log ---" >&2
            tail -n 30 "$log" >&2
        fi
    done
    return 1
}

# initdb and postgres refuse to run as root.
_services_as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

services_start_postgres() {
    if [[ -n $_services_pg_dir ]]; then
        echo "services: PostgreSQL already started ($PORTAL_TEST_POSTGRES)"
        return 0
    fi
    local started dir port
    started=$(_services_now)
    if ! command -v initdb >/dev/null 2>&1 || ! command -v pg_ctl >/dev/null 2>&1; then
        _services_fail "initdb/pg_ctl not on PATH: PostgreSQL server binaries are missing"
        return 1
    fi
    dir=$(mktemp -d -t portal-pg.XXXXXX) || return 1
    _services_pg_dir=$dir # recorded first, so services_stop cleans up after a failed start
    chmod 755 "$dir"
    if [[ $(id -u) -eq 0 ]]; then
        install -d -o postgres -g postgres "$dir/pg" || return 1
    else
        mkdir "$dir/pg" || return 1
    fi
    port=$(_services_free_port) || return 1

    if ! _services_as_postgres initdb -D "$dir/pg/data" -U postgres --auth=trust --no-sync \
        -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
        _services_fail "initdb failed in $dir/pg/data" "$dir/initdb.log"
        return 1
    fi
    if ! _services_as_postgres pg_ctl -D "$dir/pg/data" -l "$dir/pg/log" -w -t 60 \
        -o "-p $port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >"$dir/pg_ctl.log" 2>&1; then
        _services_fail "PostgreSQL did not start on 127.0.0.1:$port" "$dir/pg_ctl.log" "$dir/pg/log"
        return 1
    fi

    export PORTAL_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    echo "services: PostgreSQL on 127.0.0.1:$port, data in $dir ($(_services_elapsed "$started") s)"
}

# Runs a RabbitMQ command for our private node. Everything is passed through the environment
# of a subshell, so the caller's shell is not changed. ERL_EPMD_PORT gives the node its own epmd:
# another developer's node on this machine never shares it, so services_stop may kill it.
_services_rmq() {
    (
        export PATH="$PATH:/usr/sbin:/usr/lib/rabbitmq/bin"
        export RABBITMQ_NODENAME=$_services_rmq_node
        export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
        export ERL_EPMD_ADDRESS=127.0.0.1
        export ERL_EPMD_PORT=$_services_rmq_epmd_port
        export RABBITMQ_DIST_PORT=$_services_rmq_dist_port
        export RABBITMQ_MNESIA_BASE=$_services_rmq_dir/mnesia
        export RABBITMQ_LOG_BASE=$_services_rmq_dir/log
        export RABBITMQ_CONFIG_FILE=$_services_rmq_dir/rabbitmq.conf
        export RABBITMQ_PID_FILE=$_services_rmq_dir/rabbit.pid
        export RABBITMQ_ENABLED_PLUGINS_FILE=$_services_rmq_dir/enabled_plugins
        export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
        "$@"
    )
}

_services_install_rabbitmq() {
    if command -v rabbitmq-server >/dev/null 2>&1 || [[ -x /usr/sbin/rabbitmq-server ]]; then
        return 0
    fi
    echo "services: installing rabbitmq-server (apt-get)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server; } \
        >/tmp/portal-apt-rabbitmq.log 2>&1; then
        _services_fail "apt-get install rabbitmq-server failed" /tmp/portal-apt-rabbitmq.log
        return 1
    fi
    rm -f /tmp/portal-apt-rabbitmq.log
}

services_start_rabbitmq() {
    if [[ -n $_services_rmq_dir ]]; then
        echo "services: RabbitMQ already started ($PORTAL_TEST_RABBITMQ)"
        return 0
    fi
    local started dir amqp_port
    started=$(_services_now)
    _services_install_rabbitmq || return 1

    dir=$(mktemp -d -t portal-rmq.XXXXXX) || return 1
    _services_rmq_dir=$dir
    mkdir -p "$dir/mnesia" "$dir/log"
    # Debian's wrapper runs the server as the rabbitmq user when started by root.
    if [[ $(id -u) -eq 0 ]] && id -u rabbitmq >/dev/null 2>&1; then
        chown -R rabbitmq:rabbitmq "$dir"
    fi
    chmod 755 "$dir"
    amqp_port=$(_services_free_port) || return 1
    _services_rmq_dist_port=$(_services_free_port) || return 1
    _services_rmq_epmd_port=$(_services_free_port) || return 1
    if [[ $_services_rmq_dist_port == "$amqp_port" || $_services_rmq_epmd_port == "$amqp_port" \
        || $_services_rmq_epmd_port == "$_services_rmq_dist_port" ]]; then
        _services_fail "picked the same port twice ($amqp_port, $_services_rmq_dist_port, $_services_rmq_epmd_port); run again"
        return 1
    fi
    # A unique node name: several developers (and CI) may run test nodes on one machine.
    _services_rmq_node="portal-test-$$-$RANDOM@localhost"

    cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$amqp_port
loopback_users.guest = true
log.file.level = info
EOF
    echo '[].' >"$dir/enabled_plugins"
    if [[ $(id -u) -eq 0 ]] && id -u rabbitmq >/dev/null 2>&1; then
        chown rabbitmq:rabbitmq "$dir/rabbitmq.conf" "$dir/enabled_plugins"
    fi

    # Debian's wrapper starts the node through `su rabbitmq`, whose PAM session sets the soft limit
    # of open files back to 1024: RabbitMQ then accepts about 830 sockets and, once a long day of
    # test hosts has opened that many, stops answering new connections without a word in its log.
    # Start the node ourselves with the soft limit raised to the hard one.
    local start=(rabbitmq-server -detached)
    if [[ $(id -u) -eq 0 ]] && id -u rabbitmq >/dev/null 2>&1 && [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]]; then
        start=(su rabbitmq -s /bin/sh -c 'cd /var/lib/rabbitmq && ulimit -n "$(ulimit -Hn)" && exec /usr/lib/rabbitmq/bin/rabbitmq-server -detached')
    fi
    if ! _services_rmq "${start[@]}" >"$dir/start.log" 2>&1; then
        _services_fail "rabbitmq-server -detached failed (node $_services_rmq_node)" "$dir/start.log" "$dir/log/"*.log
        return 1
    fi
    # `rabbitmqctl await_startup` right after -detached fails (rc 69): wait on the pid file.
    if ! _services_rmq rabbitmqctl -n "$_services_rmq_node" wait --timeout 60 "$dir/rabbit.pid" \
        >"$dir/wait.log" 2>&1; then
        _services_fail "RabbitMQ node $_services_rmq_node did not start on 127.0.0.1:$amqp_port" \
            "$dir/wait.log" "$dir/start.log" "$dir/log/"*.log
        return 1
    fi

    export PORTAL_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$amqp_port/"
    echo "services: RabbitMQ $_services_rmq_node on 127.0.0.1:$amqp_port (dist $_services_rmq_dist_port, epmd $_services_rmq_epmd_port), data in $dir ($(_services_elapsed "$started") s)"
}

_services_stop_rabbitmq() {
    [[ -n $_services_rmq_dir ]] || return 0
    local dir=$_services_rmq_dir pid
    if [[ -s $dir/rabbit.pid ]]; then
        pid=$(<"$dir/rabbit.pid")
        if ! _services_rmq rabbitmqctl -n "$_services_rmq_node" stop "$dir/rabbit.pid" >"$dir/stop.log" 2>&1; then
            echo "services: rabbitmqctl stop failed; sending TERM to pid $pid" >&2
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
        fi
    fi
    # Our epmd listens on a port of its own (ERL_EPMD_PORT), so no other node is registered
    # with it; epmd also refuses -kill while a live node is registered.
    if [[ -n $_services_rmq_epmd_port ]]; then
        ERL_EPMD_PORT=$_services_rmq_epmd_port epmd -port "$_services_rmq_epmd_port" -kill >/dev/null 2>&1 || true
    fi
    # The broker's own errors (a CI run once saw every publish refused with INTERNAL_ERROR, and the
    # log went with the data directory): printed before it is removed, only when there are any.
    local errors
    errors=$(grep -h -iE '\[(error|critical)\]|resource limit alarm' "$dir"/log/*.log 2>/dev/null | tail -n 40) || true
    if [[ -n $errors ]]; then
        echo "services: RabbitMQ logged errors (last 40):" >&2
        printf '%s\n' "$errors" >&2
    fi
    rm -rf "$dir"
    _services_rmq_dir=""
    _services_rmq_node=""
    _services_rmq_epmd_port=""
    unset PORTAL_TEST_RABBITMQ
    echo "services: RabbitMQ stopped"
}

_services_stop_postgres() {
    [[ -n $_services_pg_dir ]] || return 0
    local dir=$_services_pg_dir
    if [[ -f $dir/pg/data/postmaster.pid ]]; then
        _services_as_postgres pg_ctl -D "$dir/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || echo "services: pg_ctl stop failed for $dir/pg/data" >&2
    fi
    rm -rf "$dir"
    _services_pg_dir=""
    unset PORTAL_TEST_POSTGRES
    echo "services: PostgreSQL stopped"
}

# Stops whatever this shell started. Safe to call twice and from a trap: it never fails.
services_stop() {
    _services_stop_rabbitmq || true
    _services_stop_postgres || true
    return 0
}

# Issue 13 (chaos stage): restart the servers THIS shell started (never anyone else's). The data
# stays: PostgreSQL is stopped fast (connections cut, as a crash would) and started with the same
# options; RabbitMQ's application is stopped and started on the same node (every connection is
# closed, durable queues and persistent messages survive, as after a broker restart).
services_restart_postgres() {
    [[ -n $_services_pg_dir ]] || { echo "services: no PostgreSQL of ours to restart" >&2; return 1; }
    local dir=$_services_pg_dir
    if ! _services_as_postgres pg_ctl -D "$dir/pg/data" -l "$dir/pg/log" -m fast -w -t 60 restart >"$dir/restart.log" 2>&1; then
        _services_fail "PostgreSQL did not restart" "$dir/restart.log" "$dir/pg/log"
        return 1
    fi
    echo "services: PostgreSQL restarted"
}

services_restart_rabbitmq() { # [seconds down]
    [[ -n $_services_rmq_dir ]] || { echo "services: no RabbitMQ of ours to restart" >&2; return 1; }
    _services_rmq rabbitmqctl -n "$_services_rmq_node" stop_app >"$_services_rmq_dir/restart.log" 2>&1 || {
        _services_fail "rabbitmqctl stop_app failed" "$_services_rmq_dir/restart.log"
        return 1
    }
    sleep "${1:-3}"
    _services_rmq rabbitmqctl -n "$_services_rmq_node" start_app >>"$_services_rmq_dir/restart.log" 2>&1 || {
        _services_fail "rabbitmqctl start_app failed" "$_services_rmq_dir/restart.log"
        return 1
    }
    echo "services: RabbitMQ restarted"
}

# The variables a separate process needs to restart these servers (see scripts/chaos.sh).
services_state() {
    declare -p _services_pg_dir _services_rmq_dir _services_rmq_node _services_rmq_epmd_port _services_rmq_dist_port
}
