<?php
// ssespec adapter (conformance/ADAPTERS.md) for Symfony's EventSourceHttpClient, Debian
// php-symfony-http-client 5.4: `php adapter.php URL`, one process per case. Written from the
// component's documentation: connect(), then stream() the response and look at each chunk.
// Its API has no readyState (run with --cannot-report ready-state); `open` is the first chunk
// (the response headers), lastEventId the response's info "last_event_id".
require '/usr/share/php/Symfony/Component/HttpClient/autoload.php';

use Symfony\Component\HttpClient\Chunk\ServerSentEvent;
use Symfony\Component\HttpClient\EventSourceHttpClient;
use Symfony\Contracts\HttpClient\Exception\ExceptionInterface;

$url = $argv[count($argv) - 1];
$listened = array_merge(['message', 'open', 'error'], json_decode(getenv('SSESPEC_LISTEN') ?: '[]', true));
[$closeKind, $closeCount] = explode(':', getenv('SSESPEC_CLOSE_AFTER') ?: ':0');
$headers = json_decode(getenv('SSESPEC_HEADERS') ?: '{}', true);  // capability headers: connect()'s option

$client = new EventSourceHttpClient();
$source = $client->connect($url, $headers ? ['headers' => $headers] : []);
$seen = [];
$closed = false;  // close() was called

function report(array $line): void {
    global $seen, $closeKind, $closeCount;
    fwrite(STDOUT, json_encode($line, JSON_UNESCAPED_SLASHES) . "\n");
    fflush(STDOUT);
    $kind = array_key_first($line);
    $seen[$kind] = ($seen[$kind] ?? 0) + 1;
    if ($kind === $closeKind && $seen[$kind] === (int) $closeCount) close_source();
}

function close_source(): void {
    global $source, $closed;
    $source->cancel();  // the library's way to stop a stream
    $closed = true;
    fwrite(STDOUT, json_encode(['closed' => ['readyState' => 2]]) . "\n");
    fflush(STDOUT);
}

// The runner's commands. stream() blocks for its whole timeout (the documentation's 2 s, which
// is also the library's cue to reconnect an idle stream), so a child process reads stdin and
// signals each line (SIGUSR1); the handler runs at once, between the library's own steps.
[$commandsIn, $commandsOut] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$parent = posix_getpid();
if (pcntl_fork() === 0) {
    fclose($commandsIn);
    while (($line = fgets(STDIN)) !== false) {
        fwrite($commandsOut, $line);
        posix_kill($parent, SIGUSR1);
    }
    fwrite($commandsOut, "eof\n");
    posix_kill($parent, SIGUSR1);
    FFI::cdef('void _exit(int status);')->_exit(0);
}
fclose($commandsOut);
fclose(STDIN);
stream_set_blocking($commandsIn, false);
pcntl_async_signals(true);
pcntl_signal(SIGUSR1, function () use ($commandsIn) {
    global $closed;
    while (($line = fgets($commandsIn)) !== false) {
        $line = trim($line);
        if ($line === 'eof') exit_now();  // stdin closed: the case is over
        if ($line === 'close' && !$closed) close_source();
    }
});

// Exit at once, status 0, without PHP's shutdown: a response's destructor may throw (a
// TransportException for a cancelled or failed stream), which must not turn a clean end into a crash.
function exit_now(): void {
    fflush(STDOUT);
    FFI::cdef('void _exit(int status);')->_exit(0);
}

// WHATWG "UTF-8 decode" (https://encoding.spec.whatwg.org/#utf-8-decoder): the library hands
// over bytes; each maximal invalid subpart becomes one U+FFFD, as EventSource decodes a stream.
function whatwg_utf8(string $bytes): string {
    if (preg_match('//u', $bytes)) return $bytes;  // valid UTF-8 (the usual case, and 5 MiB events) decodes to itself
    $out = '';
    $n = strlen($bytes);
    for ($i = 0; $i < $n;) {
        $b = ord($bytes[$i]);
        if ($b < 0x80) { $out .= $bytes[$i++]; continue; }
        [$need, $lower, $upper] = $b >= 0xC2 && $b <= 0xDF ? [1, 0x80, 0xBF]
            : ($b === 0xE0 ? [2, 0xA0, 0xBF] : ($b === 0xED ? [2, 0x80, 0x9F]
            : ($b >= 0xE1 && $b <= 0xEF ? [2, 0x80, 0xBF] : ($b === 0xF0 ? [3, 0x90, 0xBF]
            : ($b === 0xF4 ? [3, 0x80, 0x8F] : ($b >= 0xF1 && $b <= 0xF3 ? [3, 0x80, 0xBF] : [0, 0, 0]))))));
        $j = $i + 1;
        for ($k = 0; $k < $need && $j < $n; ++$k, ++$j) {
            $c = ord($bytes[$j]);
            if ($c < $lower || $c > $upper) break;
            [$lower, $upper] = [0x80, 0xBF];
        }
        $out .= $need > 0 && $k === $need ? substr($bytes, $i, $j - $i) : "\u{FFFD}";
        $i = $need > 0 && $k === $need ? $j : max($j, $i + 1);
    }
    return $out;
}

try {
    // The documentation's loop; one stream() call runs until the response is complete.
    foreach ($client->stream($source, 2) as $chunk) {
        if ($chunk->isTimeout()) continue;
        if ($chunk->isFirst()) {
            report(['open' => new stdClass()]);
        } elseif ($chunk instanceof ServerSentEvent) {
            $type = whatwg_utf8($chunk->getType());
            if (in_array($type, $listened, true)) {
                report(['message' => ['type' => $type, 'data' => whatwg_utf8($chunk->getData()),
                                      'lastEventId' => whatwg_utf8((string) $source->getInfo('last_event_id'))]]);
            }
        } elseif ($chunk->isLast()) {
            break;  // the stream ended: the library does not reconnect then
        }
    }
} catch (ExceptionInterface $e) {
    // The library gave up (an HTTP error status, a wrong Content-Type, a network error it does
    // not retry): final, the closest to an error event with readyState CLOSED.
    fwrite(STDERR, get_class($e) . ': ' . $e->getMessage() . "\n");
    if (!$closed) report(['error' => ['readyState' => 2]]);
}
// Nothing more will come: wait for the runner's commands (stdin's end exits).
while (true) {
    sleep(60);
}
