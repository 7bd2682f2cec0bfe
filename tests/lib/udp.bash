# UDP helpers of the network tests (175, 178): an echo server to run in a
# container and a client on the host.

# udp_echo_binary: a static UDP echo server ($BATS_TEST_TMPDIR/udpecho PORT), built with cc.
udp_echo_binary() {
    command -v cc >/dev/null || skip "no C compiler for the UDP echo server (busybox nc has no UDP here)"
    cat >"$BATS_TEST_TMPDIR/udpecho.c" <<'C'
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
int main(int argc, char** argv)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])) };
    if (argc < 2 || bind(fd, (struct sockaddr*)&a, sizeof a) != 0)
        return 1;
    for (;;) {
        char buf[2048];
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr*)&from, &len);
        if (n > 0)
            sendto(fd, buf, n, 0, (struct sockaddr*)&from, len);
    }
}
C
    cc -static -O2 -o "$BATS_TEST_TMPDIR/udpecho" "$BATS_TEST_TMPDIR/udpecho.c" || skip "cc cannot link a static program"
    chmod 0755 "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/udpecho"
}

# udp_ping PORT: sends "ping" to 127.0.0.1:PORT until the echo comes back (5 s); prints it.
udp_ping() {
    local line="" i
    exec 3<>"/dev/udp/127.0.0.1/$1"
    for i in $(seq 1 25); do
        printf 'ping\n' >&3
        # One read of the whole datagram: bash's read takes one byte of it and drops the rest.
        line=$(timeout 0.2 dd bs=2048 count=1 status=none <&3 || true)
        [[ -n $line ]] && break
    done
    exec 3>&-
    echo "$line"
}
