#!/usr/bin/perl
# The lab's command client: every simulated command on a host (kubeadm, systemctl, dnf, …) is this
# script under another name. It hands its argv, cwd, environment and uid to the host's simulator
# daemon over a unix socket and relays stdout, stderr, stdin (only when asked) and the exit code.
# No modules at all: Socket.pm alone would triple the start-up cost of every command.
#
# Frames, both ways: one type byte, a 32-bit big-endian length, the payload.
#   to the daemon:   H header, I stdin bytes, C stdin closed
#   from the daemon: O stdout, E stderr, S send stdin, P exec this argv instead, X exit code
my $cmd = $0;
$cmd =~ s{.*/}{};
my $path = '/run/k8sha-lab/sim.sock';
socket(my $s, 1, 1, 0) or die "lab $cmd: socket: $!\n";    # AF_UNIX, SOCK_STREAM
unless (connect($s, pack('S a108', 1, $path))) {
    print STDERR "lab $cmd: the host's simulator is not running ($path: $!)\n";
    exit 70;
}
binmode $s;
binmode STDIN;
binmode STDOUT;
binmode STDERR;
$| = 1;

sub str { pack('N', length $_[0]) . $_[0] }
sub frame { my ($t, $p) = @_; $t . pack('N', length $p) . $p }

sub send_all {
    my $data = shift;
    while (length $data) {
        my $n = syswrite($s, $data);
        exit 70 unless defined $n;
        substr($data, 0, $n) = '';
    }
}

my @env = map { "$_=$ENV{$_}" } sort keys %ENV;
my $cwd = readlink('/proc/self/cwd') // '/';
my $h = pack('N', scalar(@ARGV) + 1) . str($cmd) . join('', map { str($_) } @ARGV)
  . str($cwd) . pack('N', scalar @env) . join('', map { str($_) } @env) . pack('N', $<);
send_all(frame('H', $h));

my $buf = '';
my $stdin_wanted = 0;
while (1) {
    my $rin = '';
    vec($rin, fileno($s), 1) = 1;
    vec($rin, fileno(STDIN), 1) = 1 if $stdin_wanted;
    my $n = select(my $rout = $rin, undef, undef, undef);
    next if $n < 0 && $!{EINTR};
    if ($stdin_wanted && vec($rout, fileno(STDIN), 1)) {
        my $got = sysread(STDIN, my $d, 65536);
        if ($got) { send_all(frame('I', $d)) }
        else { send_all(frame('C', '')); $stdin_wanted = 0; }
    }
    next unless vec($rout, fileno($s), 1);
    my $got = sysread($s, $buf, 65536, length $buf);
    exit 70 unless $got;
    while (length($buf) >= 5) {
        my ($type, $len) = unpack('a N', $buf);
        last if length($buf) < 5 + $len;
        my $p = substr($buf, 5, $len);
        substr($buf, 0, 5 + $len) = '';
        if ($type eq 'O') { syswrite(STDOUT, $p) }
        elsif ($type eq 'E') { syswrite(STDERR, $p) }
        elsif ($type eq 'S') { $stdin_wanted = 1 }
        elsif ($type eq 'X') { exit unpack('N', $p) }
        elsif ($type eq 'P') {
            my ($argc, @argv) = (unpack('N', $p));
            my $off = 4;
            for (1 .. $argc) {
                my $l = unpack('N', substr($p, $off, 4));
                push @argv, substr($p, $off + 4, $l);
                $off += 4 + $l;
            }
            close $s;
            exec { $argv[0] } @argv or do { print STDERR "lab $cmd: cannot run $argv[0]: $!\n"; exit 127 };
        }
    }
}
