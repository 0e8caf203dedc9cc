<?php
// A hostile stand-in for the platform, started by hardening_test.php: on 127.0.0.1:PORT it reads
// each request, writes the start of a success response, then resets the connection (SO_LINGER
// 0: an RST, not a FIN), as a failing proxy or server does in the middle of a response. Appends
// one line per request received to LOG.
//
//   php hostile_stub.php PORT LOG

declare(strict_types=1);

[, $port, $log] = $argv + [null, '0', '/dev/null'];
$server = socket_create(AF_INET, SOCK_STREAM, SOL_TCP);
socket_set_option($server, SOL_SOCKET, SO_REUSEADDR, 1);
if (!socket_bind($server, '127.0.0.1', (int) $port) || !socket_listen($server, 16)) {
    fwrite(STDERR, "cannot listen on $port\n");
    exit(1);
}
$body = '{"code":"000000","msg":"ok","data":{"callId":"0123456789abcdef0123456789abcdef","user_data":null}}';
$response = "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: " . strlen($body) . "\r\n\r\n" . $body;
while (true) {
    $conn = socket_accept($server);
    if ($conn === false) {
        continue;
    }
    $data = '';
    $want = null;
    while (($chunk = socket_read($conn, 65536)) !== false && $chunk !== '') {
        $data .= $chunk;
        $end = strpos($data, "\r\n\r\n");
        if ($end !== false && $want === null) {
            $length = preg_match('/^content-length:\s*(\d+)/mi', substr($data, 0, $end), $m) === 1 ? (int) $m[1] : 0;
            $want = $end + 4 + $length;
        }
        if ($want !== null && strlen($data) >= $want) {
            break;
        }
    }
    if ($data !== '') {
        file_put_contents($log, strtok($data, "\r\n") . "\n", FILE_APPEND | LOCK_EX);
        socket_write($conn, substr($response, 0, intdiv(strlen($response), 2)));
        socket_set_option($conn, SOL_SOCKET, SO_LINGER, ['l_onoff' => 1, 'l_linger' => 0]);
    }
    socket_close($conn);
}
