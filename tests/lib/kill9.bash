# kill -9 of berth at a random moment of one operation, then a check that the
# store is still consistent. Shared by tests/system/112-kill9.bats (a few
# dozen trials) and contrib/bench/kill9.sh (hundreds); sourced, not run.
#
# Needs: BERTH, K9_OPTS (the store's global options: --root DATA --runroot RUN),
# K9_DATA and K9_RUN (those two directories), K9_IMAGE (a busybox in a registry),
# K9_ARCHIVE (a docker-archive of it) and K9_WORK (a scratch directory).
# Each kill9_trial prints nothing on success; on a broken store it prints one
# line per problem on stdout and returns 1.
#
# The hard part is telling "killed mid-way" from "broken": a killed pull may
# leave no image, a killed rm may leave the container; both are right. What
# is never right: a later command that fails, a record without its files or
# files without their record, a .tmp- file or mount that outlives the next
# command, a monitor without a container, a re-run of the operation that fails.

K9_OPERATIONS=(pull run stop rm rmi volume-rm save load commit)
K9_TIMEOUT=${K9_TIMEOUT:-60}

k9() {  # k9 ARGS...: berth on the trial store, with a timeout
    # shellcheck disable=SC2086
    timeout "$K9_TIMEOUT" "$BERTH" $K9_OPTS "$@"
}

# k9_kill_after MS ARGS...: start berth ARGS, SIGKILL it after MS milliseconds.
k9_kill_after() {
    local ms=$1
    shift
    # shellcheck disable=SC2086
    "$BERTH" $K9_OPTS "$@" >/dev/null 2>&1 </dev/null &
    local pid=$!
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# k9_prepare OP N: what the operation needs before it can be interrupted.
k9_prepare() {
    local op=$1 n=$2
    case $op in
        pull) k9 rmi -f -i "$K9_IMAGE" >/dev/null 2>&1 ;;
        stop | rm) k9 run -d --name "k9-$n" "$K9_IMAGE" sleep 1000 >/dev/null ;;
        rmi) k9 tag "$K9_IMAGE" "localhost/k9-rmi:$n" ;;
        volume-rm) k9 volume create "k9-vol-$n" >/dev/null ;;
        load) k9 rmi -f -i busybox:latest "$K9_IMAGE" >/dev/null 2>&1 ;;
        # an exited container with 24 MB of changes: the layer takes a while to pack
        commit) k9 run --name "k9-c-$n" "$K9_IMAGE" sh -c 'head -c 24000000 /dev/urandom >/big; echo kept >/kept' >/dev/null &&
            k9_problems >"$K9_WORK/problems-before-$n" ;;
        *) true ;;
    esac
}

# k9_command OP N: the berth arguments of the operation.
k9_command() {
    local op=$1 n=$2
    case $op in
        pull) echo "pull -q $K9_IMAGE" ;;
        run) echo "run -d --name k9-$n $K9_IMAGE sleep 1000" ;;
        stop) echo "stop -t 0 k9-$n" ;;
        rm) echo "rm -f -t 0 k9-$n" ;;
        rmi) echo "rmi localhost/k9-rmi:$n" ;;
        volume-rm) echo "volume rm k9-vol-$n" ;;
        save) echo "save -o $K9_WORK/save-$n.tar $K9_IMAGE" ;;
        load) echo "load -q -i $K9_ARCHIVE" ;;
        commit) echo "commit -q k9-c-$n localhost/k9-commit:$n" ;;
    esac
}

# k9_rerun OP N: the same operation again must succeed (where the killed one
# already finished, the re-run is asked in a form that accepts that).
k9_rerun() {
    local op=$1 n=$2
    case $op in
        run) k9 rm -f -i -t 0 "k9-$n" >/dev/null && k9 run -d --name "k9-$n" "$K9_IMAGE" sleep 1000 >/dev/null ;;
        rm) k9 rm -f -i -t 0 "k9-$n" >/dev/null ;;
        rmi) k9 rmi -i "localhost/k9-rmi:$n" >/dev/null ;;
        volume-rm) { ! k9 volume inspect "k9-vol-$n" || k9 volume rm "k9-vol-$n"; } >/dev/null 2>&1 ;;
        save) k9 save -o "$K9_WORK/save-$n.tar" "$K9_IMAGE" && rm -f "$K9_WORK/save-$n.tar" ;;
        load) k9 load -q -i "$K9_ARCHIVE" >/dev/null && k9 pull -q "$K9_IMAGE" >/dev/null ;;
        commit) k9 commit -q "k9-c-$n" "localhost/k9-commit:$n" >/dev/null \
            && [[ $(k9 run --rm "localhost/k9-commit:$n" cat /kept) == kept ]] ;;
        *) # shellcheck disable=SC2046
            k9 $(k9_command "$op" "$n") >/dev/null ;;
    esac
}

# k9_max_ms OP: the longest the operation runs before it is killed (a commit
# packs its layer for about a second).
k9_max_ms() {
    case $1 in
        commit) echo 1500 ;;
        *) echo 300 ;;
    esac
}

# k9_problems: what system check reports, sorted, without its summary line.
k9_problems() { k9 system check 2>&1 | grep -v 'problems\? found in the store' | sort; }

# k9_check_op OP N: what the operation must leave, killed or not: a killed
# commit no problem that system check did not report before it (no damaged
# image, none of its content left behind: the next command's repair collects
# it) and its container as it was. (Earlier trials may have left problems of
# their own: a killed rm's stale container lock file, say.)
k9_check_op() {
    local op=$1 n=$2 out
    case $op in
        commit)
            out=$(comm -13 "$K9_WORK/problems-before-$n" <(k9_problems))
            [[ -z $out ]] || echo "system check: ${out//$'\n'/ }"
            out=$(k9 container inspect --format '{{.State.Status}}' "k9-c-$n" 2>&1)
            [[ $out == exited ]] || echo "container k9-c-$n: $out"
            out=$(k9 diff "k9-c-$n" 2>&1)
            grep -qx 'A /kept' <<<"$out" || echo "container k9-c-$n lost its changes: ${out//$'\n'/ }"
            ;;
    esac
    return 0
}

# k9_cleanup OP N: what the trial made.
k9_cleanup() {
    case $1 in
        run | stop | rm) k9 rm -f -i -t 0 "k9-$2" >/dev/null 2>&1 ;;
        commit) k9 rm -f -i "k9-c-$2" >/dev/null 2>&1; k9 rmi -i "localhost/k9-commit:$2" >/dev/null 2>&1 ;;
    esac
    return 0
}

# k9_check: the store agrees with itself and with the disk; prints problems.
k9_check() {
    local bad=0 out
    for cmd in "ps -a -q" "images -q" "volume ls -q"; do
        # shellcheck disable=SC2086
        out=$(k9 $cmd 2>&1) || { echo "'berth $cmd' failed: $out"; bad=1; }
    done
    # every container directory has its record. The reverse need not hold: a
    # create or rm killed between the row and the directory leaves a record
    # without a directory, which is a usable container (start makes the
    # directory, rm completes; the re-run checks that).
    local recorded ondisk
    recorded=$(k9 ps -a -q --no-trunc 2>/dev/null | sort)
    ondisk=$(find "$K9_DATA/containers" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n' 2>/dev/null | sort)
    out=$(comm -13 <(echo "$recorded") <(echo "$ondisk") | sed '/^$/d')
    [[ -z $out ]] || { echo "container directories without a record: ${out//$'\n'/ }"; bad=1; }
    recorded=$(k9 volume ls -q 2>/dev/null | sort)
    ondisk=$(find "$K9_DATA/volumes" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n' 2>/dev/null | sort)
    [[ $recorded == "$ondisk" ]] || { echo "volumes: recorded [${recorded//$'\n'/ }] on disk [${ondisk//$'\n'/ }]"; bad=1; }
    # a running container has a live process, any other none. A container a
    # killed stop or rm left "stopping" is one whose monitor is still at its
    # exit (a bridge network's teardown takes netavark a few hundred ms as
    # root): wait for it to settle first.
    local id state pid i
    for i in $(seq 50); do
        k9 ps -a --format '{{.State}}' 2>/dev/null | grep -qx stopping || break
        sleep 0.1
    done
    while read -r id state pid; do
        [[ -n $id ]] || continue
        if [[ $state == running ]]; then
            kill -0 "$pid" 2>/dev/null || { echo "container $id recorded running with dead pid $pid"; bad=1; }
        elif [[ $pid != 0 ]]; then
            echo "container $id recorded $state with pid $pid"; bad=1
        fi
    done < <(k9 ps -a --format '{{.ID}} {{.State}} {{.Pid}}' 2>/dev/null)
    # temporary files are gone once a command has opened the store
    out=$(find "$K9_DATA" "$K9_WORK" -maxdepth 3 -name '*.tmp-*' 2>/dev/null)
    [[ -z $out ]] || { echo "temporary files left: ${out//$'\n'/ }"; bad=1; }
    return $bad
}

# k9_mounts: berth's mounts under the store (rootless: in berth's namespace).
k9_mounts() {
    if ((EUID != 0)) && [[ -s $K9_RUN/pause.pid ]]; then
        nsenter -t "$(cut -d' ' -f1 "$K9_RUN/pause.pid")" -U -m --preserve-credentials \
            cat /proc/self/mountinfo | awk -v d="$K9_DATA/" 'index($5, d) == 1 { print $5 }'
    elif ((EUID == 0)); then
        awk -v d="$K9_DATA/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo
    fi
}

# k9_check_empty: after removing every container, no mount and no monitor is left.
k9_check_empty() {
    local bad=0 out i
    k9 rm -f -a -t 0 >/dev/null 2>&1 || { echo "rm -f -a failed"; bad=1; }
    out=$(k9_mounts)
    [[ -z $out ]] || { echo "mounts left: ${out//$'\n'/ }"; bad=1; }
    for ((i = 0; i < 50; i++)); do
        pgrep -f "berth-monitor .*$K9_DATA" >/dev/null || return $bad
        sleep 0.1
    done
    # A run -d killed before its monitor wrote the launch file was once left
    # running behind a "created" record; the monitor now shares the container
    # lock until then, so rm -f finds it. Any monitor still here is a leak.
    echo "monitors left after rm -f -a: $(pgrep -af "berth-monitor .*$K9_DATA" | tr '\n' ' ')"
    local pid
    for pid in $(pgrep -f "berth-monitor .*$K9_DATA"); do
        pkill -KILL -P "$pid"
        kill -KILL "$pid"
    done 2>/dev/null
    return 1
}

# kill9_trial OP N: prepare, kill OP after 0-300 ms (k9_max_ms), check, re-run, check.
kill9_trial() {
    local op=$1 n=$2 ms problems
    ms=$((RANDOM % ($(k9_max_ms "$op") + 1)))
    k9_prepare "$op" "$n" || { echo "$op #$n: preparing failed"; return 1; }
    # shellcheck disable=SC2046
    k9_kill_after "$ms" $(k9_command "$op" "$n")
    problems=$(k9_check; k9_check_op "$op" "$n")
    local out
    if ! out=$(k9_rerun "$op" "$n" 2>&1); then
        problems+=$'\n'"re-run failed: ${out//$'\n'/ }"
    fi
    problems+=$'\n'$(k9_check; k9_check_op "$op" "$n")
    k9_cleanup "$op" "$n"
    problems=$(sed '/^$/d' <<<"$problems")
    [[ -z $problems ]] && return 0
    sed "s/^/$op #$n (killed after ${ms} ms): /" <<<"$problems"
    return 1
}
